import Glibc
import Logging

/// One lanscope owns an interface's eBPF attachment at a time. A second `run` would otherwise replace the
/// first one's XDP program (it removes lanscope programs left behind by a crash), and `check` would
/// detach it: traffic uncounted, silently. The owner holds an exclusive `flock` on a small file named
/// after the network namespace and the interface, holding its pid and listen address, for as long as it
/// runs (the kernel drops the lock when the process dies, so a crash leaves nothing to clean up).
///
/// libpcap readers (`--backend pcap`) do not take the lock: like tcpdump beside a running capture, they
/// disturb nothing.
public final class InterfaceOwnership: @unchecked Sendable {
    /// Who holds an interface.
    public struct Owner: Equatable, Sendable, CustomStringConvertible {
        public var pid: Int32
        public var listen: String
        public var description: String { "lanscope pid \(pid) (listening on \(listen))" }
    }

    public enum Failure: Error, CustomStringConvertible {
        case held(interface: String, by: Owner?)
        case replaceFailed(interface: String, by: Owner?)
        case io(String)

        public var description: String {
            switch self {
            case .held(let interface, let owner):
                return "interface \(interface) is already captured by \(owner.map { "\($0)" } ?? "another lanscope");"
                    + " stop it first, or pass --replace to take over on purpose"
            case .replaceFailed(let interface, let owner):
                return
                    "could not take over \(interface) from \(owner.map { "\($0)" } ?? "another lanscope"): it did not stop within 15 s"
            case .io(let message): return message
            }
        }
    }

    let path: String
    private let fd: Int32

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    deinit { close(fd) }

    /// Takes ownership of `interface`, or throws naming the running owner. With `replace`, asks the owner
    /// to stop (SIGTERM) and waits for it.
    public static func acquire(interface: String, listen: String, replace: Bool, logger: Logger) throws(Failure)
        -> InterfaceOwnership
    {
        let path = lockPath(interface)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw .io("cannot create the interface lock \(path): \(String(cString: strerror(errno)))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let owner = readOwner(fd)
            guard replace, let owner else {
                close(fd)
                throw .held(interface: interface, by: owner)
            }
            logger.warning(
                "taking over the interface on request (--replace)",
                metadata: ["interface": "\(interface)", "owner": "\(owner)"])
            kill(owner.pid, SIGTERM)
            var acquired = false
            for _ in 0..<150 {
                if flock(fd, LOCK_EX | LOCK_NB) == 0 { acquired = true; break }
                var pause = timespec(tv_sec: 0, tv_nsec: 100_000_000)
                nanosleep(&pause, nil)
            }
            guard acquired else {
                close(fd)
                throw .replaceFailed(interface: interface, by: owner)
            }
        }
        let record = Array("\(getpid()) \(listen)\n".utf8)
        _ = ftruncate(fd, 0)
        _ = record.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return InterfaceOwnership(path: path, fd: fd)
    }

    /// The running owner of `interface`, if any (what `check` asks before touching an interface).
    public static func owner(of interface: String) -> Owner? {
        let fd = open(lockPath(interface), O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return nil
        }
        return readOwner(fd) ?? Owner(pid: 0, listen: "?")
    }

    static func readOwner(_ fd: Int32) -> Owner? {
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        let fields = String(decoding: buffer[0..<n], as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count >= 2, let pid = Int32(fields[0]) else { return nil }
        return Owner(pid: pid, listen: String(fields[1]))
    }

    /// `<runtime dir>/lanscope/<netns inode>-<interface>.lock`: interfaces in different network namespaces
    /// may share a name.
    static func lockPath(_ interface: String) -> String {
        var info = stat()
        let namespace = stat("/proc/self/ns/net", &info) == 0 ? String(info.st_ino) : "0"
        let safe = String(
            interface.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
        return runtimeDirectory() + "/\(namespace)-\(safe).lock"
    }

    static func runtimeDirectory() -> String {
        var candidates: [String] = []
        if geteuid() == 0 { candidates.append("/run/lanscope") }
        if let xdg = getenv("XDG_RUNTIME_DIR") { candidates.append(String(cString: xdg) + "/lanscope") }
        candidates.append("/tmp/lanscope-\(geteuid())")
        for directory in candidates {
            if mkdir(directory, 0o755) == 0 || errno == EEXIST, access(directory, W_OK) == 0 { return directory }
        }
        return "/tmp"
    }
}
