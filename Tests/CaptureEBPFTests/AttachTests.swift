@_spi(Testing) import CaptureEBPF
import Foundation
import LanscopeCore
import TestSupport
import Testing

/// Attach, traffic, crash recovery, interface recreation and detach on a real veth pair whose peer
/// lives in a namespace created by the test. Serialized: each test owns its interfaces, but
/// attaching is slow enough that running them side by side only adds noise.
@Suite(.needsRoot, .serialized)
struct AttachPrivilegedTests {
    /// Polls until `predicate` holds for the frames seen so far (at most ~3 s).
    func collect(_ capture: EBPFCapture, until predicate: ([EBPFFrame]) -> Bool) -> [EBPFFrame] {
        var frames: [EBPFFrame] = []
        for _ in 0..<30 {
            _ = capture.poll(timeout: .milliseconds(100)) { frames.append($0) }
            if predicate(frames) { break }
        }
        return frames
    }

    @Test(arguments: [EBPFCapture.XDPMode.native, .generic])
    func veth_trafficBothWays_isCountedAndDelivered(xdpMode: EBPFCapture.XDPMode) throws {
        let lab = try VethLab(tag: xdpMode == .native ? "n" : "g")
        defer { lab.tearDown() }
        let capture = try EBPFCapture.load(.init(interface: lab.host, xdpMode: xdpMode), logger: Privileged.logger)
        try capture.attach()
        defer { capture.detach() }
        #expect(try lab.attachedXDP()?.name == "ls_xdp_ingress")

        let arp = Frame.arpRequest(from: Frame.deviceA)
        let mdns = Frame.udpFrame(
            destinationMAC: Frame.ipv4Multicast, sourceMAC: Frame.deviceA, sourcePort: 5353,
            destinationPort: 5353, payload: [0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0])
        let data = Frame.tcpFrame(
            destinationMAC: Frame.gateway, sourceMAC: Frame.deviceA, flags: Frame.tcpACK,
            payload: [UInt8](repeating: 7, count: 200))
        try lab.sendFromPeer([arp, mdns, data])
        let offer = Frame.udpFrame(
            destinationMAC: Frame.deviceB, sourceMAC: Frame.gateway, sourcePort: 67,
            destinationPort: 68, payload: Frame.dhcpMessage(optionBytes: 400, clientMAC: Frame.deviceB))
        try lab.sendFromHost([offer])

        // Only the frames this test sent (by source MAC): the kernel may add its own.
        let frames = collect(capture) { $0.count >= 3 }.filter {
            [Frame.deviceA, Frame.gateway].contains(Array($0.bytes[6..<12]))
        }
        let ingress = frames.filter { $0.direction == .ingress }.map(\.bytes)
        let egress = frames.filter { $0.direction == .egress }.map(\.bytes)
        #expect(ingress.contains(arp))
        #expect(ingress.contains(mdns))
        #expect(!ingress.contains(data))
        #expect(egress == [offer])
        #expect(frames.allSatisfy { $0.interfaceIndex == capture.attachedInterfaceIndex })

        let devices = Dictionary(uniqueKeysWithValues: capture.readDeviceCounters().map { ($0.mac, $0.counters) })
        let deviceA = try #require(devices[MACAddress(octets: Frame.deviceA)!])
        // Frames shorter than 60 bytes are sent as they are on veth (no padding on a virtual wire).
        #expect(
            deviceA
                == expectedCounters([
                    (.transmitted, .other, .other, 1, UInt64(arp.count)),
                    (.transmitted, .ipv4, .udp, 1, UInt64(mdns.count)),
                    (.transmitted, .ipv4, .tcp, 1, UInt64(data.count)),
                ]))
        #expect(
            devices[MACAddress(octets: Frame.deviceB)!]
                == expectedCounters([(.received, .ipv4, .udp, 1, UInt64(offer.count))]))
        #expect(capture.readDropCounters().values.allSatisfy { $0 == 0 })
    }

    @Test(arguments: [EBPFCapture.XDPMode.native, .generic])
    func veth_jumboFrames_countedWholeAndCopiedToSnapLength(xdpMode: EBPFCapture.XDPMode) throws {
        let lab = try VethLab(tag: xdpMode == .native ? "jn" : "jg")
        defer { lab.tearDown() }
        try VethLab.run("/usr/sbin/ip", "link", "set", "dev", lab.host, "mtu", "9000")
        try VethLab.run("/usr/sbin/ip", "-n", lab.namespace, "link", "set", "dev", lab.peer, "mtu", "9000")
        let capture = try EBPFCapture.load(.init(interface: lab.host, xdpMode: xdpMode), logger: Privileged.logger)
        try capture.attach()
        defer { capture.detach() }

        let payload = (0..<(9000 - 42)).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        let fromPeer = Frame.udpFrame(
            destinationMAC: Frame.ipv4Multicast, sourceMAC: Frame.deviceA, sourcePort: 5353,
            destinationPort: 5353, payload: payload)
        let fromHost = Frame.udpFrame(
            destinationMAC: Frame.deviceB, sourceMAC: Frame.gateway, sourcePort: 1900,
            destinationPort: 1900, payload: payload)
        try lab.sendFromPeer([fromPeer])
        try lab.sendFromHost([fromHost])
        let frames = collect(capture) { $0.count >= 2 }.filter { $0.wireLength == 9000 }

        #expect(frames.filter { $0.direction == .ingress }.map(\.bytes) == [Array(fromPeer.prefix(1600))])
        #expect(frames.filter { $0.direction == .egress }.map(\.bytes) == [Array(fromHost.prefix(1600))])
        #expect(capture.readDropCounters()[.truncated] == 2)
        #expect(capture.readDropCounters()[.malformed] == 0, "headers in page fragments are still parsed")
        let devices = Dictionary(uniqueKeysWithValues: capture.readDeviceCounters().map { ($0.mac, $0.counters) })
        #expect(devices[MACAddress(octets: Frame.deviceA)!] == expectedCounters([(.transmitted, .ipv4, .udp, 1, 9000)]))
        #expect(devices[MACAddress(octets: Frame.deviceB)!] == expectedCounters([(.received, .ipv4, .udp, 1, 9000)]))
    }

    @Test func attach_afterCrashedRun_replacesStaleProgramAndDetachLeavesNone() throws {
        let lab = try VethLab(tag: "c")
        defer { lab.tearDown() }
        let configuration = EBPFCapture.Configuration(interface: lab.host, xdpMode: .generic)

        var crashed: EBPFCapture? = try EBPFCapture.load(configuration, logger: Privileged.logger)
        try crashed?.attach()
        let staleID = try #require(try lab.attachedXDP()?.id)
        crashed = nil  // the process "dies": object closed, nothing detached
        #expect(try lab.attachedXDP()?.id == staleID, "a crash leaves the program attached")
        #expect(try lab.egressFilters().count == 1)

        let capture = try EBPFCapture.load(configuration, logger: Privileged.logger)
        try capture.attach()
        let attached = try #require(try lab.attachedXDP())
        #expect(attached.id != staleID)
        #expect(attached.name == "ls_xdp_ingress")
        #expect(try lab.egressFilters().count == 1, "the stale TC filter was replaced, not duplicated")

        capture.detach()
        #expect(try lab.attachedXDP() == nil)
        #expect(try lab.egressFilters().isEmpty)
        capture.detach()  // idempotent
        #expect(try lab.attachedXDP() == nil)
    }

    @Test func attach_foreignXDPProgram_isRefusedAndLeftInPlace() throws {
        let lab = try VethLab(tag: "f")
        defer { lab.tearDown() }
        // Any XDP program not named ls_xdp_ingress is someone else's: here the benchmark floor
        // program from our own object, attached by `ip` under its name ls_xdp_pass.
        let object = FileManager.default.temporaryDirectory.appendingPathComponent("lanscope-foreign-\(getpid()).o")
        defer { try? FileManager.default.removeItem(at: object) }
        try Data(EBPFCapture.embeddedObjectBytes).write(to: object)
        try VethLab.run("/usr/sbin/ip", "link", "set", "dev", lab.host, "xdpgeneric", "obj", object.path, "sec", "xdp")
        let foreign = try #require(try lab.attachedXDP())
        #expect(foreign.name == "ls_xdp_pass")

        let capture = try EBPFCapture.load(.init(interface: lab.host, xdpMode: .generic), logger: Privileged.logger)
        #expect(throws: EBPFError.foreignXDPProgram(interface: lab.host, name: "ls_xdp_pass", id: UInt32(foreign.id))) {
            try capture.attach()
        }
        #expect(capture.attachedInterfaceIndex == nil)
        #expect(try lab.attachedXDP()?.id == foreign.id)
        #expect(try lab.egressFilters().isEmpty)
    }

    @Test func reattachIfNeeded_interfaceRecreated_reattachesToNewIndex() throws {
        let lab = try VethLab(tag: "r")
        defer { lab.tearDown() }
        let capture = try EBPFCapture.load(.init(interface: lab.host, xdpMode: .auto), logger: Privileged.logger)
        try capture.attach()
        defer { capture.detach() }
        let firstIndex = try #require(capture.attachedInterfaceIndex)
        #expect(capture.reattachIfNeeded() == false, "nothing changed")

        lab.deletePair()
        #expect(capture.reattachIfNeeded() == false, "no interface to attach to yet")
        try lab.createPair()
        #expect(capture.reattachIfNeeded() == true)
        let secondIndex = try #require(capture.attachedInterfaceIndex)
        #expect(secondIndex != firstIndex)
        #expect(try lab.attachedXDP()?.name == "ls_xdp_ingress")
        #expect(try lab.egressFilters().count == 1)
        #expect(capture.reattachIfNeeded() == false)

        // Someone removes the XDP program by hand: the next check puts it back.
        try VethLab.run("/usr/sbin/ip", "link", "set", "dev", lab.host, "xdp", "off")
        #expect(capture.reattachIfNeeded() == true)
        #expect(try lab.attachedXDP()?.name == "ls_xdp_ingress")

        let arp = Frame.arpRequest(from: Frame.deviceB)
        try lab.sendFromPeer([arp])
        let frames = collect(capture) { $0.contains { $0.bytes == arp } }
        #expect(frames.contains { $0.bytes == arp && $0.interfaceIndex == secondIndex })
        let deviceB = capture.readDeviceCounters().first { $0.mac == MACAddress(octets: Frame.deviceB)! }
        #expect(deviceB?.counters == expectedCounters([(.transmitted, .other, .other, 1, UInt64(arp.count))]))
    }
}
