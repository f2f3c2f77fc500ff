@_spi(Testing) import CapturePcap
import Foundation
import LanscopeCore
import TestSupport
import Testing

/// Every file of the public corpus read by `PcapFileReader` and by libpcap alone: the same packets
/// (bytes, wire lengths, timestamps) and the same end. The corpus has no big-endian or nanosecond
/// classic file to speak of, so each classic file is also compared rewritten in the other byte
/// order and read with a small chunk size, where real records cross chunk ends.
@Suite struct ClassicPcapReaderCorpusTests {
    /// Every regular file under the corpus, whatever its name (libpcap recognises captures by
    /// their magic; the others must fail the same way both ways).
    static func corpusFiles() throws -> [URL] {
        try Corpus.require()
        let root = try #require(Corpus.root)
        let walker = try #require(
            FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]))
        var files: [URL] = []
        for case let url as URL in walker
        where (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true {
            files.append(url)
        }
        return files.sorted { $0.path < $1.path }
    }

    @Test(.needsCorpus) func corpus_readsTheSame_withOursAndLibpcap() throws {
        var classicFiles = 0
        var classicPackets = 0
        var truncated = 0
        for url in try Self.corpusFiles() {
            let ours = PcapReading.compare(url.path, label: url.path)
            let small = PcapReading.compare(url.path, chunkSize: 1000, label: "\(url.path) in 1000-byte chunks")
            #expect(small.classic == ours.classic)
            guard ours.classic else { continue }
            classicFiles += 1
            classicPackets += ours.packets.count
            if case .truncated = ours.end { truncated += 1 }
        }
        print("classic reader: \(classicFiles) corpus files, \(classicPackets) packets, \(truncated) truncated")
        // The subject ran: most of the corpus is classic pcap (209 files start with its magic).
        #expect(classicFiles > 150)
        #expect(classicPackets > 10_000)
    }

    @Test(.needsCorpus) func corpusRewrittenBigEndian_readsTheSame_withOursAndLibpcap() throws {
        var rewritten = 0
        for url in try Self.corpusFiles() {
            let data = try Array(Data(contentsOf: url))
            guard let swapped = Self.byteSwapped(data) else { continue }
            let capture = try TemporaryCapture(swapped)
            let ours = PcapReading.compare(capture.path, label: "\(url.path) big-endian")
            #expect(ours.classic || ours.isUnsupportedLinkType, "\(url.path) big-endian")
            let original = PcapReading(path: url.path, libpcapOnly: true)
            #expect(ours == original, "\(url.path): the big-endian rewrite reads as the original")
            rewritten += 1
        }
        #expect(rewritten > 150)
    }

    @Test(.needsCorpus) func corpusFilesCut_endTheSameWay_withOursAndLibpcap() throws {
        var compared = 0
        var truncated = 0
        for url in try Self.corpusFiles() {
            let data = try Array(Data(contentsOf: url))
            guard Self.byteSwapped(data) != nil, data.count > 100 else { continue }
            // Cuts inside the file header's reach, early, in the middle, and one byte short.
            for length in [30, data.count / 3, data.count / 2 + 5, data.count - 1] {
                let capture = try TemporaryCapture(Array(data.prefix(length)))
                let ours = PcapReading.compare(capture.path, chunkSize: 512, label: "\(url.path) cut to \(length)")
                if case .truncated = ours.end, ours.classic { truncated += 1 }
                compared += 1
            }
        }
        #expect(compared > 600)
        // Most cuts fall inside a record: the truncated path is what this test is about.
        #expect(truncated > compared / 2)
    }

    /// A little-endian classic pcap file with every header field in the other byte order, up to
    /// the first record that does not fit (its header swapped too, what follows copied as it is);
    /// nil for any other file.
    static func byteSwapped(_ data: [UInt8]) -> [UInt8]? {
        guard data.count >= 24,
            [0xD4, 0xC3, 0xB2, 0xA1] == Array(data[0..<4]) || [0x4D, 0x3C, 0xB2, 0xA1] == Array(data[0..<4])
        else { return nil }
        var out = data
        func swap(_ offset: Int, _ width: Int) { out[offset..<offset + width].reverse() }
        func le32(_ offset: Int) -> Int {
            Int(data[offset]) | Int(data[offset + 1]) << 8 | Int(data[offset + 2]) << 16 | Int(data[offset + 3]) << 24
        }
        for (offset, width) in [(0, 4), (4, 2), (6, 2), (8, 4), (12, 4), (16, 4), (20, 4)] { swap(offset, width) }
        var offset = 24
        while offset + 16 <= data.count {
            let captured = le32(offset + 8)
            for field in 0..<4 { swap(offset + field * 4, 4) }
            guard captured <= 262_144, offset + 16 + captured <= data.count else { break }
            offset += 16 + captured
        }
        return out
    }
}
