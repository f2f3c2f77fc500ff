/// RFC 4180 CSV: every field quoted when it holds a comma, quote, CR or LF (quotes doubled); lines end
/// in CRLF. Fields starting with `=`, `+`, `-`, `@`, TAB or CR get a leading `'` so a spreadsheet never
/// evaluates a device-chosen hostname as a formula (OWASP CSV injection guidance).
public struct CSVWriter {
    public private(set) var text = ""

    public init() {}

    public mutating func row(_ fields: [String]) {
        text += fields.map(CSVWriter.escape).joined(separator: ",")
        text += "\r\n"
    }

    public static func escape(_ field: String) -> String {
        var value = field
        if let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { value = "'" + value }
        let needsQuotes = value.utf8.contains {
            $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D
        }
        guard needsQuotes else { return value }
        var out = "\""
        for c in value { if c == "\"" { out += "\"\"" } else { out.append(c) } }
        return out + "\""
    }
}
