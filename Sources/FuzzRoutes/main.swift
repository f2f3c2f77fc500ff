// libFuzzer entry point for lanscope's HTTP API as an attacker reaches it: bytes → request parser →
// router → the service's handlers, over the bundled sample LAN (deploy/samples/lan.pcap, read from the
// working directory or $LANSCOPE_FUZZ_PCAP). That covers path percent-decoding and MAC parsing
// (`/devices/{mac}.json`), the `/devices.json` and `/sd/devices.json` filters, `?since=` durations, and
// Accept / Accept-Encoding negotiation with gzip on `/metrics`. Build and run with Tests/Fuzz/run.sh; seeds in
// Tests/LanscopeServiceTests/Fixtures/fuzz-routes and Tests/HTTPServerTests/Fixtures/fuzz-seeds.
//
// Invariants: no handler answers 5xx (but `/-/ready` before capture starts), a refused query is a 400
// with a JSON error, and a duration the parser accepts is within its maximum.
import Foundation
import HTTPServer
import LanscopePipeline
import LanscopeService
import Logging

// libFuzzer supplies `main`, so top-level code here never runs: keep state in lazily initialised statics.
private enum Subject {
    static let service: Service = {
        let path = ProcessInfo.processInfo.environment["LANSCOPE_FUZZ_PCAP"] ?? "deploy/samples/lan.pcap"
        var configuration = ServiceConfiguration(source: .file(path))
        configuration.listen = "127.0.0.1:0"
        let service = try! Service(configuration: configuration, logger: Logger(label: "fuzz"), processMetrics: { [] })
        let report = ReplayRunner(pipeline: service.pipeline).replay(path: path)
        precondition(report.error == nil && report.packets > 0, "fuzz subject: cannot replay \(path)")
        service.pipeline.publishStatistics()
        return service
    }()
    static let limits = HTTPServer.Limits(
        maxRequestLineBytes: 1024, maxHeaderBytes: 2048, maxHeaderCount: 16, maxBodyBytes: 256)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    var parser = HTTPRequestParser(limits: Subject.limits)
    parser.append(bytes)
    // Each request consumes at least one byte, so this is bounded by the input size.
    for _ in 0...size {
        guard let request = try? parser.nextRequest() else { break }
        let response = Subject.service.routes.handle(request)
        if response.status.code >= 500 && request.path != "/-/ready" {
            fatalError("\(request.method) \(request.target) answered \(response.status.code)")
        }
        if response.status == .badRequest {
            guard let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
                object["error"] is String
            else { fatalError("a 400 without a JSON error for \(request.target)") }
        }
        for (_, value) in request.query {
            if let duration = try? DurationParser.parse(value) {
                precondition(duration <= DurationParser.maximum && duration >= .zero, "\(value) parsed to \(duration)")
            }
        }
    }
    return 0
}
