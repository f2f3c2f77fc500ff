import Foundation

/// A veth pair for attach tests: `host` stays in the test's namespace (the capture attaches there),
/// `peer` lives in a network namespace created for the test. Everything is removed by name in
/// `tearDown`, which the tests call from `defer`.
final class VethLab {
    static let pythonPath = "/usr/bin/python3"
    let namespace: String
    let host: String
    let peer: String

    init(tag: String) throws {
        let unique = "\(getpid() % 100_000)\(tag)"
        namespace = "lanscope-bpf-\(unique)"
        host = "lsb\(unique)h"
        peer = "lsb\(unique)p"
        precondition(host.utf8.count <= 15)
        do {
            try Self.run("/usr/sbin/ip", "netns", "add", namespace)
            // No IPv6 autoconfiguration chatter from the peer: the tests count exact frames.
            try Self.run(
                "/usr/sbin/ip", "netns", "exec", namespace, "/usr/sbin/sysctl", "-q", "-w",
                "net.ipv6.conf.default.disable_ipv6=1", "net.ipv6.conf.all.disable_ipv6=1")
            try createPair()
        } catch {
            tearDown()
            throw error
        }
    }

    /// (Re)creates the pair, the peer inside the namespace; both up, offloads left alone (frames are raw).
    func createPair() throws {
        try Self.run("/usr/sbin/ip", "link", "add", host, "type", "veth", "peer", "name", peer, "netns", namespace)
        try Self.run("/usr/sbin/sysctl", "-q", "-w", "net.ipv6.conf.\(host).disable_ipv6=1")
        try Self.run("/usr/sbin/ip", "link", "set", host, "up")
        try Self.run("/usr/sbin/ip", "-n", namespace, "link", "set", peer, "up")
    }

    func deletePair() {
        _ = try? Self.run("/usr/sbin/ip", "link", "del", host)
    }

    func tearDown() {
        deletePair()
        _ = try? Self.run("/usr/sbin/ip", "netns", "del", namespace)
    }

    /// Sends raw frames out of the peer (they arrive on `host`: XDP ingress).
    func sendFromPeer(_ frames: [[UInt8]]) throws {
        try Self.run(
            "/usr/sbin/ip",
            ["netns", "exec", namespace, Self.pythonPath, "-c", Self.sender, peer] + frames.map(Self.hex))
    }

    /// Sends raw frames out of `host` (TC egress sees them).
    func sendFromHost(_ frames: [[UInt8]]) throws {
        try Self.run(Self.pythonPath, ["-c", Self.sender, host] + frames.map(Self.hex))
    }

    /// The XDP program on `host` as `ip` reports it: (id, name), or nil.
    func attachedXDP() throws -> (id: Int, name: String)? {
        let output = try Self.run("/usr/sbin/ip", "-j", "-d", "link", "show", "dev", host)
        guard let links = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]],
            let xdp = links.first?["xdp"] as? [String: Any], let prog = xdp["prog"] as? [String: Any],
            let id = prog["id"] as? Int
        else { return nil }
        return (id, prog["name"] as? String ?? "")
    }

    /// BPF filters on `host`'s clsact egress, as `tc` lists them.
    func egressFilters() throws -> [[String: Any]] {
        let output = try Self.run("/usr/sbin/tc", "-j", "filter", "show", "dev", host, "egress")
        guard
            let filters = try JSONSerialization.jsonObject(with: Data(output.isEmpty ? "[]".utf8 : output.utf8))
                as? [[String: Any]]
        else { return [] }
        return filters.filter { $0["kind"] as? String == "bpf" && $0["options"] != nil }
    }

    static let sender = """
        import socket, sys
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        s.bind((sys.argv[1], 0))
        for frame in sys.argv[2:]:
            s.send(bytes.fromhex(frame))
        """

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    struct CommandFailed: Error, CustomStringConvertible {
        var description: String
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: String...) throws -> String {
        try run(executable, arguments)
    }

    /// Runs a command to completion (bounded at 20 s) and returns its standard output.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        DispatchQueue.global().asyncAfter(deadline: .now() + 20) { if process.isRunning { process.terminate() } }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw CommandFailed(
                description:
                    "\(executable) \(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(errorText)"
            )
        }
        return String(decoding: data, as: UTF8.self)
    }
}
