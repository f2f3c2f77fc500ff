import LanscopeCore
import Testing

@testable import PacketDecoding

/// `DNSQuery.keptNames` (the query decoder's allocation-free path) gives what parsing the query and
/// keeping each question's name gives, and throws the same errors on the same malformed messages.
@Suite struct DNSQueryKeptNamesTests {
    /// A DNS message: header with `flags`, then `questions` already encoded (names, type, class).
    static func message(flags: UInt16 = 0x0100, count: Int? = nil, _ questions: [[UInt8]]) -> [UInt8] {
        let n = UInt16(count ?? questions.count)
        return [0x12, 0x34, UInt8(flags >> 8), UInt8(flags & 0xFF), UInt8(n >> 8), UInt8(n & 0xFF), 0, 0, 0, 0, 0, 0]
            + questions.flatMap { $0 }
    }

    /// A question for `labels` (raw bytes each), type A, class IN.
    static func question(_ labels: [[UInt8]], pointer: Int? = nil) -> [UInt8] {
        var out: [UInt8] = []
        for label in labels { out += [UInt8(label.count)] + label }
        if let pointer { out += [0xC0 | UInt8(pointer >> 8), UInt8(pointer & 0xFF)] } else { out.append(0) }
        return out + [0, 1, 0, 1]
    }

    static func question(_ name: String) -> [UInt8] {
        question(name.split(separator: ".", omittingEmptySubsequences: false).map { Array($0.utf8) })
    }

    /// The general path's answer: every question parsed, each name kept or not.
    static func general(_ bytes: [UInt8]) throws(DecodeError) -> (flags: UInt16, names: [String]) {
        let query = try DNSQuery(parsing: bytes)
        return (query.flags, query.questions.compactMap { DNSQuery.keptName($0.name) })
    }

    static func fast(_ bytes: [UInt8]) throws -> DNSQuery.KeptNames {
        try bytes.withUnsafeBytes { try DNSQuery.keptNames(parsing: $0) }
    }

    static let asciiCases: [(String, [UInt8])] = [
        ("one name", message([question("camera.vendor-cloud.example")])),
        ("mixed case", message([question("WWW.Example.COM")])),
        ("label ending in a dot", message([question([Array("host.".utf8), Array("example.".utf8)])])),
        ("reverse IPv4", message([question("4.3.2.10.in-addr.arpa")])),
        ("reverse IPv6", message([question("1.0.0.2.IP6.ARPA")])),
        ("the arpa zone itself", message([question("in-addr.arpa")])),
        ("root", message([[0, 0, 2, 0, 1]])),
        ("two names", message([question("a.example"), question("B.example")])),
        (
            "second name compressed onto the first",
            message([question("api.example.com"), question([Array("cdn".utf8)], pointer: 16)])
        ),
        ("no questions", message([])),
        ("a response", message(flags: 0x8180, [question("a.example")])),
        ("an update", message(flags: 0x2800, [question("a.example")])),
        (
            "253-byte name",
            message([
                question(Array(repeating: String(repeating: "a", count: 62), count: 4).joined(separator: ".") + ".a")
            ])
        ),
        ("digits and symbols", message([question("_dmarc.x-1_y.example")])),
    ]

    @Test(arguments: asciiCases.map(\.0))
    func keptNames_matchesTheGeneralPath_forASCIIQueries(_ name: String) throws {
        let bytes = try #require(Self.asciiCases.first { $0.0 == name }).1
        let expected = try Self.general(bytes)
        let kept = try Self.fast(bytes)
        #expect(!kept.general)
        #expect(kept.flags == expected.flags)
        #expect(kept.isStandardQuery == (try DNSQuery(parsing: bytes)).isStandardQuery)
        #expect((kept.first.map { [$0] } ?? []) + kept.rest == expected.names)
    }

    @Test func keptNames_leavesNonASCIINames_toTheGeneralPath() throws {
        // "İ" (U+0130) lower-cases to two scalars; only Unicode's lower-casing gets it right.
        let bytes = Self.message([Self.question("a.example"), Self.question("\u{130}stanbul.example")])
        let kept = try Self.fast(bytes)
        #expect(kept.general)
        #expect(try Self.general(bytes).names == ["a.example", "i\u{307}stanbul.example"])
    }

    static let malformed: [(String, [UInt8])] = [
        ("header cut", [0x12, 0x34, 0x01]),
        ("count larger than the message", message(count: 40, [question("a.example")])),
        ("name cut", Array(message([question("a.example")]).dropLast(8))),
        ("type cut", Array(message([question("a.example")]).dropLast(3))),
        ("forward pointer", message([question([Array("x".utf8)], pointer: 40)])),
        ("pointer to itself", message([question([], pointer: 12)])),
        ("reserved label type", message([[0x40, 0, 0, 1, 0, 1]])),
        (
            "name over 255 octets",
            message([question(Array(repeating: String(repeating: "b", count: 63), count: 5).joined(separator: "."))])
        ),
        ("good then bad question", message(count: 2, [question("a.example"), [0x80, 0, 0, 1, 0, 1]])),
    ]

    @Test(arguments: malformed.map(\.0))
    func keptNames_throwsTheGeneralPathsError_forMalformedQueries(_ name: String) throws {
        let bytes = try #require(Self.malformed.first { $0.0 == name }).1
        var expected: DecodeError?
        do { _ = try Self.general(bytes) } catch { expected = error }
        var got: DecodeError?
        do { _ = try Self.fast(bytes) } catch { got = error as? DecodeError }
        #expect(expected != nil, "the general path accepted \(name)")
        #expect(got == expected)
    }
}
