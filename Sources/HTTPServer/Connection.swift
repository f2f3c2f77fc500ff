/// Transport-side record of one accepted socket. Owned by the event-loop thread; workers only see its id.
final class Connection {
    let fd: Int32
    let id: UInt64
    let remoteAddress: String
    /// The peer's address without port: what `maxConnectionsPerAddress` counts by.
    let addressKey: String
    var machine: ConnectionStateMachine
    /// Response bytes the socket has not taken yet.
    var pending = OutgoingBytes.empty
    var pendingOffset = 0
    /// When the socket last took response bytes (or the connection was accepted): the least recent
    /// is closed first when pending responses exceed their memory budget.
    var lastWriteProgress: ServerInstant
    /// The pending bytes are a `100 Continue`, not the response to a request.
    var pendingIsInterim = false
    /// A request parsed while a `100 Continue` was still being written; handed to a worker once it is out.
    var heldJob: EventLoop.Job?
    /// A handler is working on this connection's request; the descriptor must stay open until it reports.
    var inFlight = false
    /// Reading stopped because a full request is already buffered behind the pending response.
    var readPaused = false
    /// Close (with lingering) once the pending bytes are out: an error response was queued.
    var closeAfterWrite = false
    /// Sending side shut down; discarding input until EOF or `lingerDeadline`, then close.
    var lingerDeadline: ServerInstant?
    var lingerDiscarded = 0
    /// The socket failed; close as soon as no handler is using it.
    var broken = false
    var closed = false
    /// The TLS session of an HTTPS connection (nil for plain HTTP).
    var tls: TLSSession?
    /// Until the TLS handshake completes: when the connection is closed if it has not.
    var handshakeDeadline: ServerInstant?

    init(fd: Int32, id: UInt64, remoteAddress: String, machine: ConnectionStateMachine, now: ServerInstant) {
        self.fd = fd
        self.id = id
        self.remoteAddress = remoteAddress
        self.addressKey = Self.addressKey(of: remoteAddress)
        self.machine = machine
        self.lastWriteProgress = now
    }

    /// `192.0.2.1:5000` → `192.0.2.1`, `[2001:db8::1]:5000` → `2001:db8::1`; anything else as is.
    static func addressKey(of remote: String) -> String {
        if remote.hasPrefix("["), let close = remote.firstIndex(of: "]") {
            return String(remote[remote.index(after: remote.startIndex)..<close])
        }
        if let colon = remote.lastIndex(of: ":") { return String(remote[..<colon]) }
        return remote
    }

    /// The earliest moment the event loop must look at this connection again.
    var deadline: ServerInstant? {
        if let lingerDeadline { return lingerDeadline }
        guard let handshakeDeadline else { return machine.deadline }
        return min(handshakeDeadline, machine.deadline ?? handshakeDeadline)
    }
}
