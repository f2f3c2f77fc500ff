#if canImport(Glibc)
    import Glibc
#endif

/// Starts plain OS threads, outside Swift's cooperative pool, for loops that block in syscalls
/// (`epoll_wait`, `pcap` reads, a condition lock). The one thread helper of the package.
public enum POSIXThread {
    private final class Box {
        let name: String?
        let body: @Sendable () -> Void
        init(name: String?, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }

    /// Starts a joinable thread, named `name` (Linux keeps 15 bytes, shown by `top -H`) when given.
    /// Throws the `pthread_create` error number.
    public static func start(name: String? = nil, _ body: @escaping @Sendable () -> Void) throws(ThreadError)
        -> pthread_t
    {
        let box = Unmanaged.passRetained(Box(name: name, body: body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(
            &thread, nil,
            { argument in
                guard let argument else { return nil }
                let box = Unmanaged<Box>.fromOpaque(argument).takeRetainedValue()
                if let name = box.name { POSIXThread.nameCurrentThread(name) }
                box.body()
                return nil
            }, box)
        guard result == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            throw ThreadError(code: result)
        }
        return thread
    }

    /// Starts a detached thread that runs until `body` returns; a failure to start is a programmer or
    /// resource error the service cannot run without, so it traps with the reason.
    public static func spawn(name: String, _ body: @escaping @Sendable () -> Void) {
        do {
            let thread = try start(name: name, body)
            pthread_detach(thread)
        } catch {
            preconditionFailure("pthread_create failed for \(name): \(error)")
        }
    }

    public static func join(_ thread: pthread_t) {
        _ = pthread_join(thread, nil)
    }

    /// Glibc's module does not export `pthread_setname_np`: write the name where the kernel reads it.
    static func nameCurrentThread(_ name: String) {
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        guard fd >= 0 else { return }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }
}

/// `pthread_create` failed with this error number.
public struct ThreadError: Error, CustomStringConvertible {
    public var code: Int32
    public var description: String { errnoText(code) }
}
