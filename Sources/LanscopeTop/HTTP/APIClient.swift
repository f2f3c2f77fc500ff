#if canImport(Glibc)
    import Glibc
#endif

/// A small HTTP/1.1 client on POSIX sockets for lanscope's API: `GET` only, one keep-alive connection
/// reused between polls, `Content-Length` and chunked bodies (RFC 9112 §6–7), a timeout on every
/// socket operation and a cap on what it will read. An `https://` address goes through TLS
/// (`TLSClientSession`), the server's certificate verified.
public final class APIClient {
    public struct Limits: Sendable {
        /// Longest a connect, send or receive may block (default 5 s).
        public var timeoutSeconds: Int = 5
        /// Largest body read (default 512 MiB; `/devices.json` is ~1.1 KB per device).
        public var maxBodyBytes: Int = 512 << 20
        /// Largest response head read (default 64 KiB).
        public var maxHeadBytes: Int = 64 << 10
        public init() {}
    }

    public let address: ServerAddress
    public let credentials: BasicCredentials?
    public let limits: Limits
    public let tlsOptions: TLSClientOptions
    private var fd: Int32 = -1
    /// The connection's TLS, for an https address.
    private var tls: TLSClientSession?
    /// Built on the first https connection and kept (it holds the loaded CA and client certificate).
    private var tlsContext: TLSClientContext?
    /// Bytes received past the end of the previous response.
    private var leftover: [UInt8] = []

    public init(
        address: ServerAddress, credentials: BasicCredentials?, limits: Limits = Limits(),
        tls: TLSClientOptions = TLSClientOptions()
    ) {
        self.address = address
        self.credentials = credentials
        self.limits = limits
        tlsOptions = tls
    }

    deinit { disconnect() }

    /// The body of `GET path` (path starts with `/`); a status other than 200 is `TopError.status`.
    public func get(_ path: String) throws(TopError) -> [UInt8] {
        let reused = fd >= 0
        do {
            return try exchange(path)
        } catch .connection(let why) where reused {
            // The server may have closed the idle connection since the last poll: once more, fresh.
            _ = why
            disconnect()
            return try exchange(path)
        }
    }

    private func exchange(_ path: String) throws(TopError) -> [UInt8] {
        if fd < 0 { try connect() }
        do throws(TopError) {
            try send(request(for: path))
            let response = try readResponse()
            if !response.keepAlive { disconnect() }
            guard response.status == 200 else {
                throw TopError.status(response.status, Self.errorMessage(response.body) ?? response.reason)
            }
            return response.body
        } catch {
            disconnect()
            throw error
        }
    }

    func request(for path: String) -> [UInt8] {
        var head = "GET \(address.pathPrefix)\(path) HTTP/1.1\r\nHost: \(address.hostHeader)\r\n"
        head += "User-Agent: lanscope-top\r\nAccept: */*\r\n"
        if let credentials { head += "Authorization: \(credentials.headerValue)\r\n" }
        return Array((head + "\r\n").utf8)
    }

    private func connect() throws(TopError) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>? = nil
        let status = getaddrinfo(address.host, String(address.port), &hints, &list)
        guard status == 0, let list else {
            throw .connection("cannot resolve \(address.host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var lastError: Int32 = 0
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let info = entry {
            entry = info.pointee.ai_next
            let s = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard s >= 0 else {
                lastError = errno
                continue
            }
            var timeout = timeval(tv_sec: limits.timeoutSeconds, tv_usec: 0)
            // On Linux SO_SNDTIMEO also bounds connect(2) (socket(7)).
            setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var one: Int32 = 1
            setsockopt(s, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            if Glibc.connect(s, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
                if address.usesTLS {
                    do throws(TopError) {
                        if tlsContext == nil { tlsContext = try TLSClientContext(tlsOptions) }
                        tls = try TLSClientSession(
                            socket: s, host: address.host, port: address.port, context: tlsContext!)
                    } catch {
                        close(s)
                        throw error
                    }
                }
                fd = s
                leftover = []
                return
            }
            lastError = errno
            close(s)
        }
        throw .connection("\(address): \(String(cString: strerror(lastError)))")
    }

    private func disconnect() {
        tls = nil
        if fd >= 0 { close(fd) }
        fd = -1
        leftover = []
    }

    private func send(_ bytes: [UInt8]) throws(TopError) {
        var offset = 0
        while offset < bytes.count {
            if let tls {
                let sent = bytes.withUnsafeBytes { raw in
                    Result { () throws(TopError) in try tls.write(raw.baseAddress! + offset, bytes.count - offset) }
                }
                offset += try sent.get()
                continue
            }
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, 0x4000) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .connection("send: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    /// Receives into `buffer` from `start`; returns the bytes read, 0 at the end of the stream.
    private func receive(into buffer: inout [UInt8], at start: Int) throws(TopError) -> Int {
        if let tls {
            let received = buffer.withUnsafeMutableBytes { raw in
                Result { () throws(TopError) in try tls.read(raw.baseAddress! + start, raw.count - start) }
            }
            return try received.get()
        }
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + start, $0.count - start, 0) }
            if n >= 0 { return n }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { throw .connection("timed out waiting for the server") }
            throw .connection("receive: \(String(cString: strerror(errno)))")
        }
    }

    private func readResponse() throws(TopError) -> HTTPResponseHead.WithBody {
        var data = leftover
        leftover = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        var headEnd: Int? = HTTPResponseHead.endOfHead(in: data)
        while headEnd == nil {
            guard data.count < limits.maxHeadBytes else { throw .protocolError("response head too long") }
            let n = try receive(into: &chunk, at: 0)
            guard n > 0 else { throw .connection("the server closed the connection") }
            data.append(contentsOf: chunk[0..<n])
            headEnd = HTTPResponseHead.endOfHead(in: data)
        }
        let head = try HTTPResponseHead(data[0..<headEnd!])
        var rest = Array(data[headEnd!...])
        let body: [UInt8]
        switch head.framing {
        case .length(let length):
            guard length <= limits.maxBodyBytes else { throw .protocolError("body of \(length) bytes is too large") }
            body = try readBody(length: length, have: &rest)
        case .chunked:
            body = try readChunked(have: &rest)
        case .untilClose:
            body = try readToClose(have: rest)
            rest = []
        }
        leftover = rest
        return .init(status: head.status, reason: head.reason, keepAlive: head.keepAlive, body: body)
    }

    /// Exactly `length` bytes, read straight into the body's storage; the surplus stays in `have`.
    private func readBody(length: Int, have: inout [UInt8]) throws(TopError) -> [UInt8] {
        if have.count >= length {
            let body = Array(have[0..<length])
            have.removeFirst(length)
            return body
        }
        var body = [UInt8](repeating: 0, count: length)
        body.replaceSubrange(0..<have.count, with: have)
        var filled = have.count
        have = []
        while filled < length {
            let n = try receive(into: &body, at: filled)
            guard n > 0 else { throw .connection("the server closed the connection mid-body") }
            filled += n
        }
        return body
    }

    private func readToClose(have: [UInt8]) throws(TopError) -> [UInt8] {
        var body = have
        var chunk = [UInt8](repeating: 0, count: 256 << 10)
        while true {
            let n = try receive(into: &chunk, at: 0)
            if n == 0 { return body }
            body.append(contentsOf: chunk[0..<n])
            guard body.count <= limits.maxBodyBytes else { throw .protocolError("body too large") }
        }
    }

    /// Chunked transfer coding (RFC 9112 §7.1): size line, data, CRLF, … a zero size, trailers, CRLF.
    private func readChunked(have: inout [UInt8]) throws(TopError) -> [UInt8] {
        var body: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        func line() throws(TopError) -> [UInt8] {
            while true {
                if let lf = have.firstIndex(of: 0x0A) {
                    let text = Array(have[0..<lf])
                    have.removeFirst(lf + 1)
                    return text.last == 0x0D ? Array(text.dropLast()) : text
                }
                guard have.count < 4096 else { throw .protocolError("chunk size line too long") }
                let n = try receive(into: &chunk, at: 0)
                guard n > 0 else { throw .connection("the server closed the connection mid-body") }
                have.append(contentsOf: chunk[0..<n])
            }
        }
        while true {
            let sizeLine = try line()
            let digits = sizeLine.prefix { $0 != UInt8(ascii: ";") && $0 != UInt8(ascii: " ") }
            guard let size = Int(String(decoding: digits, as: UTF8.self), radix: 16), size >= 0 else {
                throw .protocolError("bad chunk size")
            }
            if size == 0 {
                while try !line().isEmpty {}
                return body
            }
            guard body.count + size <= limits.maxBodyBytes else { throw .protocolError("body too large") }
            body += try readBody(length: size, have: &have)
            guard try line().isEmpty else { throw .protocolError("chunk not followed by CRLF") }
        }
    }

    static func errorMessage(_ body: [UInt8]) -> String? {
        guard case .object(let fields)? = try? JSONValue.parse(body), case .string(let message)? = fields["error"]
        else { return nil }
        return message
    }
}
