import Foundation
import HTTPServer
import Testing

/// Every fuzz seed (and any crasher kept beside them) parses the same whole and byte by byte, without trapping.
@Suite struct FuzzSeedTests {
    static func seeds() throws -> [URL] {
        let directory = try #require(Bundle.module.url(forResource: "Fixtures/fuzz-seeds", withExtension: nil))
        return try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    func outcomes(_ bytes: [UInt8], chunk: Int) -> [String] {
        var parser = HTTPRequestParser(
            limits: HTTPServer.Limits(
                maxRequestLineBytes: 256, maxHeaderBytes: 512,
                maxHeaderCount: 8, maxBodyBytes: 128))
        var results: [String] = []
        var offset = 0
        while offset < bytes.count {
            parser.append(bytes[offset..<min(offset + chunk, bytes.count)])
            offset += chunk
            do {
                while let request = try parser.nextRequest() { results.append("\(request.method) \(request.target)") }
            } catch {
                results.append("error \(error.status.code)")
                return results
            }
        }
        return results
    }

    @Test func fuzzSeeds_parseIdentically_wholeAndByteByByte() throws {
        let seeds = try Self.seeds()
        #expect(seeds.count >= 6)
        for seed in seeds {
            let bytes = Array(try Data(contentsOf: seed))
            #expect(outcomes(bytes, chunk: bytes.count) == outcomes(bytes, chunk: 1), "\(seed.lastPathComponent)")
        }
        let metrics = try #require(seeds.first { $0.lastPathComponent == "get-metrics.http" })
        #expect(outcomes(Array(try Data(contentsOf: metrics)), chunk: 1) == ["GET /metrics"])
        let smuggling = try #require(seeds.first { $0.lastPathComponent == "smuggling.http" })
        #expect(outcomes(Array(try Data(contentsOf: smuggling)), chunk: 5) == ["error 400"])
    }
}
