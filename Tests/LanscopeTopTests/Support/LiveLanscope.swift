import Foundation
import LanscopeTop

/// `lanscope run --pcap FILE --no-db` on a free loopback port, stopped (SIGTERM, then SIGKILL after a
/// bounded wait) when the test ends. With `webConfig` (a file with `tls_server_config`) it serves https,
/// and `tls` says how the test's own client trusts it.
final class LiveLanscope {
    let process: SpawnedProcess
    let port: UInt16
    let log: URL
    let tls: TLSClientOptions?
    var url: String { "\(tls == nil ? "http" : "https")://127.0.0.1:\(port)" }

    init(binary: String, pcap: String, webConfig: String? = nil, tls: TLSClientOptions? = nil) throws {
        port = try Self.freePort()
        self.tls = tls
        log = FileManager.default.temporaryDirectory.appendingPathComponent("lanscope-top-\(getpid())-\(port).log")
        process = try SpawnedProcess(
            binary,
            ["run", "--pcap", pcap, "--listen", "127.0.0.1:\(port)", "--no-db"]
                + (webConfig.map { ["--web-config-file", $0] } ?? []),
            outputPath: log.path)
    }

    /// Waits (bounded) until `/-/ready` answers and the device counters stopped changing (the replay
    /// has finished), then returns the devices.
    func waitUntilSettled(timeout: TimeInterval = 30) throws -> [DeviceSummary] {
        let client = APIClient(address: try ServerAddress(url), credentials: nil, tls: tls ?? TLSClientOptions())
        let deadline = Date().addingTimeInterval(timeout)
        var previous: [DeviceSummary]? = nil
        while Date() < deadline {
            if let status = exitStatus ?? process.poll() {
                exitStatus = status
                throw TmuxError(message: "lanscope exited (\(status)): \(logText())")
            }
            if (try? client.get("/-/ready")) != nil, let body = try? client.get("/devices.json") {
                let devices = try DeviceSummary.decodeList(body)
                if !devices.isEmpty, devices == previous { return devices }
                previous = devices
            }
            usleep(300_000)
        }
        throw TmuxError(message: "lanscope at \(url) did not settle within \(timeout) s: \(logText())")
    }

    func logText() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// Set once the child has been reaped.
    private var exitStatus: Int32? = nil

    func stop() {
        if exitStatus == nil {
            kill(process.pid, SIGTERM)
            exitStatus = process.wait(timeout: 10)
        }
        try? FileManager.default.removeItem(at: log)
    }

    deinit { stop() }

    /// A port the kernel just gave out on 127.0.0.1 (closed again; the race with another process taking
    /// it is accepted for a test).
    static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TmuxError(message: "socket: \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Bool in
                bind(fd, p, length) == 0 && getsockname(fd, p, &length) == 0
            }
        }
        guard bound else { throw TmuxError(message: "bind: \(errno)") }
        return UInt16(bigEndian: address.sin_port)
    }
}
