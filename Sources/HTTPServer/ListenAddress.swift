#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A parsed listen address: `":9184"`, `"127.0.0.1:0"`, `"0.0.0.0:9184"`, `"[::1]:9184"`, `"[::]:9184"`.
struct ListenAddress: Sendable, Equatable {
    enum Host: Sendable, Equatable {
        /// Every interface: IPv6 dual-stack when the kernel has IPv6, else IPv4.
        case any
        case ipv4(UInt32)
        case ipv6([UInt8])
    }

    let host: Host
    let port: UInt16

    init(host: Host, port: UInt16) {
        self.host = host
        self.port = port
    }

    init(parsing text: String) throws(HTTPServerError) {
        guard let colon = text.lastIndex(of: ":") else {
            throw .invalidListenAddress(text, reason: "expected host:port")
        }
        let hostPart = text[..<colon]
        let portPart = text[text.index(after: colon)...]
        guard !portPart.isEmpty, portPart.utf8.count <= 5,
            portPart.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let port = UInt16(portPart)
        else {
            throw .invalidListenAddress(text, reason: "port must be a number from 0 to 65535")
        }
        self.port = port
        if hostPart.isEmpty {
            host = .any
        } else if hostPart.hasPrefix("[") {
            guard hostPart.hasSuffix("]"), hostPart.count > 2 else {
                throw .invalidListenAddress(text, reason: "unterminated IPv6 literal")
            }
            var address = in6_addr()
            guard inet_pton(AF_INET6, String(hostPart.dropFirst().dropLast()), &address) == 1 else {
                throw .invalidListenAddress(text, reason: "not an IPv6 address")
            }
            host = .ipv6(withUnsafeBytes(of: &address) { Array($0) })
        } else if hostPart == "localhost" {
            host = .ipv4(UInt32(0x7F00_0001).bigEndian)
        } else {
            var address = in_addr()
            guard inet_pton(AF_INET, String(hostPart), &address) == 1 else {
                throw .invalidListenAddress(text, reason: "host must be an IPv4 address, [IPv6] or empty")
            }
            host = .ipv4(address.s_addr)
        }
    }

    /// Reachable from other hosts on every interface: empty host, `0.0.0.0` or `[::]`.
    var isWildcard: Bool {
        switch host {
        case .any: return true
        case .ipv4(let address): return address == 0
        case .ipv6(let bytes): return bytes.allSatisfy { $0 == 0 }
        }
    }
}

extension HTTPServer {
    /// Whether `listen` binds every interface (the exporter convention, `:9184`) rather than one address;
    /// nil when it does not parse.
    public static func listensOnEveryInterface(_ listen: String) -> Bool? {
        try? ListenAddress(parsing: listen).isWildcard
    }
}
