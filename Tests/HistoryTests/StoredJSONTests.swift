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
}
