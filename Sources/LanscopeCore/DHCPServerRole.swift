/// What a DHCP server's replies say about its place on the network, from the reply's router option
/// (option 3, RFC 2132 §3.5) and relay agent address (`giaddr`, RFC 2131 §4.1). A home router hands out
/// its own address as the gateway; a server beside the router (Windows or ISC DHCP, a Pi-hole) hands out
/// another's; a relay agent forwarding replies to clients is an IP router by definition (RFC 1542 §4).
public enum DHCPServerRole: String, Sendable, Hashable, CaseIterable, Comparable {
    /// The reply names the sender itself (its source address or server identifier) as the router.
    case gateway
    /// The sender relays a server's reply to the client's subnet (giaddr set, sent to the client port).
    case relay
    /// The reply names another device as the router: the sender serves DHCP but routes nothing.
    case separate

    public static func < (a: DHCPServerRole, b: DHCPServerRole) -> Bool { a.rawValue < b.rawValue }

    /// Routers of one reply kept with its fact: option 3 lists them in order of preference, and more than a
    /// few on one subnet is not a configuration anyone runs (255 bytes hold 63).
    public static let maximumRouters = 4

    /// The role a server reply gives its sender: nil when the reply states no router and is not relayed.
    /// - Parameters:
    ///   - routers: option 3's addresses, in order.
    ///   - own: the sender's own addresses as the reply states them (IP source, server identifier).
    ///   - relayAddress: `giaddr`; `destinationPort`: the UDP destination port (68 to a client, 67 to a relay).
    public static func of(
        routers: [IPv4Address], own: [IPv4Address], relayAddress: IPv4Address, destinationPort: UInt16
    ) -> DHCPServerRole? {
        if !relayAddress.isUnspecified && destinationPort == 68 { return .relay }
        guard !routers.isEmpty else { return nil }
        return routers.contains(where: { router in own.contains(router) }) ? .gateway : .separate
    }
}
