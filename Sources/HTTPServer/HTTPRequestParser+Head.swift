extension HTTPRequestParser {
    /// Methods defined by RFC 9110 §9 and RFC 5789 that the router can answer (with 405 if a route lacks them).
    /// CONNECT is excluded: the server does not tunnel, so it is 501 like any unknown method.
    static let recognisedMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH"]

    /// Parses a complete head (request line, field lines, empty line).
    static func parseHead(_ head: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> HTTPRequest {
        var lines: [Range<Int>] = []
        lines.reserveCapacity(8)
        var lineStart = 0
        var index = 0
        while index < head.count {
            let byte = head[index]
            if byte == ASCII.lf {
                var end = index
                if end > lineStart && head[end - 1] == ASCII.cr { end -= 1 }
                lines.append(lineStart..<end)
                lineStart = index + 1
            } else if byte == ASCII.cr && (index + 1 >= head.count || head[index + 1] != ASCII.lf) {
                // A bare CR is not a line ending and not allowed elsewhere (RFC 9112 §2.2).
                throw lines.isEmpty ? .malformedRequestLine("bare CR") : .malformedHeader("bare CR")
            }
            index += 1
        }
        guard let requestLine = lines.first else { throw .malformedRequestLine("empty") }
        let (method, targetInLine, version) = try parseRequestLine(UnsafeBufferPointer(rebasing: head[requestLine]))
        let target =
            (targetInLine.lowerBound + requestLine.lowerBound)..<(targetInLine.upperBound + requestLine.lowerBound)

        var headers: [HTTPHeaders.Element] = []
        headers.reserveCapacity(lines.count)
        for range in lines.dropFirst() where !range.isEmpty {
            headers.append(try parseField(UnsafeBufferPointer(rebasing: head[range])))
        }
        let fields = HTTPHeaders(headers)

        let hosts = fields.values(for: "Host").count
        // RFC 9112 §3.2: a 1.1 request without Host, or any request with several, gets 400.
        if hosts > 1 || (version == .http1_1 && hosts == 0) { throw .missingHost }

        let targetBytes = UnsafeBufferPointer(rebasing: head[target])
        let targetString = String(decoding: targetBytes, as: UTF8.self)
        guard let first = targetBytes.first else { throw .malformedRequestLine("empty target") }
        if first == UInt8(ascii: "*") {
            guard targetBytes.count == 1, method == "OPTIONS" else {
                throw .malformedRequestLine("asterisk-form target outside OPTIONS")
            }
            return HTTPRequest(
                method: method, target: targetString, path: "*", query: [], version: version,
                headers: fields, body: [])
        }
        if first != UInt8(ascii: "/") && !isAbsoluteForm(targetBytes) {
            throw .malformedRequestLine("target is neither origin-form nor absolute-form")
        }
        let split = RequestTarget.split(Array(targetBytes))
        return HTTPRequest(
            method: method, target: targetString, path: split.path, query: split.query,
            version: version, headers: fields, body: [])
    }

    private static func parseRequestLine(_ line: UnsafeBufferPointer<UInt8>)
        throws(HTTPParseError) -> (method: String, target: Range<Int>, version: HTTPVersion)
    {
        guard let firstSpace = line.firstIndex(of: ASCII.space) else {
            throw .malformedRequestLine("missing separators")
        }
        let methodBytes = UnsafeBufferPointer(rebasing: line[..<firstSpace])
        guard !methodBytes.isEmpty, methodBytes.allSatisfy(ASCII.isTchar) else {
            throw .malformedRequestLine("invalid method")
        }
        let targetStart = firstSpace + 1
        guard let secondSpace = line[targetStart...].firstIndex(of: ASCII.space) else {
            throw .malformedRequestLine("missing protocol version")
        }
        let targetRange = targetStart..<secondSpace
        guard !targetRange.isEmpty, line[targetRange].allSatisfy(ASCII.isTargetByte) else {
            throw .malformedRequestLine("invalid request target")
        }
        let versionBytes = line[(secondSpace + 1)...]
        let version = try parseVersion(versionBytes)
        let method = String(decoding: methodBytes, as: UTF8.self)
        guard recognisedMethods.contains(method) else { throw .methodNotImplemented(method) }
        return (method, targetRange, version)
    }

    private static func parseVersion(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) throws(HTTPParseError) -> HTTPVersion {
        let text = Array(bytes)
        let isDigit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        guard text.count == 8, text[0..<5].elementsEqual("HTTP/".utf8), isDigit(text[5]),
            text[6] == UInt8(ascii: "."), isDigit(text[7])
        else {
            throw .malformedRequestLine("invalid protocol version")
        }
        switch (text[5], text[7]) {
        case (UInt8(ascii: "1"), UInt8(ascii: "1")): return .http1_1
        case (UInt8(ascii: "1"), UInt8(ascii: "0")): return .http1_0
        default: throw .unsupportedVersion(String(decoding: text, as: UTF8.self))
        }
    }

    private static func parseField(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> HTTPHeaders.Element {
        guard let first = line.first, first != ASCII.space, first != ASCII.tab else {
            // obs-fold is obsolete; RFC 9112 §5.2 lets a server reject it with 400.
            throw .malformedHeader("obsolete line folding")
        }
        guard let colon = line.firstIndex(of: ASCII.colon) else { throw .malformedHeader("missing colon") }
        let name = line[..<colon]
        // RFC 9112 §5.1: no whitespace between name and colon; names are tokens.
        guard !name.isEmpty, name.allSatisfy(ASCII.isTchar) else { throw .malformedHeader("invalid field name") }
        let value = ASCII.trimmingOWS(line[(colon + 1)...])
        guard value.allSatisfy(ASCII.isFieldValueByte) else { throw .malformedHeader("control byte in field value") }
        return (name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self))
    }

    private static func isAbsoluteForm(_ target: UnsafeBufferPointer<UInt8>) -> Bool {
        ASCII.hasPrefixIgnoringCase(target, "http://") || ASCII.hasPrefixIgnoringCase(target, "https://")
    }
}
