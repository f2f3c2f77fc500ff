import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The history database: one SQLite file in WAL mode. Every public method takes the store's lock
/// for its whole duration, so operations from several threads run one after another and a batch
/// is always one transaction; other processes (a `lanscope devices` next to the service) are kept
/// apart by SQLite's own file locking, waiting up to `busyTimeoutMilliseconds`.
///
/// `close()` checkpoints the write-ahead log into the file and returns it to rollback-journal mode,
/// so after a clean shutdown the database is one self-contained file that a read-only opener can
/// read with ordinary locking and without creating `-wal`/`-shm` beside it.
public final class HistoryStore: @unchecked Sendable {
    /// How long a statement waits for another process's lock before failing with `SQLITE_BUSY`.
    /// Default 5000 ms.
    public static let busyTimeoutMilliseconds = 5000

    /// How the store is opened and what it holds at most.
    public struct Configuration: Sendable, Hashable {
        /// Most devices the store holds (default 16,384, the inventory's default
        /// `DeviceRegistry.Configuration.maxDevices`; give both the same value). A batch's rows for a
        /// device not yet stored — device row, addresses, names, services, evidence, traffic — are
        /// refused once the store is full and counted in `devicesRejected`, so a MAC flood cannot
        /// grow the file without bound. Devices already stored are always updated.
        public var maxDevices: Int = 16_384
        /// Open without ever writing (default `false`): `SQLITE_OPEN_READONLY`, no file or directory
        /// created, no migration, no journal-mode change. Works on a read-only mount. A file whose
        /// schema is older than this build's is refused (`schemaTooOld`) rather than upgraded.
        public var readOnly: Bool = false
        /// Sightings closer together than this extend one presence span; a longer silence starts a
        /// new one (default 5 minutes, `lanscope run`'s presence window).
        public var presenceGap: Duration = .seconds(300)

        public init(maxDevices: Int = 16_384, readOnly: Bool = false, presenceGap: Duration = .seconds(300)) {
            self.maxDevices = maxDevices
            self.readOnly = readOnly
            self.presenceGap = presenceGap
        }
    }

    public let path: String
    public let configuration: Configuration
    /// The connection; nil while a store made with `init(path:configuration:retryingOpenEvery:)` waits
    /// to open, and read only under `lock` once it is set.
    private var connection: Database?
    /// The open connection, for operations running under `lock` (`locked` has checked it is there).
    var database: Database { connection! }
    /// Set for a store that opens later: when it may next try, and why the last try failed.
    private var pendingOpen: (interval: Duration, next: ContinuousClock.Instant, error: HistoryError)?
    /// Serialises every use of the connection (one lock type in the package: `Mutex`).
    let lock = Mutex<Void>(())
    private let rejected = Atomic<UInt64>(0)
    /// Whether a large batch's evidence rows are grouped on a helper thread while its device rows are
    /// written (`EvidenceRowsAhead`; default true). Tests turn it off to compare the two paths.
    nonisolated(unsafe) var groupsEvidenceAhead = true
    /// Whether the latest `write` grouped its evidence on a helper thread (tests check the path they
    /// compare ran). Written under the store's lock.
    nonisolated(unsafe) var lastWriteGroupedEvidenceAhead = false
    /// Set once a read-write open has completed (configured and migrated): only then may `close()`
    /// write. A failed open (a newer schema, junk) must leave the file exactly as it found it, and
    /// `deinit` runs `close()` after a throwing `init` too.
    private var openedForWriting = false

    /// Devices refused because the store held `configuration.maxDevices` already, counted once per
    /// `write` that carried them (export as `lanscope_store_devices_rejected_total`). Lock-free: a
    /// scrape reading it never waits for a write transaction.
    public var devicesRejected: UInt64 { rejected.load(ordering: .relaxed) }

    func countRejected(_ count: Int) {
        if count > 0 { rejected.add(UInt64(count), ordering: .relaxed) }
    }

    /// `$XDG_DATA_HOME/lanscope/lanscope.db`, or `$HOME/.local/share/lanscope/lanscope.db` when
    /// `XDG_DATA_HOME` is unset, empty or relative (the XDG Base Directory spec says relative
    /// values are to be ignored). Without `HOME`, the password database's home directory is used.
    public static func defaultPath(environment: [String: String]) -> String {
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") {
            return joined(data, "lanscope/lanscope.db")
        }
        var home = environment["HOME"] ?? ""
        if home.isEmpty, let entry = getpwuid(getuid()), let dir = entry.pointee.pw_dir {
            home = String(cString: dir)
        }
        if home.isEmpty { home = "." }
        return joined(home, ".local/share/lanscope/lanscope.db")
    }

    /// Opens the database at `path`. Read-write (the default), it creates the file (mode 0600) and
    /// any missing parent directories (mode 0700) first, and applies the migrations it has not seen
    /// yet; a symbolic link at `path` itself is refused (`ELOOP`), so the store never writes through
    /// a link planted in its place. Read-only (`configuration.readOnly`), see `Configuration`.
    /// Either way a file from a newer lanscope is refused (`schemaTooNew`) before anything is written.
    public init(path: String, configuration: Configuration = Configuration()) throws(HistoryError) {
        self.path = path
        self.configuration = configuration
        if configuration.readOnly {
            connection = try Self.openReadOnly(path)
            try checkReadOnlySchema()
            return
        }
        try openForWriting()
    }

    /// A read-write store that keeps trying to open when it cannot at once (a read-only or full disk
    /// at boot, a data mount not there yet, a directory without permission): until it opens, every
    /// operation throws the last failure, and one that comes `interval` or more after the previous try
    /// tries again, so history starts by itself once the file can be opened. `openError` says why
    /// it is not open yet.
    public init(path: String, configuration: Configuration = Configuration(), retryingOpenEvery interval: Duration) {
        precondition(!configuration.readOnly, "a read-only store opens at once or not at all")
        self.path = path
        self.configuration = configuration
        do throws(HistoryError) { try openForWriting() } catch {
            pendingOpen = (interval, ContinuousClock.now + interval, error)
        }
    }

    /// Creates, opens, configures and migrates the file; on failure nothing stays open.
    private func openForWriting() throws(HistoryError) {
        try Self.createFileIfNeeded(path)
        do throws(SQLiteError) {
            connection = try Database(path: path)
        } catch {
            throw .cannotOpen(path: path, underlying: error)
        }
        do throws(HistoryError) {
            try configure()
            try migrate()
        } catch {
            connection?.close()
            connection = nil
            throw error
        }
        openedForWriting = true
    }

    /// Whether the database is open (false for a store still waiting to open, and after `close()`).
    public var isOpen: Bool { lock.withLock { _ in connection.map { !$0.isClosed } ?? false } }

    /// Why a store made with `retryingOpenEvery` has not opened yet (nil once open).
    public var openError: HistoryError? { lock.withLock { _ in pendingOpen?.error } }

    deinit { try? close() }

    /// Checkpoints the write-ahead log into the database file (`wal_checkpoint(TRUNCATE)`), switches
    /// the file back to rollback-journal mode when no other connection has it open, and closes the
    /// connection: after this the database is one file, without `-wal` or `-shm`. Every later call
    /// on the store throws `closed`. Idempotent; the connection is closed even when the checkpoint
    /// fails (then that error is thrown, and SQLite replays the log at the next open).
    public func close() throws(HistoryError) {
        try lock.withLock { _ throws(HistoryError) in try closeLocked() }
    }

    private func closeLocked() throws(HistoryError) {
        // A store still waiting to open stops trying.
        pendingOpen = nil
        guard let connection, !connection.isClosed else { return }
        defer { database.close() }
        guard openedForWriting else { return }
        do throws(SQLiteError) {
            try database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            // Leaving WAL mode needs the only connection; another process's reader keeps it in WAL
            // (its own close removes the files). Waiting for it is not worth delaying shutdown.
            try database.execute("PRAGMA busy_timeout = 100")
            try database.execute("PRAGMA journal_mode = DELETE")
        } catch {
            if error.code == 5 || error.code == 6 { return }  // SQLITE_BUSY, SQLITE_LOCKED: still in WAL
            throw .sqlite(error)
        }
    }

    /// The read-write connection's page cache, in KiB (default 32 MiB; SQLite's own default is 2 MiB).
    public static let pageCacheKiB = 32_768

    /// Number of migrations applied (`PRAGMA user_version`).
    public var schemaVersion: Int {
        lock.withLock { _ in
            guard let connection, !connection.isClosed else { return 0 }
            return (try? database.scalarInteger("PRAGMA user_version")).flatMap { $0 }.map(Int.init) ?? 0
        }
    }

    /// The number of migrations this build knows.
    public static var latestSchemaVersion: Int { Migrations.all.count }

    /// Runs `body` under the store lock; throws `closed` after `close()`. A store waiting to open
    /// tries first when its interval has passed, and throws why it is not open otherwise.
    func locked<T>(_ body: () throws(HistoryError) -> T) throws(HistoryError) -> T {
        let result: Result<T, HistoryError> = lock.withLock { _ in
            if connection == nil, let pending = pendingOpen {
                guard ContinuousClock.now >= pending.next else { return .failure(pending.error) }
                do throws(HistoryError) { try openForWriting() } catch {
                    pendingOpen = (pending.interval, ContinuousClock.now + pending.interval, error)
                    return .failure(error)
                }
                pendingOpen = nil
            }
            guard let connection, !connection.isClosed else { return .failure(.closed(path: path)) }
            do throws(HistoryError) { return .success(try body()) } catch { return .failure(error) }
        }
        return try result.get()
    }

    private func configure() throws(HistoryError) {
        do throws(SQLiteError) {
            try database.execute("PRAGMA busy_timeout = \(Self.busyTimeoutMilliseconds)")
            try database.execute("PRAGMA foreign_keys = ON")
        } catch {
            throw .cannotOpen(path: path, underlying: error)
        }
        // Before anything writes (the journal-mode switch rewrites the header): a file from a newer
        // lanscope is left exactly as it was. Also the first statement that reads the file header:
        // junk bytes fail here with SQLITE_NOTADB.
        let current = try storedVersion()
        guard current <= Migrations.all.count else {
            throw .schemaTooNew(path: path, found: current, supported: Migrations.all.count)
        }
        let mode: String?
        do throws(HistoryError) {
            mode = try database.scalarText("PRAGMA journal_mode = WAL")
        } catch {
            if case .sqlite(let underlying) = error { throw .cannotOpen(path: path, underlying: underlying) }
            throw error
        }
        guard mode?.lowercased() == "wal" else { throw .walUnavailable(path: path, journalMode: mode ?? "unknown") }
        do throws(SQLiteError) {
            // NORMAL is durable across application crashes in WAL mode; a power cut may lose the
            // last transactions, never consistency (sqlite.org/pragma.html#pragma_synchronous).
            try database.execute("PRAGMA synchronous = NORMAL")
            // Live samples touch one leaf page per active device per interval (they are keyed by device
            // first, for the views), and a large replay batch's evidence upserts touch the evidence table
            // and its index: a page cache that holds those pages saves re-reading them from the OS at every
            // batch. At most `pageCacheKiB` of memory, only as pages are used.
            try database.execute("PRAGMA cache_size = -\(Self.pageCacheKiB)")
        } catch {
            throw .cannotOpen(path: path, underlying: error)
        }
    }

    /// `PRAGMA user_version`, with a failure reported as `cannotOpen` (it is the first read).
    private func storedVersion() throws(HistoryError) -> Int {
        do throws(HistoryError) {
            return Int(try database.scalarInteger("PRAGMA user_version") ?? 0)
        } catch {
            if case .sqlite(let underlying) = error { throw .cannotOpen(path: path, underlying: underlying) }
            throw error
        }
    }

    private func migrate() throws(HistoryError) {
        let current = try storedVersion()
        let migrations = Migrations.all
        guard current <= migrations.count else {
            throw .schemaTooNew(path: path, found: current, supported: migrations.count)
        }
        for version in (current + 1)..<(migrations.count + 1) {
            let sql = migrations[version - 1]
            let path = self.path
            let database = self.database
            do throws(HistoryError) {
                try database.transaction { () throws(HistoryError) in
                    do throws(SQLiteError) {
                        try database.execute(sql)
                        try database.execute("PRAGMA user_version = \(version)")
                    } catch {
                        throw .migrationFailed(path: path, version: version, underlying: error)
                    }
                }
            } catch {
                if case .sqlite(let underlying) = error {
                    throw .migrationFailed(path: path, version: version, underlying: underlying)
                }
                throw error
            }
        }
    }

    /// Opens `path` read-only. A WAL-mode file (one left by a service that did not stop cleanly, or
    /// that is still running) is read through its `-wal`/`-shm`, which SQLite creates when missing;
    /// where it cannot (a read-only mount), the file is opened `immutable`: exactly what the main
    /// file holds, without locks (nothing can change a file on a read-only mount).
    private static func openReadOnly(_ path: String) throws(HistoryError) -> Database {
        let database: Database
        do throws(SQLiteError) {
            database = try Database(path: path, access: .readOnly)
            try database.execute("PRAGMA busy_timeout = \(busyTimeoutMilliseconds)")
        } catch {
            throw .cannotOpen(path: path, underlying: error)
        }
        do throws(HistoryError) {
            _ = try database.scalarInteger("PRAGMA user_version")
            return database
        } catch {
            // SQLITE_CANTOPEN (the -shm cannot be created) or SQLITE_READONLY_* (cannot initialise it).
            guard case .sqlite(let underlying) = error, underlying.code == 14 || underlying.code == 8 else {
                if case .sqlite(let underlying) = error { throw .cannotOpen(path: path, underlying: underlying) }
                throw error
            }
        }
        database.close()
        do throws(SQLiteError) {
            return try Database(path: path, access: .immutable)
        } catch {
            throw .cannotOpen(path: path, underlying: error)
        }
    }

    private func checkReadOnlySchema() throws(HistoryError) {
        let current = try storedVersion()
        let supported = Migrations.all.count
        if current > supported { throw .schemaTooNew(path: path, found: current, supported: supported) }
        if current < supported { throw .schemaTooOld(path: path, found: current, supported: supported) }
    }

    /// Creates missing parent directories with mode 0700 and the file itself with mode 0600, so
    /// SQLite (whose `-wal` and `-shm` files copy the database file's mode) never creates anything
    /// readable by others, whatever the umask. An existing file keeps its mode.
    private static func createFileIfNeeded(_ path: String) throws(HistoryError) {
        let parent = parentDirectory(of: path)
        if !parent.isEmpty { try makeDirectories(parent) }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw .cannotCreateFile(path: path, errno: errno) }
        Glibc.close(fd)
    }

    private static func makeDirectories(_ directory: String) throws(HistoryError) {
        var info = stat()
        if stat(directory, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw .cannotCreateDirectory(path: directory, errno: ENOTDIR)
            }
            return
        }
        let parent = parentDirectory(of: directory)
        if !parent.isEmpty && parent != directory { try makeDirectories(parent) }
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw .cannotCreateDirectory(path: directory, errno: errno)
        }
    }

    static func parentDirectory(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        if slash == trimmed.startIndex { return "/" }
        return String(trimmed[..<slash])
    }

    private static func joined(_ base: String, _ relative: String) -> String {
        base.hasSuffix("/") ? base + relative : base + "/" + relative
    }
}
