import LanscopeCore
import Testing

/// What a DHCP reply says of its sender's role (RFC 2132 §3.5 router option, RFC 2131 §4.1 relay agents).
struct DHCPServerRoleTests {
    static let router = IPv4Address(192, 168, 1, 1)
    static let piHole = IPv4Address(192, 168, 1, 2)
    static let relay = IPv4Address(10, 20, 0, 1)
    static let none = IPv4Address(0, 0, 0, 0)

    @Test func of_isGateway_whenTheReplyNamesItsSenderAsTheRouter() {
        #expect(
            DHCPServerRole.of(routers: [Self.router], own: [Self.router], relayAddress: Self.none, destinationPort: 68)
                == .gateway)
        // By its server identifier, when the IP source is another of its addresses; any router of the list.
        #expect(
            DHCPServerRole.of(
                routers: [Self.piHole, Self.router], own: [IPv4Address(172, 16, 0, 1), Self.router],
                relayAddress: Self.none, destinationPort: 68) == .gateway)
    }

    @Test func of_isSeparate_whenTheReplyNamesAnotherDeviceAsTheRouter() {
        #expect(
            DHCPServerRole.of(routers: [Self.router], own: [Self.piHole], relayAddress: Self.none, destinationPort: 68)
                == .separate)
        // A server answering a relay (to its server port 67) speaks of the client's subnet's router: not its own.
        #expect(
            DHCPServerRole.of(
                routers: [IPv4Address(10, 20, 0, 254)], own: [Self.piHole], relayAddress: Self.relay,
                destinationPort: 67) == .separate)
    }

    @Test func of_isRelay_whenARelayedReplyGoesToTheClientPort() {
        #expect(
            DHCPServerRole.of(routers: [Self.relay], own: [Self.relay], relayAddress: Self.relay, destinationPort: 68)
                == .relay)
        #expect(DHCPServerRole.of(routers: [], own: [], relayAddress: Self.relay, destinationPort: 68) == .relay)
    }

    @Test func of_saysNothing_withoutARouterOption() {
        #expect(DHCPServerRole.of(routers: [], own: [Self.router], relayAddress: Self.none, destinationPort: 68) == nil)
        #expect(
            DHCPServerRole.of(routers: [], own: [Self.router], relayAddress: Self.relay, destinationPort: 67) == nil)
    }
}
