import Foundation
import HTTPServer
import Logging

@testable import LanscopeService

/// Paths and helpers shared by the service tests.
enum TestPaths {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let repositoryRoot = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
    static let sampleCapture = repositoryRoot.appendingPathComponent("deploy/samples/lan.pcap").path
    static let hostileCapture = testsDirectory.appendingPathComponent("Fixtures/hostile.pcap").path
    static let goldenDirectory = testsDirectory.appendingPathComponent("Golden")
    /// A pinned excerpt of the IEEE registry (Debian's ieee-data) for the sample and hostile captures'
    /// vendors, so golden files do not change with the host's copy of the registry.
    static let ouiFixture = testsDirectory.appendingPathComponent("Fixtures/oui").path
    static let exposition = repositoryRoot.appendingPathComponent("Tests/Scripts/parse-exposition.py").path
    static let executable = repositoryRoot.appendingPathComponent(".build/debug/lanscope").path

    /// The public capture corpus (never copied into the repository).
    static var corpus: String? {
        let path =
            ProcessInfo.processInfo.environment["LANSCOPE_PCAP_CORPUS"]
            ?? repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/pcaps").path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    static func temporaryDirectory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lanscope-test-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// A service replaying a capture file in-process, with deterministic clock and no process metrics.
func makeReplayedService(
    capture: String, database: String? = nil, listen: String = "127.0.0.1:0",
    deviceTrafficBreakdown: Bool = false, bearerTokenFile: String? = nil
) throws -> Service {
    var configuration = ServiceConfiguration(source: .file(capture))
    configuration.bearerTokenFile = bearerTokenFile
    configuration.listen = listen
    configuration.metrics.deviceTrafficBreakdown = deviceTrafficBreakdown
    configuration.databasePath = database
    configuration.ouiPath = TestPaths.ouiFixture
    configuration.metrics.scrapeTimer = FakeScrapeTimer().next
    let service = try Service(configuration: configuration, logger: Logger(label: "test"), processMetrics: { [] })
    service.runCaptureInline()
    return service
}

/// Monotonic time that advances 1 µs per read, so per-collector durations are byte-stable in goldens.
final class FakeScrapeTimer: @unchecked Sendable {
    private var now: UInt64 = 0
    private let lock = NSLock()
    var next: @Sendable () -> UInt64 {
        { [self] in
            lock.lock(); defer { lock.unlock() }; now += 1_000; return now
        }
    }
}

func get(_ service: Service, _ target: String, headers: [(String, String)] = []) -> HTTPResponse {
    var h = HTTPHeaders()
    for (n, v) in headers { h.add(name: n, value: v) }
    let request = HTTPRequest(method: "GET", target: target, headers: h)
    return service.routes.handle(request)
}

/// Golden comparison: byte-exact; `LANSCOPE_RECORD_GOLDEN=1` rewrites the file and fails the test, so a
/// recording run can never pass by accident.
func assertGolden(_ actual: [UInt8], _ name: String) -> String? {
    let url = TestPaths.goldenDirectory.appendingPathComponent(name)
    if ProcessInfo.processInfo.environment["LANSCOPE_RECORD_GOLDEN"] == "1" {
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? Data(actual).write(to: url)
        return "recorded \(name); re-run without LANSCOPE_RECORD_GOLDEN to compare"
    }
    guard let expected = try? Data(contentsOf: url) else {
        return "missing golden file \(name); record with LANSCOPE_RECORD_GOLDEN=1"
    }
    if Array(expected) == actual { return nil }
    let a = String(decoding: actual, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    let e = String(decoding: expected, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    for i in 0..<max(a.count, e.count) where (i < a.count ? a[i] : "<eof>") != (i < e.count ? e[i] : "<eof>") {
        return
            "\(name) differs at line \(i + 1):\n  expected: \(i < e.count ? String(e[i]) : "<eof>")\n  actual:   \(i < a.count ? String(a[i]) : "<eof>")"
    }
    return "\(name) differs"
}

/// Runs a process to completion with a timeout; returns (status, stdout, stderr).
@discardableResult
func run(_ executable: String, _ arguments: [String], input: Data? = nil, timeout: TimeInterval = 60) throws -> (
    Int32, String, String
) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let out = Pipe(), err = Pipe(), inp = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = inp
    try process.run()
    if let input { inp.fileHandleForWriting.write(input) }
    try? inp.fileHandleForWriting.close()
    final class Sink: @unchecked Sendable { var data = Data() }
    let outSink = Sink(), errSink = Sink()
    let group = DispatchGroup()
    group.enter();
    DispatchQueue.global().async {
        outSink.data = out.fileHandleForReading.readDataToEndOfFile(); group.leave()
    }
    group.enter();
    DispatchQueue.global().async {
        errSink.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave()
    }
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(20_000) }
    if process.isRunning { process.terminate() }
    process.waitUntilExit()
    group.wait()
    return (
        process.terminationStatus, String(decoding: outSink.data, as: UTF8.self),
        String(decoding: errSink.data, as: UTF8.self)
    )
}

func which(_ tool: String) -> String? {
    for dir in ["/usr/bin", "/usr/sbin", "/bin", "/usr/local/bin"]
    where FileManager.default.isExecutableFile(atPath: "\(dir)/\(tool)") {
        return "\(dir)/\(tool)"
    }
    return nil
}
