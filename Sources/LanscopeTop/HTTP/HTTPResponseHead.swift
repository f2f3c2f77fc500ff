/// A response's status line and the headers that frame its body (RFC 9112 §4, §6).
struct HTTPResponseHead: Equatable {
    enum Framing: Equatable {
        case length(Int)
        case chunked
        case untilClose
    }

    var status: Int
    var reason: String
    var framing: Framing
    var keepAlive: Bool

    struct WithBody {
        var status: Int
        var reason: String
        var keepAlive: Bool
        var body: [UInt8]
    }

    /// Index just past the blank line ending the head, or nil when it has not arrived yet.
    static func endOfHead(in data: [UInt8]) -> Int? {
        guard data.count >= 4 else { return nil }
        for i in 0...(data.count - 4)
        where data[i] == 0x0D && data[i + 1] == 0x0A && data[i + 2] == 0x0D && data[i + 3] == 0x0A {
            return i + 4
        }
        return nil
    }

    init(_ bytes: ArraySlice<UInt8>) throws(TopError) {
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: true).makeIterator()
        guard let statusLine = lines.next() else { throw .protocolError("empty response") }
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let code = Int(parts[1]), (100...599).contains(code)
        else { throw .protocolError("bad status line") }
        status = code
        reason = parts.count > 2 ? String(parts[2]) : ""
        var length: Int? = nil
        var chunked = false
        var close = parts[0] == "HTTP/1.0"
        while let line = lines.next() {
            guard let colon = line.firstIndex(of: ":") else { throw .protocolError("bad header line") }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: " \t").lowercased()
            switch name {
            case "content-length":
                guard let n = Int(value), n >= 0, length == nil || length == n else {
                    throw .protocolError("bad Content-Length")
                }
                length = n
            case "transfer-encoding": chunked = value.hasSuffix("chunked")
            case "connection":
                if value.contains("close") { close = true }
                if value.contains("keep-alive") { close = false }
            default: break
            }
        }
        // Transfer-Encoding wins over Content-Length (RFC 9112 §6.3).
        if chunked {
            framing = .chunked
        } else if let length {
            framing = .length(length)
        } else {
            framing = .untilClose
            close = true
        }
        keepAlive = !close
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> Substring {
        var s = self
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return s
    }
}
