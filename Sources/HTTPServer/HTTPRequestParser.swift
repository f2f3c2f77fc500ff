/// Incremental, pure HTTP/1.x request parser (RFC 9112). Feed it bytes as they arrive with ``append(_:)``
/// and pull complete requests with ``nextRequest()``; it never touches a socket or a clock.
///
/// Decisions:
/// - A bare LF is accepted as a line terminator and a CR before it ignored (RFC 9112 §2.2 allows this);
///   a CR anywhere else is rejected with 400.
/// - Empty lines before a request line are skipped (RFC 9112 §2.2).
/// - obs-fold (a field line starting with SP/HTAB) and whitespace between field name and colon are
///   rejected with 400 (RFC 9112 §5.1, §5.2).
/// - No transfer coding is supported for request bodies: any `Transfer-Encoding` is 501, and together with
///   `Content-Length` it is 400 (RFC 9112 §6.1, request smuggling).
/// - After an error the parser stays failed; the connection must be closed.
public struct HTTPRequestParser: Sendable {
    private enum Phase: Sendable {
        case head
        case body(HTTPRequest, length: Int, headEnd: Int)
    }

    private let limits: HTTPServer.Limits
    private var buffer: [UInt8] = []
    /// Start of the unconsumed bytes in `buffer`.
    private var start = 0
    /// Where the search for the next line ending resumes.
    private var scanIndex = 0
    /// Start of the line being scanned.
    private var lineStart = 0
    private var requestLineSeen = false
    private var headerBytes = 0
    private var headerCount = 0
    private var phase = Phase.head
    private var failure: HTTPParseError?

    public init(limits: HTTPServer.Limits = HTTPServer.Limits()) {
        self.limits = limits
        buffer.reserveCapacity(1024)
    }

    /// Bytes received but not yet returned as part of a request.
    public var bufferedByteCount: Int { buffer.count - start }

    /// Whether part of a request has arrived (so a head-read timer should be running).
    public var hasPartialRequest: Bool { bufferedByteCount > 0 }

    /// The head of an HTTP/1.1 request with `Expect: 100-continue` is complete and its body has not fully
    /// arrived: the client may be waiting for a `100 Continue` before sending it (RFC 9110 §10.1.1).
    public var isAwaitingBodyAfterExpectContinue: Bool {
        guard case .body(let request, let length, let headEnd) = phase else { return false }
        return request.version == .http1_1 && buffer.count - headEnd < length
            && request.headers.containsToken("100-continue", in: "Expect")
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compactIfConsumed()
        buffer.append(contentsOf: bytes.assumingMemoryBound(to: UInt8.self))
    }

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        compactIfConsumed()
        buffer.append(contentsOf: bytes)
    }

    /// The next complete request, `nil` when more bytes are needed, or the error that makes the stream unusable.
    public mutating func nextRequest() throws(HTTPParseError) -> HTTPRequest? {
        if let failure { throw failure }
        do {
            return try advance()
        } catch {
            failure = error
            throw error
        }
    }

    private mutating func advance() throws(HTTPParseError) -> HTTPRequest? {
        if case .head = phase {
            guard let headEnd = try scanHead() else { return nil }
            let head = try buffer.withUnsafeBufferPointer { (all) throws(HTTPParseError) -> HTTPRequest in
                try Self.parseHead(UnsafeBufferPointer(rebasing: all[start..<headEnd]))
            }
            let length = try bodyLength(of: head)
            phase = .body(head, length: length, headEnd: headEnd)
        }
        guard case .body(var request, let length, let headEnd) = phase else { return nil }
        guard buffer.count - headEnd >= length else { return nil }
        if length > 0 && request.method != "GET" && request.method != "HEAD" {
            request.body = Array(buffer[headEnd..<(headEnd + length)])
        }
        consume(upTo: headEnd + length)
        return request
    }

    private mutating func consume(upTo end: Int) {
        start = end
        scanIndex = end
        lineStart = end
        requestLineSeen = false
        headerBytes = 0
        headerCount = 0
        phase = .head
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
            scanIndex = 0
            lineStart = 0
        }
    }

    private mutating func compactIfConsumed() {
        guard start > 0 else { return }
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
        } else if start >= 4096 {
            buffer.removeSubrange(0..<start)
        } else {
            return
        }
        scanIndex -= start
        lineStart -= start
        if case .body(let request, let length, let headEnd) = phase {
            phase = .body(request, length: length, headEnd: headEnd - start)
        }
        start = 0
    }

    /// Advances the line scan; returns the index just past the empty line ending the head, once it has arrived.
    private mutating func scanHead() throws(HTTPParseError) -> Int? {
        let end = buffer.count
        let limits = self.limits
        var scan = scanIndex, line = lineStart, seen = requestLineSeen, bytes = headerBytes, count = headerCount
        var newStart = start
        defer {
            scanIndex = scan; lineStart = line; requestLineSeen = seen; headerBytes = bytes; headerCount = count
        }
        let result = try buffer.withUnsafeBufferPointer { (all) throws(HTTPParseError) -> Int? in
            while scan < end {
                guard let newline = Self.indexOf(ASCII.lf, in: all, from: scan, to: end) else {
                    scan = end
                    break
                }
                scan = newline + 1
                var content = newline - line
                if content > 0 && all[newline - 1] == ASCII.cr { content -= 1 }
                if !seen {
                    if content == 0 {
                        // Empty line before the request line: skip it (RFC 9112 §2.2).
                        line = scan
                        newStart = scan
                        continue
                    }
                    if content > limits.maxRequestLineBytes {
                        throw .requestLineTooLong(limit: limits.maxRequestLineBytes)
                    }
                    seen = true
                } else if content == 0 {
                    return scan
                } else {
                    count += 1
                    bytes += scan - line
                    if count > limits.maxHeaderCount { throw .headerCountExceeded(limit: limits.maxHeaderCount) }
                    if bytes > limits.maxHeaderBytes { throw .headerBytesExceeded(limit: limits.maxHeaderBytes) }
                }
                line = scan
            }
            let partial = end - line
            if !seen {
                let tooLong =
                    partial > limits.maxRequestLineBytes + 1
                    || (partial == limits.maxRequestLineBytes + 1 && all[end - 1] != ASCII.cr)
                if tooLong { throw .requestLineTooLong(limit: limits.maxRequestLineBytes) }
            } else if partial > 0 && !(partial == 1 && all[line] == ASCII.cr)
                && bytes + partial + 1 > limits.maxHeaderBytes
            {
                // The unfinished field line still needs at least its LF, so it can only grow past the limit.
                throw .headerBytesExceeded(limit: limits.maxHeaderBytes)
            }
            return nil
        }
        // Skipped empty lines are dropped so a stream of them cannot grow the buffer.
        start = newStart
        if result == nil && !seen && start == end {
            buffer.removeAll(keepingCapacity: true)
            start = 0
            scan = 0
            line = 0
        }
        return result
    }

    private static func indexOf(_ byte: UInt8, in all: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        guard let base = all.baseAddress, from < to else { return nil }
        guard let found = memchrBytes(base + from, byte, to - from) else { return nil }
        return found - base
    }

    private func bodyLength(of request: HTTPRequest) throws(HTTPParseError) -> Int {
        let transferEncodings = request.headers.values(for: "Transfer-Encoding")
        let contentLengths = request.headers.values(for: "Content-Length")
        if !transferEncodings.isEmpty {
            if !contentLengths.isEmpty { throw .conflictingFraming }
            // HTTP/1.0 has no transfer codings; RFC 9112 §6.1 says to treat such framing as faulty.
            if request.version == .http1_0 { throw .malformedHeader("Transfer-Encoding in an HTTP/1.0 request") }
            throw .unsupportedTransferEncoding(transferEncodings.joined(separator: ", "))
        }
        guard !contentLengths.isEmpty else { return 0 }
        var length: UInt64? = nil
        for value in contentLengths {
            // A list of identical values may be accepted (RFC 9110 §8.6); anything else is an error.
            for item in value.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
                let digits = ASCII.trimmingOWS(item)
                guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
                    throw .invalidContentLength(value)
                }
                var parsed: UInt64 = 0
                var overflow = false
                for digit in digits where !overflow {
                    let (times10, o1) = parsed.multipliedReportingOverflow(by: 10)
                    let (sum, o2) = times10.addingReportingOverflow(UInt64(digit - UInt8(ascii: "0")))
                    overflow = o1 || o2
                    parsed = sum
                }
                if overflow { parsed = UInt64.max }
                if let length, length != parsed { throw .invalidContentLength(contentLengths.joined(separator: ", ")) }
                length = parsed
            }
        }
        let declared = length ?? 0
        guard declared <= UInt64(limits.maxBodyBytes) else {
            throw .bodyTooLarge(contentLength: declared, limit: limits.maxBodyBytes)
        }
        return Int(declared)
    }
}
