// libFuzzer entry point for the HTTP request parser. Build:
//   swift build -c release --product FuzzHTTP --sanitize=fuzzer --sanitize=address \
//       -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table
// (SwiftPM passes the two sanitizers as separate -sanitize= flags and the last one wins, which drops the
// fuzzer's coverage instrumentation; the explicit -sanitize-coverage restores it.)
// Run with the seed corpus in Tests/HTTPServerTests/Fixtures/fuzz-seeds.
//
// Besides "never crash", it checks one invariant: feeding the input in one piece or split in two
// (at a point chosen by the first byte) yields the same requests or the same error status.
import HTTPServer

// libFuzzer supplies `main`, so top-level code here never runs: keep state in lazily initialised statics.
private enum FuzzLimits {
    static let small = HTTPServer.Limits(
        maxRequestLineBytes: 256, maxHeaderBytes: 512, maxHeaderCount: 8,
        maxBodyBytes: 128)
}

private func parse(_ bytes: UnsafeBufferPointer<UInt8>, splitAt split: Int) -> [String] {
    var parser = HTTPRequestParser(limits: FuzzLimits.small)
    var results: [String] = []
    for part in [bytes[..<split], bytes[split...]] {
        parser.append(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: part)))
        // Each request consumes at least one byte, so this is bounded by the input size.
        for _ in 0...bytes.count {
            do {
                guard let request = try parser.nextRequest() else { break }
                let headers = request.headers.map { "\($0.name):\($0.value)" }.joined(separator: "\n")
                let query = request.query.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
                results.append(
                    "\(request.method) \(request.target) \(request.path) \(query) \(request.version) "
                        + "\(headers) \(request.body.count) keepAlive=\(request.wantsKeepAlive)")
            } catch {
                results.append("error \(error.status.code)")
                return results
            }
        }
    }
    return results
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let whole = parse(bytes, splitAt: size)
    let split = size == 0 ? 0 : Int(bytes[0]) % (size + 1)
    let pieces = parse(bytes, splitAt: split)
    if whole != pieces {
        fatalError("chunking changed the result: \(whole) vs \(pieces)")
    }
    _ = HTTPRequest(method: "GET", target: String(decoding: bytes, as: UTF8.self))
    return 0
}
