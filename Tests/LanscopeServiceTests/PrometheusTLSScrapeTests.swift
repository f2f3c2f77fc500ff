import Foundation
import HTTPServer
import Logging
import Testing

@testable import LanscopeService
@testable import TestSupport

/// A real Prometheus scrapes lanscope over HTTPS (`scheme: https`, `tls_config.ca_file`) and over mutual
/// TLS (plus `cert_file`/`key_file`); a job without a client certificate is refused by the mTLS sensor.
@Suite(.serialized) struct PrometheusTLSScrapeTests {
    func makeService(webConfig: String) throws -> Service {
        var configuration = ServiceConfiguration(source: .file(TestPaths.sampleCapture))
        configuration.listen = "127.0.0.1:0"
        configuration.ouiPath = TestPaths.ouiFixture
        configuration.basicAuthUsersFile = webConfig
        let service = try Service(configuration: configuration, logger: Logger(label: "test"), processMetrics: { [] })
        service.runCaptureInline()
        return service
    }

    @Test(.enabled(if: TestCertificates.opensslPath != nil, "needs the openssl CLI"))
    func realPrometheus_scrapesOverTLS_andMutualTLS_andIsRefusedWithoutAClientCertificate() throws {
        guard let prometheus = RealPrometheus.binary else {
            Issue.record("prometheus missing: apt-get install prometheus (make deps)")
            return
        }
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let tls = try makeService(webConfig: try certificates.webConfig(name: "tls.yml"))
        defer { tls.stop() }
        let tlsPort = try #require(try tls.startServerOnly().first)
        let mutual = try makeService(
            webConfig: try certificates.webConfig(
                "client_auth_type: RequireAndVerifyClientCert\nclient_ca_file: \(certificates.caCertificate)",
                name: "mtls.yml"))
        defer { mutual.stop() }
        let mutualPort = try #require(try mutual.startServerOnly().first)

        let dir = certificates.directory
        let config = """
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: tls
                scheme: https
                tls_config:
                  ca_file: \(certificates.caCertificate)
                static_configs:
                  - targets: ['127.0.0.1:\(tlsPort)']
              - job_name: mtls
                scheme: https
                tls_config:
                  ca_file: \(certificates.caCertificate)
                  cert_file: \(certificates.clientCertificate)
                  key_file: \(certificates.clientKey)
                static_configs:
                  - targets: ['127.0.0.1:\(mutualPort)']
              - job_name: mtls-without-certificate
                scheme: https
                tls_config:
                  ca_file: \(certificates.caCertificate)
                static_configs:
                  - targets: ['127.0.0.1:\(mutualPort)']
            """
        let real = try RealPrometheus(binary: prometheus, config: config, directory: dir)
        defer { real.stop() }

        /// job → (health, lastError) from Prometheus's /api/v1/targets.
        func targets() -> [String: (health: String, error: String)] {
            guard
                let active = (real.api("/api/v1/targets")?["data"] as? [String: Any])?["activeTargets"]
                    as? [[String: Any]]
            else { return [:] }
            var result: [String: (String, String)] = [:]
            for target in active {
                guard let job = (target["labels"] as? [String: Any])?["job"] as? String else { continue }
                result[job] = (target["health"] as? String ?? "", target["lastError"] as? String ?? "")
            }
            return result
        }
        // Bounded wait: Prometheus starts and scrapes every second.
        var seen: [String: (health: String, error: String)] = [:]
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            seen = targets()
            if seen["tls"]?.health == "up" && seen["mtls"]?.health == "up"
                && seen["mtls-without-certificate"]?.health == "down"
            {
                break
            }
            Thread.sleep(forTimeInterval: 0.5)
        }
        #expect(seen["tls"]?.health == "up", "\(seen)")
        #expect(seen["mtls"]?.health == "up", "\(seen)")
        #expect(seen["mtls-without-certificate"]?.health == "down", "\(seen)")
        #expect(seen["mtls-without-certificate"]?.error.isEmpty == false)

        // The scraped data is the inventory's (the sample capture has 7 devices).
        let query = "count(lanscope_device_info{job=\"mtls\"})"
            .addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        var count: String?
        for _ in 0..<20 {
            if let result = (real.api("/api/v1/query?query=\(query)")?["data"] as? [String: Any])?["result"]
                as? [[String: Any]],
                let value = (result.first?["value"] as? [Any])?.last as? String
            {
                count = value
                break
            }
            Thread.sleep(forTimeInterval: 0.5)
        }
        #expect(count == "7")
        // The mTLS sensor counts the handshakes it refused (the job without a certificate), and Prometheus
        // reads that count through the job with one.
        let refused = "lanscope_http_tls_handshakes_total{job=\"mtls\",result=\"failed\"}"
            .addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        var failed = 0.0
        for _ in 0..<20 {
            if let result = (real.api("/api/v1/query?query=\(refused)")?["data"] as? [String: Any])?["result"]
                as? [[String: Any]],
                let value = ((result.first?["value"] as? [Any])?.last as? String).flatMap(Double.init), value > 0
            {
                failed = value
                break
            }
            Thread.sleep(forTimeInterval: 0.5)
        }
        #expect(failed > 0)
    }

    @Test(.enabled(if: TestCertificates.opensslPath != nil, "needs the openssl CLI"))
    func service_refusesABadTLSConfiguration_atStart_namingIt() throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let path = try certificates.webConfig(key: certificates.secondServerKey)
        let service = try makeService(webConfig: path)
        defer { service.stop() }
        do {
            _ = try service.startServerOnly()
            Issue.record("a key that does not match its certificate was accepted")
        } catch {
            #expect("\(error)".contains("\(path): tls_server_config.key_file: "), "\(error)")
            #expect("\(error)".contains("does not match cert_file"), "\(error)")
        }
        let unknown = try certificates.webConfig("cipher_suites: [TLS_AES_128_GCM_SHA256]", name: "unknown.yml")
        let second = try makeService(webConfig: unknown)
        defer { second.stop() }
        #expect(throws: ServiceError.self) { _ = try second.startServerOnly() }
    }

    @Test(.enabled(if: TestCertificates.opensslPath != nil, "needs the openssl CLI"))
    func sighup_reloadsTheCertificate_andTheServiceKeepsServing() throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let port = freeLoopbackPort()
        let log = certificates.directory + "/lanscope.log"
        #expect(FileManager.default.createFile(atPath: log, contents: nil))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.executable)
        process.arguments = [
            "run", "--pcap", TestPaths.sampleCapture, "--no-db", "--listen", "127.0.0.1:\(port)",
            "--web-config-file", try certificates.webConfig(),
        ]
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        defer {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
        func healthy() throws -> Bool {
            let (status, out, _) = try run(
                "/usr/bin/curl",
                [
                    "-s", "--max-time", "2", "--cacert", certificates.caCertificate,
                    "https://127.0.0.1:\(port)/-/healthy",
                ],
                timeout: 5)
            return status == 0 && !out.isEmpty
        }
        var up = false
        for _ in 0..<100 where !up {
            up = try healthy()
            if !up { Thread.sleep(forTimeInterval: 0.1) }
        }
        try #require(up, "lanscope did not serve HTTPS: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        // Unchanged files: only the signal (not the change check) reloads them.
        kill(process.processIdentifier, SIGHUP)
        var text = ""
        for _ in 0..<50 {
            text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if text.contains("TLS certificate reloaded") { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(text.contains("SIGHUP"), "\(text)")
        #expect(text.contains("TLS certificate reloaded"), "\(text)")
        #expect(process.isRunning)
        #expect(try healthy())
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}
