import Glibc

struct ClientError: Error, CustomStringConvertible {
    let description: String
}

/// A response as read off the wire by ``RawClient``.
struct RawResponse {
    let status: Int
    let headers: [(name: String, value: String)]
    let body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A blocking TCP client over plain Glibc sockets, with a receive timeout so no test can hang.
final class RawClient {
    let fd: Int32
    private var buffer: [UInt8] = []

    /// `source` binds the client to a local IPv4 address first (any 127.x.y.z works on loopback), so a
    /// test can play several client hosts; `receiveBuffer` shrinks `SO_RCVBUF` (a slow reader's window).
    init(
        port: Int, host: String = "127.0.0.1", timeout: Duration = .seconds(3), source: String? = nil,
        receiveBuffer: Int32? = nil
    ) throws {
        let isV6 = host.contains(":")
        fd = socket(isV6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError(description: "socket: errno \(errno)") }
        var tv = timeval(
            tv_sec: Int(timeout.components.seconds),
            tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            inet_pton(AF_INET, source, &local.sin_addr)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0 else {
                let code = errno
                Glibc.close(fd)
                throw ClientError(description: "bind \(source): errno \(code)")
            }
        }
        let result: Int32
        if isV6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = UInt16(port).bigEndian
            inet_pton(AF_INET6, host, &address.sin6_addr)
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            inet_pton(AF_INET, host, &address.sin_addr)
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        guard result == 0 else {
            let code = errno
            Glibc.close(fd)
            throw ClientError(description: "connect: errno \(code)")
        }
    }

    private var isOpen = true

    deinit { close() }

    func close() {
        if isOpen { Glibc.close(fd) }
        isOpen = false
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { throw ClientError(description: "send: errno \(errno)") }
            offset += written
        }
    }

    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// Reads more bytes; returns false at EOF or on error/timeout.
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[..<count])
        return true
    }

    /// One response; `headOnly` for HEAD (Content-Length describes a body that is not sent).
    func readResponse(headOnly: Bool = false) throws -> RawResponse {
        var headEnd: Int? = nil
        while headEnd == nil {
            if let range = firstRange(of: Array("\r\n\r\n".utf8)) {
                headEnd = range
            } else if !fill() {
                throw ClientError(description: "connection ended before a full response head (\(buffer.count) bytes)")
            }
        }
        let head = String(decoding: buffer[..<headEnd!], as: UTF8.self)
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, parts[0] == "HTTP/1.1", let status = Int(parts[1]) else {
            throw ClientError(description: "bad status line \(statusLine)")
        }
        let headers = lines.compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), String(line[line.index(after: colon)...].drop { $0 == " " }))
        }
        buffer.removeFirst(headEnd! + 4)
        let length = headers.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) } ?? 0
        let bodyLength = headOnly ? 0 : length
        while buffer.count < bodyLength {
            guard fill() else { throw ClientError(description: "connection ended inside the body") }
        }
        let body = Array(buffer[..<bodyLength])
        buffer.removeFirst(bodyLength)
        return RawResponse(status: status, headers: headers, body: body)
    }

    /// Whether the server closes the connection (EOF) with no further bytes, within the receive timeout.
    func readsEOF() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count == 0 { return buffer.isEmpty }
            if count < 0 { return errno == ECONNRESET && buffer.isEmpty }
            buffer.append(contentsOf: chunk[..<count])
        }
    }

    var bufferedBytes: Int { buffer.count }

    private func firstRange(of needle: [UInt8]) -> Int? {
        guard buffer.count >= needle.count else { return nil }
        for index in 0...(buffer.count - needle.count)
        where buffer[index..<(index + needle.count)].elementsEqual(needle) {
            return index
        }
        return nil
    }
}
