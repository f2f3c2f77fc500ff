#if canImport(Glibc)
    import Glibc
#endif

/// Starts a plain OS thread, outside Swift's cooperative pool, so it may block in `epoll_wait` or on a lock.
enum PosixThread {
    private final class Box {
        let body: @Sendable () -> Void
        init(body: @escaping @Sendable () -> Void) { self.body = body }
    }

    static func start(_ body: @escaping @Sendable () -> Void) throws(SocketError) -> pthread_t {
        let box = Unmanaged.passRetained(Box(body: body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(
            &thread, nil,
            { argument in
                guard let argument else { return nil }
                let box = Unmanaged<Box>.fromOpaque(argument).takeRetainedValue()
                box.body()
                return nil
            }, box)
        guard result == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            throw SocketError(call: "pthread_create", errno: result)
        }
        return thread
    }

    static func join(_ thread: pthread_t) {
        _ = pthread_join(thread, nil)
    }
}
