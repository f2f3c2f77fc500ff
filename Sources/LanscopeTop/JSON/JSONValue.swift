/// A parsed JSON document, for the small responses (`/devices/{mac}.json`, `/alerts.json`, errors).
enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    static func parse(_ bytes: [UInt8]) throws(TopError) -> JSONValue {
        let result: Result<JSONValue, JSONScanner.Failure> = bytes.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            do throws(JSONScanner.Failure) {
                let value = try read(&scanner)
                guard scanner.atEnd() else { throw JSONScanner.Failure(offset: scanner.index, reason: "trailing data") }
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let value): return value
        case .failure(let failure): throw .badResponse("JSON at byte \(failure.offset): \(failure.reason)")
        }
    }

    static func read(_ s: inout JSONScanner) throws(JSONScanner.Failure) -> JSONValue {
        switch s.peek() {
        case UInt8(ascii: "{"):
            try s.beginObject()
            var fields: [String: JSONValue] = [:]
            while let key = try s.nextKey() {
                let name = String(decoding: UnsafeBufferPointer(rebasing: s.bytes[key]), as: UTF8.self)
                fields[name] = try read(&s)
            }
            return .object(fields)
        case UInt8(ascii: "["):
            try s.beginArray()
            var items: [JSONValue] = []
            while try s.nextElement() { items.append(try read(&s)) }
            return .array(items)
        case UInt8(ascii: "\""): return .string(try s.string() ?? "")
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool(try s.bool() ?? false)
        case UInt8(ascii: "n"):
            _ = try s.null()
            return .null
        default: return .number(try s.number() ?? 0)
        }
    }

    subscript(key: String) -> JSONValue {
        if case .object(let fields) = self { return fields[key] ?? .null }
        return .null
    }

    var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    var number: Double? {
        if case .number(let n) = self { return n }
        return nil
    }

    var bool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    var array: [JSONValue] {
        if case .array(let items) = self { return items }
        return []
    }

    var object: [String: JSONValue] {
        if case .object(let fields) = self { return fields }
        return [:]
    }
}
