/// Serialises a response head (the body stays in its own buffer, see `OutgoingBytes`), adding the framing
/// headers the server owns: `Content-Length`, `Date`, `Content-Type` when missing, and `Connection`.
struct ResponseEncoder {
    private var dates = HTTPDateCache()

    /// Header names a handler may not set: the server derives them from the framing.
    private static let reserved: Set<String> = [
        "content-length", "transfer-encoding", "connection", "date", "keep-alive",
    ]

    /// Head and body as one buffer.
    mutating func encode(_ response: HTTPResponse, headOnly: Bool, close: Bool, version: HTTPVersion) -> [UInt8] {
        encodeParts(response, headOnly: headOnly, close: close, version: version).joined
    }

    mutating func encodeParts(_ response: HTTPResponse, headOnly: Bool, close: Bool, version: HTTPVersion)
        -> OutgoingBytes
    {
        var out: [UInt8] = []
        out.reserveCapacity(160 + response.headers.count * 32)
        out.append(contentsOf: "HTTP/1.1 \(response.status.code) \(response.status.reasonPhrase)\r\n".utf8)
        var hasContentType = false
        for (name, value) in response.headers {
            guard Self.isSafe(name: name, value: value) else { continue }
            let lower = name.lowercased()
            if Self.reserved.contains(lower) { continue }
            if lower == "content-type" { hasContentType = true }
            out.append(contentsOf: name.utf8)
            out.append(contentsOf: ": ".utf8)
            out.append(contentsOf: value.utf8)
            out.append(contentsOf: "\r\n".utf8)
        }
        if !hasContentType { out.append(contentsOf: "Content-Type: text/plain; charset=utf-8\r\n".utf8) }
        // RFC 9110 §8.6: no Content-Length on 1xx or 204. For HEAD it is the length GET would send.
        if !(100..<200).contains(response.status.code) && response.status.code != 204 {
            out.append(contentsOf: "Content-Length: \(response.body.count)\r\n".utf8)
        }
        out.append(contentsOf: "Date: ".utf8)
        out.append(contentsOf: dates.current())
        out.append(contentsOf: "\r\n".utf8)
        if close {
            out.append(contentsOf: "Connection: close\r\n".utf8)
        } else if version == .http1_0 {
            out.append(contentsOf: "Connection: keep-alive\r\n".utf8)
        }
        out.append(contentsOf: "\r\n".utf8)
        let body = !headOnly && !response.status.forbidsContent ? response.body : []
        return OutgoingBytes(head: out, body: body)
    }

    /// Drops fields that would break framing or inject headers: names must be tokens, values free of CR/LF/NUL.
    private static func isSafe(name: String, value: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy(ASCII.isTchar) && value.utf8.allSatisfy(ASCII.isFieldValueByte)
    }
}
