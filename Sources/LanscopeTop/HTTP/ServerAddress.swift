/// Where a lanscope serves its API: from `--url` (`http://host[:port][/prefix]`).
public struct ServerAddress: Equatable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: UInt16
    /// Path prepended to every request (a reverse proxy's prefix), without a trailing `/`.
    public var pathPrefix: String

    /// Parses `text`; only `http://` for now (a TLS client would come with the server's TLS).
    public init(_ text: String) throws(TopError) {
        let lower = text.lowercased()
        guard lower.hasPrefix("http://") else {
            if lower.hasPrefix("https://") { throw .badURL(text, "https is not supported yet; use http://") }
            throw .badURL(text, "expected http://host[:port]")
        }
        var rest = Substring(text.dropFirst("http://".count))
        var prefix = ""
        if let slash = rest.firstIndex(of: "/") {
            prefix = String(rest[slash...])
            rest = rest[..<slash]
        }
        while prefix.hasSuffix("/") { prefix.removeLast() }
        guard !rest.contains("@") else { throw .badURL(text, "put credentials in --user and --password-file") }
        var host: Substring
        var port: UInt16 = 80
        if rest.hasPrefix("[") {
            // An IPv6 literal (RFC 3986 §3.2.2).
            guard let close = rest.firstIndex(of: "]") else { throw .badURL(text, "unclosed [ in the host") }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let p = UInt16(after.dropFirst()) else {
                    throw .badURL(text, "bad port")
                }
                port = p
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            guard let p = UInt16(rest[rest.index(after: colon)...]), p > 0 else { throw .badURL(text, "bad port") }
            port = p
        } else {
            host = rest
        }
        guard !host.isEmpty else { throw .badURL(text, "no host") }
        self.host = String(host)
        self.port = port
        pathPrefix = prefix
    }

    /// The value of the `Host` header (RFC 9110 §7.2).
    var hostHeader: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return port == 80 ? h : "\(h):\(port)"
    }

    public var description: String { "http://\(hostHeader)\(pathPrefix)" }
}
