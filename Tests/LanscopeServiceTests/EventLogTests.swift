import Foundation
import Logging
import Synchronization
import Testing

@testable import LanscopeService

/// Every event is logged with the device's identity, and device-supplied text cannot forge log lines.
@Suite struct EventLogTests {
    final class Captured: @unchecked Sendable {
        let lines = Mutex<[String]>([])
    }

    struct CapturingHandler: LogHandler {
        let sink: Captured
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            sink.lines.withLock { $0.append("\(event.level) \(event.message) \(fields.joined(separator: " "))") }
        }
    }

    func replay(_ capture: String) throws -> [String] {
        let sink = Captured()
        var configuration = ServiceConfiguration(source: .file(capture))
        configuration.listen = "127.0.0.1:0"
        configuration.ouiPath = TestPaths.ouiFixture
        let logger = Logger(label: "test") { _ in CapturingHandler(sink: sink) }
        let service = try Service(configuration: configuration, logger: logger, processMetrics: { [] })
        service.runCaptureInline()
        return sink.lines.withLock { $0 }
    }

    @Test func newDevice_isLoggedWithMACAddressVendorAndHostname() throws {
        let lines = try replay(TestPaths.sampleCapture).filter { $0.contains("kind=new_device") }
        #expect(lines.count == 7)
        let sonos = try #require(lines.first { $0.contains("mac=5c:aa:fd:44:55:66") })
        #expect(sonos.hasPrefix("info new device 5c:aa:fd:44:55:66"))
        #expect(sonos.contains("vendor=Sonos, Inc."))
        #expect(sonos.contains("hostname=Sonos-Kitchen"))
        #expect(lines.contains { $0.contains("ip=192.168.50.") }, "a device whose first frame carries its address")
    }

    @Test func hostileDeviceText_cannotBreakALogLine() throws {
        let lines = try replay(TestPaths.hostileCapture).filter { $0.contains("kind=") }
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { !$0.contains("\n") && !$0.contains("\u{1b}") })
    }
}

/// Listening on every interface without authentication is logged as a warning at start-up.
@Suite struct ExposureWarningTests {
    func startupLog(listen: String) throws -> [String] {
        let sink = EventLogTests.Captured()
        var configuration = ServiceConfiguration(source: .file(TestPaths.sampleCapture))
        configuration.listen = listen
        configuration.ouiPath = TestPaths.ouiFixture
        let logger = Logger(label: "test") { _ in EventLogTests.CapturingHandler(sink: sink) }
        let service = try Service(configuration: configuration, logger: logger, processMetrics: { [] })
        _ = try service.startServerOnly()
        service.stop()
        return sink.lines.withLock { $0 }
    }

    @Test func everyInterfaceWithoutAuthentication_isWarned() throws {
        #expect(
            try startupLog(listen: ":0").contains {
                $0.hasPrefix("warning serving the device inventory on every interface")
            })
        #expect(try startupLog(listen: "0.0.0.0:0").contains { $0.contains("without authentication") })
        #expect(!(try startupLog(listen: "127.0.0.1:0").contains { $0.contains("without authentication") }))
    }
}
