import Foundation

/// The `lanscope` executable SwiftPM built beside this test bundle (`swift build --build-tests` and
/// `swift test` build every product), or nil when it is not there.
enum LanscopeBinary {
    static let path: String? = {
        let bundle = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        var directory = URL(fileURLWithPath: bundle).deletingLastPathComponent()
        // The test binary may sit inside `lanscopePackageTests.xctest/…`: walk up to the products directory.
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("lanscope").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        return nil
    }()

    /// The package root (for deploy/samples and test fixtures).
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()
}

/// A child process started with `posix_spawn`, its signal mask emptied and dispositions reset: the
/// test runner's threads block most signals, and a child (a tmux server especially) that inherited that
/// mask would never see SIGCHLD or SIGTERM.
struct SpawnedProcess {
    let pid: pid_t

    /// Starts `executable`; standard input is /dev/null, output and errors go to `outputPath`.
    init(_ executable: String, _ arguments: [String], outputPath: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard status == 0 else { throw TmuxError(message: "posix_spawn \(executable): \(status)") }
        self.pid = pid
    }

    /// The exit status (128 + signal when killed), or nil while running. Reaps the child once.
    func poll() -> Int32? {
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }

    /// Waits up to `timeout` seconds; on expiry SIGKILLs and reaps. Returns the exit status.
    func wait(timeout: TimeInterval) -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let status = poll() { return status }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return 128 + SIGKILL
    }
}

/// Runs a program to completion with a bounded wait; returns exit status and what it printed (output
/// and errors together, through a file: `tmux new-session` leaves a server behind holding them).
func runProcess(_ executable: String, _ arguments: [String], timeout: TimeInterval = 20) throws -> (
    status: Int32, output: String
) {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("lanscope-top-run-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
    defer { unlink(path) }
    let child = try SpawnedProcess(executable, arguments, outputPath: path)
    let status = child.wait(timeout: timeout)
    return (status, (try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
}
