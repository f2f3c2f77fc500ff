import CapturePcap
import Foundation
import LanscopeCore
import TestSupport

/// The shared public capture corpus: `$LANSCOPE_PCAP_CORPUS`, else `shared/pcaps` beside the
/// repository (found from this file's path, so a CI clone elsewhere works too).
enum Corpus {
    static let root: URL? = TestEnvironment.corpusPath.map { URL(fileURLWithPath: $0) }

    static var skipReason: String? {
        root == nil ? "pcap corpus not found (set LANSCOPE_PCAP_CORPUS or place it at ../shared/pcaps)" : nil
    }

    /// Throws when the corpus is absent: tests that need it carry the `.needsCorpus` trait, so they only
    /// run without it when LANSCOPE_REQUIRE_CORPUS=1 asks for a failure.
    static func require() throws {
        if let reason = skipReason { throw MissingRequirement(reason: reason) }
    }

    struct Entry {
        var path: String
        var linkTypes: [Int]
        var packets: Int
        var notes: [String]
        var protocols: [String]
        var facts: [String: Any]

        var isMalformed: Bool { notes.contains { $0.contains("malformed") } }
    }

    nonisolated(unsafe) static let manifest: [Entry] = {
        guard let root, let data = try? Data(contentsOf: root.appendingPathComponent("manifest.json")),
            let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let files = json["files"] as? [[String: Any]]
        else { return [] }
        return files.compactMap { file in
            guard let path = file["path"] as? String else { return nil }
            return Entry(
                path: path, linkTypes: file["linktype"] as? [Int] ?? [], packets: file["packets"] as? Int ?? 0,
                notes: file["notes"] as? [String] ?? [], protocols: file["protocols"] as? [String] ?? [],
                facts: file["facts"] as? [String: Any] ?? [:])
        }
    }()

    static func url(_ relative: String) -> URL? { root?.appendingPathComponent(relative) }

    struct Frame {
        var number: Int
        var bytes: [UInt8]
        var wireLength: Int
        var time: Timestamp
    }

    /// Every frame of a corpus file, copied (tests only; the reader itself does not copy).
    static func frames(_ relative: String) throws -> (linkType: LinkType, frames: [Frame]) {
        guard let url = url(relative) else { throw CorpusMissing() }
        let reader = try PcapFileReader(path: url.path)
        var frames: [Frame] = []
        do {
            try reader.forEachPacket { bytes, wireLength, time in
                frames.append(Frame(number: frames.count + 1, bytes: Array(bytes), wireLength: wireLength, time: time))
            }
        } catch { /* truncated files still yield what was read */  }
        return (reader.linkType, frames)
    }

    struct CorpusMissing: Error {}
}

/// A test's requirement is missing (reported as a failure: the trait let it run because CI requires it).
struct MissingRequirement: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
