/// The few YAML rules the web-config readers share: `#` comments, surrounding blanks, optional quotes.
enum YAMLLine {
    struct Failure: Error {
        let description: String
    }

    /// Drops a `#` comment that starts a line or follows whitespace (YAML), outside quotes.
    static func stripComment(_ line: Substring) -> Substring {
        var quote: Character? = nil
        var previous: Character = " "
        for index in line.indices {
            let character = line[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "#" && (previous == " " || previous == "\t") {
                return line[..<index]
            }
            previous = character
        }
        return line
    }

    static func trimmed(_ text: Substring) -> Substring {
        var result = text
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }

    /// A plain or quoted scalar; escapes inside quotes are refused rather than half-interpreted.
    static func unquote(_ raw: Substring) throws(Failure) -> String {
        let text = trimmed(raw)
        guard let first = text.first, first == "\"" || first == "'" else {
            if text.contains("\"") || text.contains("'") { throw Failure(description: "unbalanced quotes") }
            return String(text)
        }
        guard text.count >= 2, text.last == first else { throw Failure(description: "unbalanced quotes") }
        let inner = text.dropFirst().dropLast()
        if inner.contains(first) || inner.contains("\\") {
            throw Failure(description: "escapes inside quotes are not supported")
        }
        return String(inner)
    }
}
