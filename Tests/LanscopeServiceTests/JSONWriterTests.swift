import Foundation
import LanscopeCore
import Testing

@testable import LanscopeService

@Suite struct JSONWriterTests {
    @Test func compactOutput_isExact() {
        var w = JSONWriter()
        w.beginObject()
        w.field("a", 1)
        w.key("list"); w.beginArray(); w.int(-2); w.string("x"); w.null(); w.bool(true); w.beginObject(); w.endObject();
        w.endArray()
        w.field("s", nil as String?)
        w.field("t", Timestamp(seconds: 1009, nanoseconds: 500_000_000))
        w.key("empty"); w.beginArray(); w.endArray()
        w.endObject()
        #expect(w.string == #"{"a":1,"list":[-2,"x",null,true,{}],"s":null,"t":"1970-01-01T00:16:49.500Z","empty":[]}"#)
    }

    /// The writer grows its own buffer: from the smallest reserve, a document far larger comes out whole,
    /// every kind of write crossing a growth boundary, and reading `bytes` twice gives the same copy.
    @Test func output_growsFromATinyReserve_withoutLosingOrReorderingBytes() throws {
        var w = JSONWriter(reserve: 1)
        var expected: [[String: Any]] = []
        w.beginArray()
        for i in 0..<2_000 {
            let text = String(repeating: "é\"\u{1}", count: i % 7) + "\(i)"
            w.beginObject()
            w.field("i", i)
            w.field("s", text)
            w.key("d"); w.double(Double(i) / 8)
            w.field("t", Timestamp(seconds: Int64(i), nanoseconds: 0))
            w.key("a"); w.ascii { $0.append(contentsOf: Array("aa:bb:\(i)".utf8)) }
            w.field("b", i % 2 == 0)
            w.endObject()
            expected.append(["i": i, "s": text, "d": Double(i) / 8, "a": "aa:bb:\(i)", "b": i % 2 == 0])
        }
        w.endArray()
        #expect(w.bytes == w.bytes)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(w.bytes)) as? [[String: Any]])
        #expect(parsed.count == expected.count)
        for (got, want) in zip(parsed, expected) {
            #expect(got["i"] as? Int == want["i"] as? Int)
            #expect(got["s"] as? String == want["s"] as? String)
            #expect(got["d"] as? Double == want["d"] as? Double)
            #expect(got["a"] as? String == want["a"] as? String)
            #expect(got["b"] as? Bool == want["b"] as? Bool)
        }
    }

    @Test func prettyOutput_indentsByDepth() {
        var w = JSONWriter(pretty: true)
        w.beginArray(); w.beginObject(); w.field("k", "v"); w.key("n"); w.beginArray(); w.int(1); w.int(2);
        w.endArray(); w.endObject(); w.endArray()
        #expect(w.string == "[\n  {\n    \"k\": \"v\",\n    \"n\": [\n      1,\n      2\n    ]\n  }\n]")
    }

    /// Every control character, quote, backslash and DEL escaped; everything else (multi-byte UTF-8
    /// included) kept, in strings and keys; the result parses back to the same text.
    @Test func strings_escapeExactlyWhatRFC8259Requires() throws {
        let nasty = String(decoding: (0..<0x80).map { UInt8($0) }, as: UTF8.self) + "ünï €😀 \"quoted\" back\\slash"
        var w = JSONWriter()
        w.beginObject(); w.key(text: nasty); w.string(nasty); w.endObject()
        let text = w.string
        #expect(text.contains(#"\u0000\u0001"#))
        #expect(text.contains(#"\b"#) == false, "control characters other than \\n \\r \\t use \\u00XX")
        #expect(text.contains(#"\t\n\u000b\u000c\r"#))
        #expect(text.contains(#"\u007f"#))
        #expect(text.contains(#"\"quoted\" back\\slash"#))
        for byte in text.utf8 { #expect(byte >= 0x20 && byte != 0x7F) }
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String])
        #expect(parsed == [nasty: nasty])
    }

    /// As deep as the writer allows: a comma between siblings at every level and none elsewhere.
    @Test func deepNesting_keepsCommasRight() throws {
        let levels = JSONWriter.maxDepth
        var w = JSONWriter()
        for _ in 0..<levels { w.beginArray(); w.int(1) }
        for _ in 0..<levels { w.int(2); w.endArray() }
        var expected: Any = [1, 2] as [Any]
        for _ in 0..<(levels - 1) { expected = [1, expected, 2] as [Any] }
        let parsed = try JSONSerialization.jsonObject(with: Data(w.bytes))
        #expect((parsed as? NSArray)?.isEqual(expected) == true)
        #expect(w.bytes.filter { $0 == UInt8(ascii: ",") }.count == 2 * levels - 1)
    }

    /// Bytes written in place are quoted as they are when plain, and escaped like any string when not.
    @Test func ascii_writesInPlace_andEscapesWhatNeedsIt() throws {
        var w = JSONWriter()
        w.beginArray()
        w.ascii { MACAddress(rawValue: 0x3c22fb_aabb01).appendText(to: &$0) }
        w.ascii { $0.append(contentsOf: Array("a\"b\\c\nd".utf8)) }
        w.ascii { _ in }
        w.endArray()
        #expect(w.string == #"["3c:22:fb:aa:bb:01","a\"b\\c\nd",""]"#)
        #expect(
            try JSONSerialization.jsonObject(with: Data(w.bytes)) as? [String] == [
                "3c:22:fb:aa:bb:01", "a\"b\\c\nd", "",
            ])
    }

    /// Doubles are written as `String(v)` spells them (what the writer did before it formatted rounded
    /// confidences and weights itself): every whole number of thousandths from -3 to 3, larger and
    /// near-limit ones, and values that are not thousandths, which take the general path.
    @Test func doubles_matchStringDescription_forThousandthsAndOthers() {
        var values: [Double] = (-3000...3000).map { Double($0) / 1000 }
        values += [0.1 + 0.2, 1.0 / 3, 2.5e-7, 1e-4, 0.0015, -0.0, 123_456_789.125, 999_999_999_999.999]
        values += [1e12 + 0.5, 4_503_599_627_370_495.5, 1e15, 1e16, 12.000_000_1, 0.999_999_999]
        values += (0..<500).map { Double($0) * 7.919 / 1000 }
        values += (0..<500).map { (Double($0) * 0.377 * 1000).rounded() / 1000 }
        for v in values {
            var w = JSONWriter()
            w.double(v)
            let expected = v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
            #expect(w.string == expected, "\(v)")
        }
    }
}
