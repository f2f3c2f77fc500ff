import Foundation
import LanscopeCore

/// The two JSON columns: `anomalies.details` (an object with sorted keys, so equal details store
/// equal text) and `services.txt` (an array of `[key, value-or-null]` pairs in wire order).
enum StoredJSON {
    static func encode(details: [String: String]) -> String {
        var out = "{"
        for (index, key) in details.keys.sorted().enumerated() {
            if index > 0 { out += "," }
            appendString(key, to: &out)
            out += ":"
            appendString(details[key] ?? "", to: &out)
        }
        return out + "}"
    }

    static func encode(txt: [TXTEntry]) -> String {
        var out = "["
        for (index, entry) in txt.enumerated() {
            if index > 0 { out += "," }
            out += "["
            appendString(entry.key, to: &out)
            out += ","
            if let value = entry.value { appendString(value, to: &out) } else { out += "null" }
            out += "]"
        }
        return out + "]"
    }

    /// `devices.classification`: `{"type": field, "os": field|null, ...}` with each field
    /// `{"value", "confidence", "evidence": [[signal, value, rule, weight], ...]}`. Written into one
    /// string (a replay's final write encodes one per device).
    static func encode(classification: DeviceClassification) -> String {
        var out = "{\"type\":"
        out.reserveCapacity(1024)
        let type = classification.type
        appendField(type.value.rawValue, type.confidence, type.evidence, to: &out)
        appendField(named: ",\"os\":", classification.os, to: &out)
        appendField(named: ",\"os_version\":", classification.osVersion, to: &out)
        appendField(named: ",\"model\":", classification.model, to: &out)
        appendField(named: ",\"manufacturer\":", classification.manufacturer, to: &out)
        out += "}"
        return out
    }

    private static func appendField(named name: String, _ value: ClassifiedValue<String>?, to out: inout String) {
        out += name
        if let value { appendField(value.value, value.confidence, value.evidence, to: &out) } else { out += "null" }
    }

    private static func appendField(
        _ value: String, _ confidence: Double, _ evidence: [ClassificationEvidence], to out: inout String
    ) {
        out += "{\"value\":"
        appendString(value, to: &out)
        out += ",\"confidence\":"
        out += confidence.description
        out += ",\"evidence\":["
        for (index, e) in evidence.enumerated() {
            out += index > 0 ? ",[" : "["
            appendString(e.signal, to: &out)
            out += ","
            appendString(e.value, to: &out)
            out += ","
            appendString(e.rule, to: &out)
            out += ","
            out += e.weight.description
            out += "]"
        }
        out += "]}"
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

    /// RFC 8259 §7 string escaping: quote, backslash and control characters.
    private static func appendString(_ string: String, to out: inout String) {
        out += "\""
        // Most values need no escape: those are appended whole instead of scalar by scalar. Every
        // character escaped below is ASCII, and a UTF-8 byte below 0x80 is always that ASCII scalar,
        // so scanning the bytes finds exactly the strings the loop would change.
        var bytes = string
        let plain = bytes.withUTF8 { utf8 in
            for byte in utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                return false
            }
            return true
        }
        if plain {
            out += string
            out += "\""
            return
        }
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
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
