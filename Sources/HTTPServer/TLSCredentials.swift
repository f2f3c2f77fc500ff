import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The server's current ``TLSContext`` and the files it came from. The event loop asks every
/// `reloadCheckInterval` whether the certificate, key or CA file changed (inode, size, mtime, ctime — an
/// atomic rename or an in-place rewrite both show); SIGHUP forces a reload. A reload that fails (a
/// half-written file, a key that does not match yet) keeps the old context and logs why; it is retried when
/// the files change again. Connections keep the context they were accepted with.
final class TLSCredentials: Sendable {
    let configuration: TLSServerConfiguration
    private let logger: Logger

    private struct State {
        var context: TLSContext
        var loadedStamps: [FileStamp]
        /// The stamps of the last attempt, so a broken file is not re-read and re-logged every check.
        var attemptedStamps: [FileStamp]
    }
    private let state: Mutex<State>

    struct FileStamp: Equatable {
        var device: UInt64 = 0
        var inode: UInt64 = 0
        var size: Int64 = 0
        var modified: Int64 = 0
        var changed: Int64 = 0
        var missing = true
    }

    /// Builds the first context; throws what is wrong with the configuration or its files.
    init(configuration: TLSServerConfiguration, logger: Logger) throws(TLSConfigurationError) {
        self.configuration = configuration
        self.logger = logger
        let stamps = Self.stamps(of: configuration)
        let context = try TLSContext(configuration)
        state = Mutex(State(context: context, loadedStamps: stamps, attemptedStamps: stamps))
    }

    var context: TLSContext { state.withLock { $0.context } }

    enum ReloadOutcome: Equatable {
        case unchanged, reloaded, failed
    }

    /// Re-reads the files when they changed since the last attempt, or always when `force` (SIGHUP).
    @discardableResult
    func reload(force: Bool) -> ReloadOutcome {
        let stamps = Self.stamps(of: configuration)
        let due = state.withLock { state -> Bool in
            guard force || stamps != state.attemptedStamps else { return false }
            state.attemptedStamps = stamps
            return true
        }
        guard due else { return .unchanged }
        do {
            let context = try TLSContext(configuration)
            state.withLock { state in
                state.context = context
                state.loadedStamps = stamps
            }
            logger.notice("TLS certificate reloaded", metadata: ["cert_file": "\(configuration.certFile)"])
            return .reloaded
        } catch {
            logger.error(
                "TLS certificate reload failed; keeping the previous certificate",
                metadata: ["error": "\(error.description)"])
            return .failed
        }
    }

    private static func stamps(of configuration: TLSServerConfiguration) -> [FileStamp] {
        [configuration.certFile, configuration.keyFile, configuration.clientCAFile].map { path in
            guard let path else { return FileStamp() }
            var status = stat()
            guard stat(path, &status) == 0 else { return FileStamp() }
            return FileStamp(
                device: UInt64(status.st_dev), inode: UInt64(status.st_ino), size: Int64(status.st_size),
                modified: Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec),
                changed: Int64(status.st_ctim.tv_sec) * 1_000_000_000 + Int64(status.st_ctim.tv_nsec),
                missing: false)
        }
    }
}
