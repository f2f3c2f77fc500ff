import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The history database: one SQLite file in WAL mode. Every public method takes the store's lock
/// for its whole duration, so operations from several threads run one after another and a batch
/// is always one transaction; other processes (a `lanscope devices` next to the service) are kept
/// apart by SQLite's own file locking, waiting up to `busyTimeoutMilliseconds`.
public final class HistoryStore: @unchecked Sendable {
    /// How long a statement waits for another process's lock before failing with `SQLITE_BUSY`.
    /// Default 5000 ms.
    public static let busyTimeoutMilliseconds = 5000

    public let path: String
    let database: Database
    let lock = NSLock()

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

    /// Opens the database at `path`, creating it (mode 0600) and any missing parent directories
    /// (mode 0700) first, and applies the migrations it has not seen yet. A symbolic link at `path`
    /// itself is refused (`ELOOP`), so the store never writes through a link planted in its place.
    public init(path: String) throws(HistoryError) {
        self.path = path
        try Self.createFileIfNeeded(path)
        do throws(SQLiteError) {
            database = try Database(path: path)
        } catch {
            throw .cannotOpen(path: path, underlying: error)
        }
        try configure()
        try migrate()
    }

    /// Number of migrations applied (`PRAGMA user_version`).
    public var schemaVersion: Int {
        lock.lock()
        defer { lock.unlock() }
        return (try? database.scalarInteger("PRAGMA user_version")).flatMap { $0 }.map(Int.init) ?? 0
    }

    /// The number of migrations this build knows.
    public static var latestSchemaVersion: Int { Migrations.all.count }

    /// Runs `body` under the store lock.
    func locked<T>(_ body: () throws(HistoryError) -> T) throws(HistoryError) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    private func configure() throws(HistoryError) {
        do throws(SQLiteError) {
            try database.execute("PRAGMA busy_timeout = \(Self.busyTimeoutMilliseconds)")
            try database.execute("PRAGMA foreign_keys = ON")
        } catch {
            throw .cannotOpen(path: path, underlying: error)
        }
        let mode: String?
        // The first statement that reads the file header: junk bytes fail here with SQLITE_NOTADB.
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
        } catch {
            throw .cannotOpen(path: path, underlying: error)
        }
    }

    private func migrate() throws(HistoryError) {
        let current: Int
        do throws(HistoryError) {
            current = Int(try database.scalarInteger("PRAGMA user_version") ?? 0)
        } catch {
            if case .sqlite(let underlying) = error { throw .cannotOpen(path: path, underlying: underlying) }
            throw error
        }
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

    /// Creates missing parent directories with mode 0700 and the file itself with mode 0600, so
    /// SQLite (whose `-wal` and `-shm` files copy the database file's mode) never creates anything
    /// readable by others, whatever the umask. An existing file keeps its mode.
    private static func createFileIfNeeded(_ path: String) throws(HistoryError) {
        let parent = parentDirectory(of: path)
        if !parent.isEmpty { try makeDirectories(parent) }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw .cannotCreateFile(path: path, errno: errno) }
        close(fd)
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
