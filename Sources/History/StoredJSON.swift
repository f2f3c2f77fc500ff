import Foundation
import LanscopeCore

/// The two JSON columns: `anomalies.details` (an object with sorted keys, so equal details store
/// equal text) and `services.txt` (an array of `[key, value-or-null]` pairs in wire order).
enum StoredJSON {
    static func encode(details: [String: String]) -> String {
        var out = JSONText(capacity: 128)
        out.raw("{")
        for (index, key) in details.keys.sorted().enumerated() {
            if index > 0 { out.raw(",") }
            out.string(key)
            out.raw(":")
            out.string(details[key] ?? "")
        }
        out.raw("}")
        return out.text
    }

    static func encode(txt: [TXTEntry]) -> String {
        var out = JSONText(capacity: 128)
        out.raw("[")
        for (index, entry) in txt.enumerated() {
            out.raw(index > 0 ? ",[" : "[")
            out.string(entry.key)
            out.raw(",")
            if let value = entry.value { out.string(value) } else { out.raw("null") }
            out.raw("]")
        }
        out.raw("]")
        return out.text
    }

    /// `devices.classification`: `{"type": field, "os": field|null, ...}` with each field
    /// `{"value", "confidence", "evidence": [[signal, value, rule, weight], ...]}`. Built as bytes (a
    /// replay's final write encodes one per device).
    static func encode(classification: DeviceClassification) -> String {
        var out = JSONText(capacity: 1024)
        out.raw("{\"type\":")
        let type = classification.type
        appendField(type.value.rawValue, type.confidence, type.evidence, to: &out)
        appendField(named: ",\"os\":", classification.os, to: &out)
        appendField(named: ",\"os_version\":", classification.osVersion, to: &out)
        appendField(named: ",\"model\":", classification.model, to: &out)
        appendField(named: ",\"manufacturer\":", classification.manufacturer, to: &out)
        out.raw("}")
        return out.text
    }

    private static func appendField(
        named name: StaticString, _ value: ClassifiedValue<String>?, to out: inout JSONText
    ) {
        out.raw(name)
        if let value { appendField(value.value, value.confidence, value.evidence, to: &out) } else { out.raw("null") }
    }

    private static func appendField(
        _ value: String, _ confidence: Double, _ evidence: [ClassificationEvidence], to out: inout JSONText
    ) {
        out.raw("{\"value\":")
        out.string(value)
        out.raw(",\"confidence\":")
        out.raw(confidence.description)
        out.raw(",\"evidence\":[")
        for (index, e) in evidence.enumerated() {
            out.raw(index > 0 ? ",[" : "[")
            out.string(e.signal)
            out.raw(",")
            out.string(e.value)
            out.raw(",")
            out.string(e.rule)
            out.raw(",")
            out.raw(e.weight.description)
            out.raw("]")
        }
        out.raw("]}")
    }

    static func decodeClassification(_ text: String) -> DeviceClassification? {
        guard let object = parse(text) as? [String: Any] else { return nil }
        func field(_ any: Any?) -> ClassifiedValue<String>? {
            guard let o = any as? [String: Any], let value = o["value"] as? String,
                let confidence = (o["confidence"] as? NSNumber)?.doubleValue, let rows = o["evidence"] as? [[Any]]
            else { return nil }
            var evidence: [ClassificationEvidence] = []
            for row in rows {
                guard row.count == 4, let signal = row[0] as? String, let v = row[1] as? String,
                    let rule = row[2] as? String, let weight = (row[3] as? NSNumber)?.doubleValue
                else { return nil }
                evidence.append(ClassificationEvidence(signal: signal, value: v, rule: rule, weight: weight))
            }
            return ClassifiedValue(value: value, confidence: confidence, evidence: evidence)
        }
        guard let type = field(object["type"]), let deviceType = DeviceType(rawValue: type.value) else { return nil }
        return DeviceClassification(
            type: ClassifiedValue(value: deviceType, confidence: type.confidence, evidence: type.evidence),
            os: field(object["os"]), osVersion: field(object["os_version"]), model: field(object["model"]),
            manufacturer: field(object["manufacturer"]))
    }

    static func decodeDetails(_ text: String) -> [String: String]? {
        guard let object = parse(text) as? [String: Any] else { return nil }
        var out: [String: String] = [:]
        for (key, value) in object {
            guard let string = value as? String else { return nil }
            out[key] = string
        }
        return out
    }

    static func decodeTXT(_ text: String) -> [TXTEntry]? {
        guard let array = parse(text) as? [Any] else { return nil }
        var out: [TXTEntry] = []
        out.reserveCapacity(array.count)
        for element in array {
            guard let pair = element as? [Any], pair.count == 2, let key = pair[0] as? String else { return nil }
            if pair[1] is NSNull {
                out.append(TXTEntry(key: key, value: nil))
            } else if let value = pair[1] as? String {
                out.append(TXTEntry(key: key, value: value))
            } else {
                return nil
            }
        }
        return out
    }

    private static func parse(_ text: String) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

}

/// JSON text built as UTF-8 bytes: appending a piece is a copy into one buffer, not a `String`
/// append (a few hundred instructions each; the classification column took ~110 of them a device).
private struct JSONText {
    private var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func raw(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// `string` as a JSON string (RFC 8259 §7): quote, backslash and control characters escaped.
    /// Every character escaped is ASCII, and a UTF-8 byte below 0x80 is always that ASCII character,
    /// so the bytes are escaped one by one and the rest copied as they are.
    mutating func string(_ string: String) {
        bytes.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            var plain = utf8.startIndex
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plain..<index]))
                plain = index + 1
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "\n"): bytes.append(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"): bytes.append(UInt8(ascii: "r"))
                case UInt8(ascii: "\t"): bytes.append(UInt8(ascii: "t"))
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                    bytes.append(hex[Int(byte >> 4)])
                    bytes.append(hex[Int(byte & 0xF)])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plain...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
