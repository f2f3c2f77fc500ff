import Exposition
import Foundation
import TestSupport
import Testing

@Suite struct GzipTests {
    @Test func compress_roundTripsThroughGzipTool_exposition() throws {
        let bytes = ExpositionEncoder.encode(RepresentativeModel.metricFamilies(), format: .prometheusText)
        let compressed = try Gzip.compress(bytes)
        #expect(compressed.starts(with: [0x1F, 0x8B]))
        #expect(compressed.count < bytes.count)
        let result = try TestFiles.run("/bin/gzip", ["-dc"], input: compressed)
        #expect(result.status == 0, "gzip: \(result.stderr)")
        #expect(Array(result.stdout.utf8) == bytes)
    }

    @Test(arguments: [0, 1, 6, 9] as [Int32])
    func compress_roundTripsThroughZlibInflate_eachLevel(level: Int32) throws {
        var generator = SplitMix64(seed: UInt64(level))
        let bytes = (0..<100_000).map { i in i % 3 == 0 ? UInt8.random(in: 0...255, using: &generator) : UInt8(i % 7) }
        #expect(try Gzip.decompress(Gzip.compress(bytes, level: level)) == bytes)
    }

    @Test func compress_producesValidStream_emptyInput() throws {
        let compressed = try Gzip.compress([])
        #expect(try Gzip.decompress(compressed) == [])
        #expect(try TestFiles.run("/bin/gzip", ["-dc"], input: compressed).status == 0)
    }

    @Test func compress_throws_invalidLevel() {
        #expect(throws: GzipError.invalidLevel(10)) { try Gzip.compress([1, 2, 3], level: 10) }
    }

    @Test func decompress_throws_truncatedOrGarbageOrOversized() throws {
        let compressed = try Gzip.compress(Array(repeating: 0x41, count: 10_000))
        #expect(throws: GzipError.truncated) { try Gzip.decompress(Array(compressed.dropLast(12))) }
        #expect(throws: GzipError.self) { try Gzip.decompress([0x00, 0x01, 0x02, 0x03]) }
        #expect(throws: GzipError.outputTooLarge(1000)) { try Gzip.decompress(compressed, maxOutput: 1000) }
    }
}
