import Foundation

/// Debian's `prometheus` on a free loopback port with a given configuration and a temporary data
/// directory (inside `directory`), for tests where Prometheus is the client. `stop()` terminates it and
/// waits; its output goes nowhere (tests read its API).
final class RealPrometheus {
    let port: Int
    private let process: Process

    /// The binary, or nil when Prometheus is not installed (the caller records why).
    static var binary: String? { which("prometheus") }

    /// Writes `config` to `directory/prometheus.yml` and starts Prometheus on it.
    init(binary: String, config: String, directory: String) throws {
        let configPath = directory + "/prometheus.yml"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        port = freeLoopbackPort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--config.file=\(configPath)", "--storage.tsdb.path=\(directory)/data",
            "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
        ]
        let log = FileHandle(forWritingAtPath: "/dev/null")
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }

    /// A JSON object from Prometheus's HTTP API (`/api/v1/...`), nil when it did not answer.
    func api(_ pathAndQuery: String) -> [String: Any]? {
        guard let url = URL(string: "http://127.0.0.1:\(port)\(pathAndQuery)"),
            let (data, _) = try? syncGET(url)
        else { return nil }
        return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    }
}
