import Foundation
import Glibc

/// Makes a directory read-only for the length of a test and back afterwards: as root (whom file
/// modes do not stop) a read-only bind mount of the directory onto itself, otherwise mode 0555.
/// `skipReason` says why when neither takes effect (the directory is then left as it was).
public final class ReadOnlyDirectory {
    public let path: String
    private var mounted = false
    public private(set) var skipReason: String?

    public init(_ path: String) {
        self.path = path
        if geteuid() == 0 {
            guard Self.run("/bin/mount", ["--bind", path, path]) else {
                skipReason = "skipping: mount --bind failed (no CAP_SYS_ADMIN in this environment?)"
                return
            }
            guard Self.run("/bin/mount", ["-o", "remount,bind,ro", path]) else {
                _ = Self.run("/bin/umount", [path])
                skipReason = "skipping: remounting the bind mount read-only failed"
                return
            }
            mounted = true
        } else {
            chmod(path, 0o555)
        }
        // Prove it: creating a file here must fail.
        let probe = path + "/probe"
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        if fd >= 0 {
            close(fd)
            unlink(probe)
            restore()
            mounted = false
            skipReason = "skipping: could not make \(path) read-only"
        }
    }

    deinit { restore() }

    private func restore() {
        if mounted { _ = Self.run("/bin/umount", [path]) } else { chmod(path, 0o755) }
    }

    private static func run(_ tool: String, _ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
