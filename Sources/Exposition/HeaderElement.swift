/// Splits list-valued request headers such as `Accept` and `Accept-Encoding` (RFC 9110 §5.6.1,
/// §12.4.2) into elements with lower-cased parameters. Tolerant: malformed pieces are skipped,
/// nothing traps.
struct HeaderElement {
    /// The value before the first `;`, trimmed and lower-cased (`application/openmetrics-text`, `gzip`).
    var token: String
    /// Parameters other than `q`, names lower-cased, values unquoted.
    var parameters: [String: String]
    /// Weight in 0...1; nil when the element carried a malformed `q`.
    var quality: Double?

    static func parse(_ header: String) -> [HeaderElement] {
        header.split(separator: ",", omittingEmptySubsequences: true).compactMap { element in
            var pieces = element.split(separator: ";", omittingEmptySubsequences: false).makeIterator()
            guard let first = pieces.next() else { return nil }
            let token = trimmed(first).lowercased()
            guard !token.isEmpty else { return nil }
            var parameters: [String: String] = [:]
            var quality: Double? = 1
            while let piece = pieces.next() {
                guard let equals = piece.firstIndex(of: "=") else { continue }
                let name = trimmed(piece[..<equals]).lowercased()
                var value = trimmed(piece[piece.index(after: equals)...])
                if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                    value = String(value.dropFirst().dropLast())
                }
                if name == "q" {
                    quality = parseQuality(value)
                } else {
                    parameters[name] = value
                }
            }
            return HeaderElement(token: token, parameters: parameters, quality: quality)
        }
    }

    /// RFC 9110 §12.4.2: `qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )`.
    static func parseQuality(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, first == UInt8(ascii: "0") || first == UInt8(ascii: "1") else { return nil }
        if bytes.count == 1 { return first == UInt8(ascii: "1") ? 1 : 0 }
        guard bytes[1] == UInt8(ascii: "."), bytes.count <= 5 else { return nil }
        var thousandths = 0
        var scale = 100
        for b in bytes[2...] {
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
            thousandths += Int(b - UInt8(ascii: "0")) * scale
            scale /= 10
        }
        if first == UInt8(ascii: "1") { return thousandths == 0 ? 1 : nil }
        return Double(thousandths) / 1000
    }

    private static func trimmed(_ text: Substring) -> String {
        String(
            text.trimmingPrefix(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" })
                .reversed())
    }
}
