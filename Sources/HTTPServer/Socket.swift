#if canImport(Glibc)
    import Glibc
#endif

/// Thin, typed wrappers over the socket calls the transport uses. Descriptors are non-blocking and close-on-exec.
enum Socket {
    /// Creates, binds and listens; returns the descriptor and the bound port.
    static func listen(on address: ListenAddress, text: String, backlog: Int32 = 1024)
        throws(HTTPServerError) -> (fd: Int32, port: Int)
    {
        switch address.host {
        case .any:
            do {
                return try bind(
                    family: AF_INET6,
                    address: ListenAddress(
                        host: .ipv6(Array(repeating: 0, count: 16)),
                        port: address.port),
                    text: text, backlog: backlog, dualStack: true)
            } catch .socket(let error, _) where error.errno == EAFNOSUPPORT || error.errno == EADDRNOTAVAIL {
                // No IPv6 in this kernel or namespace: fall back to IPv4 on every interface.
                return try bind(
                    family: AF_INET, address: ListenAddress(host: .ipv4(0), port: address.port),
                    text: text, backlog: backlog, dualStack: false)
            }
        case .ipv4:
            return try bind(family: AF_INET, address: address, text: text, backlog: backlog, dualStack: false)
        case .ipv6(let bytes):
            return try bind(
                family: AF_INET6, address: address, text: text, backlog: backlog,
                dualStack: bytes.allSatisfy { $0 == 0 })
        }
    }

    private static func bind(family: Int32, address: ListenAddress, text: String, backlog: Int32, dualStack: Bool)
        throws(HTTPServerError) -> (fd: Int32, port: Int)
    {
        let fd: Int32
        do {
            fd = try syscall("socket") {
                socket(
                    family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
                    0)
            }
        } catch {
            throw .socket(error, address: text)
        }
        do {
            try setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
            if family == AF_INET6 { try setOption(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, dualStack ? 0 : 1) }
            var storage = sockaddr_storage()
            let length = fill(&storage, family: family, address: address)
            _ = try withUnsafePointer(to: &storage) { (pointer) throws(SocketError) in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (raw) throws(SocketError) in
                    try syscall("bind") { Glibc.bind(fd, raw, length) }
                }
            }
            try syscall("listen") { Glibc.listen(fd, backlog) }
            return (fd, try boundPort(fd))
        } catch {
            close(fd)
            if error.errno == EADDRINUSE { throw .addressInUse(text) }
            throw .socket(error, address: text)
        }
    }

    private static func fill(_ storage: inout sockaddr_storage, family: Int32, address: ListenAddress) -> socklen_t {
        withUnsafeMutableBytes(of: &storage) { raw in
            if family == AF_INET {
                var v4 = sockaddr_in()
                v4.sin_family = sa_family_t(AF_INET)
                v4.sin_port = address.port.bigEndian
                if case .ipv4(let host) = address.host { v4.sin_addr.s_addr = host }
                withUnsafeBytes(of: &v4) { raw.copyMemory(from: $0) }
                return socklen_t(MemoryLayout<sockaddr_in>.size)
            }
            var v6 = sockaddr_in6()
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = address.port.bigEndian
            if case .ipv6(let bytes) = address.host, bytes.count == 16 {
                withUnsafeMutableBytes(of: &v6.sin6_addr) { $0.copyBytes(from: bytes) }
            }
            withUnsafeBytes(of: &v6) { raw.copyMemory(from: $0) }
            return socklen_t(MemoryLayout<sockaddr_in6>.size)
        }
    }

    static func boundPort(_ fd: Int32) throws(SocketError) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try withUnsafeMutablePointer(to: &storage) { (pointer) throws(SocketError) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (raw) throws(SocketError) in
                try syscall("getsockname") { getsockname(fd, raw, &length) }
            }
        }
        return describe(storage).port
    }

    static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) throws(SocketError) {
        var value = value
        try syscall("setsockopt") { setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) }
    }

    /// Accepts one connection and makes it non-blocking and close-on-exec; `nil` when none is pending.
    /// (`accept4` is not exported by the Glibc module, hence the two `fcntl` calls.)
    static func accept(_ listener: Int32) throws(SocketError) -> (fd: Int32, remote: String)? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                Result { () throws(SocketError) in try syscall("accept") { Glibc.accept(listener, raw, &length) } }
            }
        }
        let fd: Int32
        switch result {
        case .success(let accepted): fd = accepted
        case .failure(let error):
            if error.errno == EAGAIN || error.errno == EWOULDBLOCK || error.errno == ECONNABORTED { return nil }
            throw error
        }
        do {
            let flags = try syscall("fcntl(F_GETFL)") { fcntl(fd, F_GETFL) }
            try syscall("fcntl(F_SETFL)") { fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
            try syscall("fcntl(F_SETFD)") { fcntl(fd, F_SETFD, FD_CLOEXEC) }
        } catch {
            close(fd)
            throw error
        }
        return (fd, describe(storage).text)
    }

    /// `address:port` (IPv6 in brackets) and the port of a socket address.
    static func describe(_ storage: sockaddr_storage) -> (text: String, port: Int) {
        var storage = storage
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafeBytes(of: &storage) { raw in
                var v4 = raw.load(as: sockaddr_in.self)
                inet_ntop(AF_INET, &v4.sin_addr, &buffer, socklen_t(buffer.count))
                let port = Int(UInt16(bigEndian: v4.sin_port))
                return ("\(cString(buffer)):\(port)", port)
            }
        case AF_INET6:
            return withUnsafeBytes(of: &storage) { raw in
                var v6 = raw.load(as: sockaddr_in6.self)
                inet_ntop(AF_INET6, &v6.sin6_addr, &buffer, socklen_t(buffer.count))
                let port = Int(UInt16(bigEndian: v6.sin6_port))
                var host = cString(buffer)
                // Dual-stack sockets report IPv4 peers as ::ffff:a.b.c.d; show them as plain IPv4.
                if host.hasPrefix("::ffff:") && host.contains(".") { return ("\(host.dropFirst(7)):\(port)", port) }
                host = "[\(host)]"
                return ("\(host):\(port)", port)
            }
        default:
            return ("", 0)
        }
    }
}

private func cString(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
