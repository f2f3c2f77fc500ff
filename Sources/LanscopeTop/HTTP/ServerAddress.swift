/// Where a lanscope serves its API: from `--url` (`http[s]://host[:port][/prefix]`).
public struct ServerAddress: Equatable, Sendable, CustomStringConvertible {
    /// Over TLS (`https://`, for a server with `tls_server_config` in its web config).
    public var usesTLS: Bool
    public var host: String
    public var port: UInt16
    /// Path prepended to every request (a reverse proxy's prefix), without a trailing `/`.
    public var pathPrefix: String

    /// Parses `text`: `http://` or `https://`, a host (name, IPv4, or IPv6 in brackets), an optional port
    /// (default 80 or 443) and an optional path prefix.
    public init(_ text: String) throws(TopError) {
        let lower = text.lowercased()
        if lower.hasPrefix("http://") {
            usesTLS = false
        } else if lower.hasPrefix("https://") {
            usesTLS = true
        } else {
            throw .badURL(text, "expected http://host[:port] or https://host[:port]")
        }
        var rest = Substring(text.dropFirst(usesTLS ? "https://".count : "http://".count))
        var prefix = ""
        if let slash = rest.firstIndex(of: "/") {
            prefix = String(rest[slash...])
            rest = rest[..<slash]
        }
        while prefix.hasSuffix("/") { prefix.removeLast() }
        guard !rest.contains("@") else { throw .badURL(text, "put credentials in --user and --password-file") }
        var host: Substring
        var port: UInt16 = usesTLS ? 443 : 80
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
        return port == (usesTLS ? 443 : 80) ? h : "\(h):\(port)"
    }

    public var description: String { "\(usesTLS ? "https" : "http")://\(hostHeader)\(pathPrefix)" }
}
