import LanscopeCore
import Testing

@testable import History

/// The JSON columns' text: strings with nothing to escape are copied whole, the others escaped
/// character by character (RFC 8259 §7); both must give the text the column has always held.
@Suite struct StoredJSONTests {
    @Test func encodeDetails_escapesOnlyWhatRFC8259Requires_mixedStrings() {
        let text = StoredJSON.encode(details: [
            "plain": "camera.vendor-cloud.example", "quoted": "say \"hi\"", "slash": #"C:\dir"#,
            "control": "a\nb\rc\td\u{01}e\u{1F}", "unicode": "Ünïcødé ✓ 😀",
        ])
        #expect(
            text
                == #"{"control":"a\nb\rc\td\u0001e\u001f","plain":"camera.vendor-cloud.example","quoted":"say \"hi\"","#
                + #""slash":"C:\\dir","unicode":"Ünïcødé ✓ 😀"}"#)
    }

    @Test func encodeTXT_keepsWireOrderAndNulls_plainAndEscapedValues() {
        let text = StoredJSON.encode(txt: [
            TXTEntry(key: "md", value: "Chromecast"), TXTEntry(key: "flag", value: nil),
            TXTEntry(key: "fn", value: "Living \"Room\"\n"),
        ])
        #expect(text == #"[["md","Chromecast"],["flag",null],["fn","Living \"Room\"\n"]]"#)
    }

    @Test func encodeClassification_roundTrips_plainAndEscapedStrings() {
        let evidence = [
            ClassificationEvidence(signal: "dhcp_vendor", value: "android-dhcp-13", rule: "dhcp.android", weight: 0.5),
            ClassificationEvidence(
                signal: "hostname", value: "Bob's \"phone\"\u{07}\\", rule: "host.phone", weight: 0.25),
        ]
        let classification = DeviceClassification(
            type: .init(value: .phone, confidence: 0.875, evidence: evidence),
            os: .init(value: "Android", confidence: 0.5, evidence: [evidence[0]]),
            model: .init(value: "Pixel \"7\"", confidence: 0.25))
        let text = StoredJSON.encode(classification: classification)
        #expect(text.hasPrefix(#"{"type":{"value":"phone","confidence":0.875,"evidence":[["dhcp_vendor","#))
        #expect(text.contains(#"["hostname","Bob's \"phone\"\u0007\\","host.phone",0.25]"#))
        #expect(text.contains(#""os_version":null"#))
        #expect(StoredJSON.decodeClassification(text) == classification)
    }

    /// Every ASCII character, alone and between others, at the start, in the middle and at the end,
    /// and runs of escapes: the text is what escaping character by character gives.
    @Test func encodeDetails_everyASCIICharacter_escapedAsCharacterByCharacter() {
        func reference(_ string: String) -> String {
            var out = "\""
            for scalar in string.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out + "\""
        }
        var values: [String] = []
        for code in 0..<0x80 {
            let c = String(UnicodeScalar(UInt8(code)))
            values += [c, "a" + c + "b", c + c + "é", "✓" + c]
        }
        values += ["", "\"\\\n\u{0}\u{1F}", "plain text", "Ünïcødé ✓ 😀\t"]
        for value in values {
            #expect(
                StoredJSON.encode(details: ["k": value]) == "{\"k\":" + reference(value) + "}",
                "\(value.debugDescription)")
            #expect(StoredJSON.decodeDetails(StoredJSON.encode(details: ["k": value])) == ["k": value])
        }
    }
}
