import Foundation
import Glibc
import HTTPServer
import History
import LanscopeCore
import Logging
import Synchronization
import TestSupport
import Testing

@testable import LanscopeService

/// The history database on a small tmpfs that fills up, then on a file system remounted read-only:
/// the service keeps serving, counts and logs the failures once, and writes again when it can.
@Suite(.serialized, .needsRoot) struct HistoryFullDiskPrivilegedTests {
    final class Lines: @unchecked Sendable {
        let lines = Mutex<[String]>([])
        func contains(_ text: String) -> Bool { lines.withLock { $0.contains { $0.contains(text) } } }
        func count(_ text: String) -> Int { lines.withLock { $0.filter { $0.contains(text) }.count } }
    }

    struct Handler: LogHandler {
        let sink: Lines
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) { sink.lines.withLock { $0.append("\(event.level) \(event.message)") } }
    }

    /// A tmpfs of `size` mounted on a fresh directory; unmounted by `unmount()`.
    struct SmallDisk {
        let path: String
        init(size: String) throws {
            path = TestPaths.temporaryDirectory().path
            let (status, _, err) = try run(
                "/bin/mount", ["-t", "tmpfs", "-o", "size=\(size),mode=0700", "tmpfs", path])
            try #require(status == 0, "mount tmpfs: \(err)")
        }
        func remount(_ options: String) throws {
            let (status, _, err) = try run("/bin/mount", ["-o", "remount,\(options)", path])
            try #require(status == 0, "remount \(options): \(err)")
        }
        func unmount() {
            _ = try? run("/bin/umount", [path])
            rmdir(path)
        }
    }

    /// Fills the file system holding `path` with one file; returns it.
    static func fill(_ directory: String) -> String {
        let filler = directory + "/filler"
        let fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let chunk = [UInt8](repeating: 0xAB, count: 16 * 1024)
        var blocks = 0
        while blocks < 100_000, chunk.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 { blocks += 1 }
        // The last few bytes too.
        while blocks < 200_000, chunk.withUnsafeBytes({ write(fd, $0.baseAddress, 512) }) > 0 { blocks += 1 }
        close(fd)
        return filler
    }

    static func batch(_ n: Int) -> HistoryBatch {
        let start = Timestamp(seconds: 1_800_000_000 + Int64(n) * 10)
        return HistoryBatch(
            samples: (0..<2_000).map { d in
                TrafficSample(
                    mac: MACAddress(rawValue: 0x0200_0000_0000 | UInt64(d)), start: start, seconds: 10,
                    transmittedBytes: 100, transmittedPackets: 1)
            })
    }

    /// Waits (≤ 20 s) until `condition` holds.
    static func eventually(_ condition: () -> Bool) -> Bool {
        for _ in 0..<400 {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }

    func makeService(database: String, log: Lines, retry: Duration = .seconds(30)) throws -> Service {
        var configuration = ServiceConfiguration(source: .file(TestPaths.sampleCapture))
        configuration.listen = "127.0.0.1:0"
        configuration.databasePath = database
        configuration.databaseRetryInterval = retry
        configuration.ouiPath = TestPaths.ouiFixture
        let logger = Logger(label: "test") { _ in Handler(sink: log) }
        let service = try Service(configuration: configuration, logger: logger, processMetrics: { [] })
        service.runCaptureInline()
        return service
    }

    func storeErrors(_ service: Service) -> Double? {
        let body = String(decoding: get(service, "/metrics").body, as: UTF8.self)
        let line = body.split(separator: "\n").first { $0.hasPrefix("lanscope_store_errors_total ") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    @Test func fullDisk_countsAndLogsErrors_keepsServing_andResumesWhenSpaceReturns() throws {
        let disk = try SmallDisk(size: "2m")
        defer { disk.unmount() }
        let log = Lines()
        let service = try makeService(database: disk.path + "/lanscope.db", log: log)
        let writer = try #require(service.writer)
        let filler = Self.fill(disk.path)
        for n in 0..<3 { writer.enqueue(Self.batch(n)) }
        #expect(Self.eventually { service.counters.storeCounters().errors >= 3 })
        // Capture side and HTTP go on: the scrape answers and shows the errors.
        #expect(get(service, "/metrics").status == 200)
        #expect((storeErrors(service) ?? 0) >= 3)
        #expect(get(service, "/devices.json").status == 200)
        // One line for the failure, not one per batch.
        #expect(log.count("history write failed") == 1)

        unlink(filler)
        let writes = service.counters.storeCounters().writes
        writer.enqueue(Self.batch(10))
        #expect(Self.eventually { service.counters.storeCounters().writes > writes })
        #expect(log.contains("history writes resumed"))
        let store = try #require(service.history)
        #expect(try store.samples(for: MACAddress(rawValue: 0x0200_0000_0000), since: nil).count == 1)
        #expect(try store.integrityCheck() == "ok")
        service.stop()
    }

    /// Linux refuses to remount a file system read-only while a file on it is open for writing, so a
    /// disk cannot turn read-only under a running store (short of the kernel's own errors=remount-ro,
    /// which then fails writes as above). What can happen is a start on a read-only disk: the service
    /// runs without history, says so, and opens the database once the disk is writable again.
    @Test func readOnlyDisk_atStart_isReported_andHistoryStartsWhenTheDiskIsWritable() throws {
        let disk = try SmallDisk(size: "8m")
        defer { disk.unmount() }
        let path = disk.path + "/lanscope.db"
        do {
            let store = try HistoryStore(path: path)
            try store.write(Self.batch(0))
            try store.close()
        }
        try disk.remount("ro")
        let log = Lines()
        let service = try makeService(database: path, log: log, retry: .milliseconds(200))
        let store = try #require(service.history)
        #expect(!store.isOpen)
        #expect(store.openError != nil)
        #expect(service.counters.storeCounters().errors >= 1)
        #expect(get(service, "/metrics").status == 200)
        #expect((storeErrors(service) ?? 0) >= 1)
        #expect(get(service, "/devices.json").status == 200)
        #expect(get(service, "/devices/02:00:00:00:00:00/history.json").status == 503)
        #expect(log.contains("history database unavailable"))
        // Still read-only: a write after the retry interval tries again and fails.
        let writer = try #require(service.writer)
        usleep(300_000)
        let errors = service.counters.storeCounters().errors
        writer.enqueue(Self.batch(1))
        #expect(Self.eventually { service.counters.storeCounters().errors > errors })
        #expect(!store.isOpen)

        try disk.remount("rw")
        usleep(300_000)
        let writes = service.counters.storeCounters().writes
        writer.enqueue(Self.batch(2))
        #expect(Self.eventually { service.counters.storeCounters().writes > writes })
        #expect(store.isOpen && store.openError == nil)
        #expect(log.contains("history writes resumed"))
        // What was stored before the read-only start is there, and the new batch with it.
        #expect(try store.samples(for: MACAddress(rawValue: 0x0200_0000_0000), since: nil).count == 2)
        #expect(get(service, "/devices/02:00:00:00:00:00/history.json").status == 200)
        #expect(try store.integrityCheck() == "ok")
        service.stop()
    }
}
