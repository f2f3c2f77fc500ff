import Platform

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failed system call: which one and the `errno` it left, captured at the call site.
public struct SocketError: Error, Sendable, Equatable, CustomStringConvertible {
    public let call: String
    public let errno: Int32

    public init(call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    public var description: String { "\(call) failed: \(String(cString: strerror(errno))) (errno \(errno))" }
}

/// Runs a system call, retrying on `EINTR` and turning `-1` into a ``SocketError``.
@inline(__always)
@discardableResult
func syscall<Result: FixedWidthInteger>(_ call: @autoclosure () -> String, _ body: () -> Result)
    throws(SocketError) -> Result
{
    while true {
        let result = body()
        if result != -1 { return result }
        let code = errno
        if code == EINTR { continue }
        throw SocketError(call: call(), errno: code)
    }
}

/// Starts one of the server's threads; a failure is reported like a socket call's.
func startThread(name: String, _ body: @escaping @Sendable () -> Void) throws(SocketError) -> pthread_t {
    do {
        return try POSIXThread.start(name: name, body)
    } catch {
        throw SocketError(call: "pthread_create", errno: error.code)
    }
}
