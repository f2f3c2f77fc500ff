import CaptureEBPF
import Logging
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Collects log records for assertions.
final class RecordingLogHandler: LogHandler, @unchecked Sendable {
    final class Store: @unchecked Sendable {
        private let lock = NSLockLike()
        private var records: [(Logger.Level, String, Logger.Metadata)] = []
        func append(_ record: (Logger.Level, String, Logger.Metadata)) { lock.run { records.append(record) } }
        var all: [(Logger.Level, String, Logger.Metadata)] { lock.run { records } }
    }

    let store: Store
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    init(store: Store) { self.store = store }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        store.append((event.level, event.message.description, event.metadata ?? [:]))
    }
}

/// A pthread mutex for the recording handler.
final class NSLockLike: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    func run<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }
}

@Suite(.needsRoot, .serialized)
struct LibBPFLogPrivilegedTests {
    @Test func load_libbpfMessages_reachSwiftLogAtDebug() throws {
        let store = RecordingLogHandler.Store()
        var logger = Logger(label: "lanscope.test.libbpf") { _ in RecordingLogHandler(store: store) }
        logger.logLevel = .trace
        _ = try EBPFCapture.load(.init(interface: "unused"), logger: logger)
        let libbpf = store.all.filter { $0.1 == "libbpf" }
        #expect(!libbpf.isEmpty, "libbpf reports at least its object loading at debug level")
        #expect(libbpf.allSatisfy { $0.0 == .debug })
        #expect(
            libbpf.allSatisfy { record in
                if case .string(let text) = record.2["message"] { return !text.isEmpty && !text.hasSuffix("\n") }
                return false
            })
    }
}
