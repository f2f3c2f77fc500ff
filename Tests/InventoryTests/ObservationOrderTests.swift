import Inventory
import LanscopeCore
import Testing

/// Capture backends may deliver one device's frames in different orders (per-CPU perf buffers vs
/// libpcap); the resulting device must not depend on it.
@Suite struct ObservationOrderTests {
    static let mac = MACAddress("5c:aa:fd:5e:00:13")!
    static let ip = IPAddress("10.231.0.114")!

    static let observations: [Observation] = [
        Observation(
            mac: mac, time: Timestamp(seconds: 10),
            fact: .dhcpClient(DHCPClientFingerprint(messageType: 1, parameterRequestList: [1, 3, 6]))),
        Observation(
            mac: mac, time: Timestamp(seconds: 11),
            fact: .dhcpClient(DHCPClientFingerprint(messageType: 3, parameterRequestList: [1, 3, 6, 15]))),
        Observation(mac: mac, time: Timestamp(seconds: 11), fact: .address(ip, via: .dhcp)),
        Observation(mac: mac, time: Timestamp(seconds: 12), fact: .address(ip, via: .arp)),
        Observation(mac: mac, time: Timestamp(seconds: 13), fact: .address(ip, via: .mdns)),
        Observation(mac: mac, time: Timestamp(seconds: 13), fact: .hostname("e2e-sonos", via: .mdns)),
    ]

    static func permutations<T>(_ items: [T]) -> [[T]] {
        guard items.count > 1 else { return [items] }
        return items.indices.flatMap { i -> [[T]] in
            var rest = items
            let head = rest.remove(at: i)
            return permutations(rest).map { [head] + $0 }
        }
    }

    @Test func device_isTheSame_forEveryArrivalOrder() throws {
        var results: [Device] = []
        for order in Self.permutations(Self.observations) {
            let registry = DeviceRegistry()
            for o in order { registry.record([o]) }
            results.append(try #require(registry.device(Self.mac)))
        }
        #expect(results.count == 720)
        let first = results[0]
        #expect(first.addresses[Self.ip]?.source == .dhcp)
        #expect(first.dhcp?.messageType == 3)
        #expect(first.dhcp?.parameterRequestList == [1, 3, 6, 15])
        for device in results {
            #expect(device.addresses == first.addresses)
            #expect(device.dhcp == first.dhcp)
            #expect(device.hostname == first.hostname)
        }
    }
}
