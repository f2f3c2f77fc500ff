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
