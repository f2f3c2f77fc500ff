import Inventory
import LanscopeCore
import Testing

/// The registry's counting path (slots and a fixed class grid): what it reports must be what a
/// per-device dictionary of classes would report.
struct DeviceRegistryTrafficTests {
    let a = MACAddress(0x3c, 0x22, 0xfb, 0, 0, 1)
    let b = MACAddress(0xb8, 0x27, 0xeb, 0, 0, 2)
    let c = MACAddress(0x9c, 0x7b, 0xef, 0, 0, 3)

    func frame(_ source: MACAddress, _ destination: MACAddress, ip: UInt8, transport: UInt8, length: Int)
        -> FrameSummary
    {
        var summary = FrameSummary()
        summary.source = source
        summary.destination = destination
        summary.ipVersion = ip
        summary.transport = transport
        summary.wireLength = length
        return summary
    }

    /// `identity(_:)` is `device(_:)` with its sightings and facts current and only its traffic allowed
    /// to lag (as of the last snapshot; it does not rebuild the counters): what stages that read what a
    /// device is get.
    @Test func identity_isTheDevice_withCurrentSightings_andTrafficAsLastRead() throws {
        let registry = DeviceRegistry()
        registry.count(frame(a, b, ip: 4, transport: 6, length: 100), at: Timestamp(nanoseconds: 1_000))
        let read = try #require(registry.snapshot().first { $0.mac == a })
        registry.count(frame(a, b, ip: 4, transport: 6, length: 50), at: Timestamp(nanoseconds: 5_000))
        registry.record([Observation(mac: a, time: Timestamp(nanoseconds: 6_000), fact: .hostname("cam", via: .dhcp))])
        var identity = try #require(registry.identity(a))
        let device = try #require(registry.device(a))
        #expect(identity.lastSeen == Timestamp(nanoseconds: 6_000))
        #expect(identity.hostname == "cam")
        #expect(identity.traffic == read.traffic)
        #expect(device.traffic.transmittedPackets == 2)
        identity.traffic = device.traffic
        #expect(identity == device)
        #expect(registry.identity(c) == nil)
    }

    @Test func count_splitsTrafficByDirectionFamilyAndProtocol_forBothEnds() throws {
        let registry = DeviceRegistry()
        let created = registry.count(frame(a, b, ip: 4, transport: 6, length: 100), at: Timestamp(nanoseconds: 1_000))
        registry.count(frame(a, b, ip: 4, transport: 6, length: 50), at: Timestamp(nanoseconds: 2_000))
        registry.count(frame(b, a, ip: 6, transport: 17, length: 70), at: Timestamp(nanoseconds: 3_000))
        registry.count(frame(a, .broadcast, ip: 0, transport: 0, length: 60), at: Timestamp(nanoseconds: 4_000))
        #expect(
            created == [
                .created(a, time: Timestamp(nanoseconds: 1_000)), .created(b, time: Timestamp(nanoseconds: 1_000)),
            ])

        let deviceA = try #require(registry.device(a))
        #expect(deviceA.traffic.transmittedPackets == 3)
        #expect(deviceA.traffic.transmittedBytes == 210)
        #expect(deviceA.traffic.receivedPackets == 1)
        #expect(deviceA.traffic.receivedBytes == 70)
        #expect(
            deviceA.traffic.byClass == [
                TrafficClass(direction: .transmitted, family: .ipv4, l4: .tcp): PacketByteCount(packets: 2, bytes: 150),
                TrafficClass(direction: .transmitted, family: .other, l4: .other): PacketByteCount(
                    packets: 1, bytes: 60),
                TrafficClass(direction: .received, family: .ipv6, l4: .udp): PacketByteCount(packets: 1, bytes: 70),
            ])
        #expect(deviceA.lastSeen == Timestamp(nanoseconds: 4_000))
        // The destination is created by the frame but only a frame it sends moves its last-seen time.
        let deviceB = try #require(registry.device(b))
        #expect(deviceB.lastSeen == Timestamp(nanoseconds: 3_000))
        #expect(deviceB.traffic.byClass.count == 2)
    }

    @Test func count_honoursAttribution_whenOneEndOnly() throws {
        let registry = DeviceRegistry()
        registry.count(
            frame(a, b, ip: 4, transport: 1, length: 98), at: Timestamp(nanoseconds: 1), attribution: .sourceOnly)
        registry.count(
            frame(a, b, ip: 4, transport: 1, length: 98), at: Timestamp(nanoseconds: 2), attribution: .destinationOnly)
        let deviceA = try #require(registry.device(a))
        let deviceB = try #require(registry.device(b))
        #expect(deviceA.traffic.transmittedPackets == 1 && deviceA.traffic.receivedPackets == 0)
        #expect(deviceB.traffic.receivedPackets == 1 && deviceB.traffic.transmittedPackets == 0)
        #expect(deviceB.traffic.byClass[TrafficClass(direction: .received, family: .ipv4, l4: .icmp)]?.bytes == 98)
    }

    @Test func expire_keepsSurvivorsAndTheirTraffic_afterRemovingFromTheMiddle() throws {
        let registry = DeviceRegistry()
        registry.count(frame(a, .broadcast, ip: 4, transport: 6, length: 10), at: Timestamp(nanoseconds: 10))
        registry.count(frame(b, .broadcast, ip: 4, transport: 17, length: 20), at: Timestamp(nanoseconds: 1))
        registry.count(frame(c, .broadcast, ip: 6, transport: 6, length: 30), at: Timestamp(nanoseconds: 10))
        #expect(
            registry.expire(notSeenSince: Timestamp(nanoseconds: 5), now: Timestamp(nanoseconds: 30)) == [
                .expired(b, time: Timestamp(nanoseconds: 30))
            ])
        #expect(registry.snapshot().map(\.mac) == [c, a].sorted())
        #expect(registry.device(b) == nil)
        #expect(registry.device(c)?.traffic.transmittedBytes == 30)
        #expect(registry.statistics.devicesExpired == 1)
        // A removed MAC comes back as a new device.
        #expect(
            registry.count(frame(b, .broadcast, ip: 4, transport: 6, length: 1), at: Timestamp(nanoseconds: 20))
                == [.created(b, time: Timestamp(nanoseconds: 20))])
        #expect(registry.device(b)?.traffic.transmittedPackets == 1)
    }

    @Test func unknown_listsPositionsOfMACsNotInTheRegistry_includingExpiredOnes() {
        let registry = DeviceRegistry()
        registry.count(frame(a, .broadcast, ip: 4, transport: 6, length: 10), at: Timestamp(nanoseconds: 10))
        registry.count(frame(b, .broadcast, ip: 4, transport: 6, length: 10), at: Timestamp(nanoseconds: 1))
        #expect(registry.unknown(among: [c, a, b, c]) == [0, 3])
        #expect(
            registry.expire(notSeenSince: Timestamp(nanoseconds: 5), now: Timestamp(nanoseconds: 30)) == [
                .expired(b, time: Timestamp(nanoseconds: 30))
            ])
        #expect(registry.unknown(among: [a, b, c]) == [1, 2])
        #expect(registry.unknown(among: []) == [])
    }

    @Test func restore_keepsRestoredTraffic_andAddsToIt() throws {
        var device = Device(mac: a, firstSeen: Timestamp(nanoseconds: 1), lastSeen: Timestamp(nanoseconds: 1))
        device.hostname = "printer"
        device.traffic.transmittedPackets = 5
        device.traffic.transmittedBytes = 500
        device.traffic.byClass[TrafficClass(direction: .transmitted, family: .ipv4, l4: .tcp)] = PacketByteCount(
            packets: 5, bytes: 500)
        let registry = DeviceRegistry()
        registry.restore([device])
        #expect(
            registry.count(frame(a, .broadcast, ip: 4, transport: 6, length: 100), at: Timestamp(nanoseconds: 2))
                .isEmpty)
        let restored = try #require(registry.device(a))
        #expect(restored.hostname == "printer")
        #expect(restored.traffic.transmittedPackets == 6)
        #expect(
            restored.traffic.byClass[TrafficClass(direction: .transmitted, family: .ipv4, l4: .tcp)]
                == PacketByteCount(packets: 6, bytes: 600))
    }

    @Test func count_rejectsNewDevices_whenFull() {
        var configuration = DeviceRegistry.Configuration()
        configuration.maxDevices = 2
        let registry = DeviceRegistry(configuration: configuration)
        registry.count(frame(a, b, ip: 4, transport: 6, length: 10), at: Timestamp(nanoseconds: 1))
        #expect(registry.count(frame(c, a, ip: 4, transport: 6, length: 10), at: Timestamp(nanoseconds: 2)).isEmpty)
        #expect(registry.count == 2)
        #expect(registry.statistics.devicesRejected == 1)
        #expect(registry.device(a)?.traffic.receivedPackets == 1)
    }
}
