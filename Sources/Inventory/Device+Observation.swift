import LanscopeCore

/// Which hostname wins when a device names itself several ways: what it asked DHCP for first
/// (RFC 2132 option 12 / RFC 4702 option 81), then its own mDNS name, then the rest.
let hostnamePriority: [DiscoveryProtocol] = [.dhcp, .mdns, .dhcpv6, .nbns, .lldp, .cdp, .ssdp, .dns, .http]

/// How authoritative a source of an address is: a DHCP lease over the device's own ARP/NDP over what
/// it announces over mDNS/SSDP. Ties keep the existing source.
let addressSourcePriority: [DiscoveryProtocol] = [.dhcp, .dhcpv6, .arp, .ndp, .mdns, .nbns, .lldp, .cdp, .ssdp]

func addressSourceRank(_ source: DiscoveryProtocol) -> Int {
    addressSourcePriority.firstIndex(of: source) ?? addressSourcePriority.count
}

extension Device {
    mutating func touch(_ time: Timestamp) {
        if time > lastSeen { lastSeen = time }
        if time < firstSeen { firstSeen = time }
    }

    mutating func apply(_ observation: Observation, limits: DeviceRegistry.Configuration) {
        touch(observation.time)
        switch observation.fact {
        case .address(let ip, let via):
            protocols.insert(via)
            if var record = addresses[ip] {
                if observation.time > record.lastSeen { record.lastSeen = observation.time }
                if observation.time < record.firstSeen { record.firstSeen = observation.time }
                // The most authoritative source wins, not the first to arrive: capture backends
                // (per-CPU perf buffers, libpcap) may deliver one device's frames in different orders.
                if addressSourceRank(via) < addressSourceRank(record.source) { record.source = via }
                addresses[ip] = record
            } else if addresses.count < limits.maxAddressesPerDevice {
                addresses[ip] = AddressRecord(firstSeen: observation.time, lastSeen: observation.time, source: via)
            }
        case .hostname(let name, let via):
            protocols.insert(via)
            guard !name.isEmpty else { return }
            hostnames[via] = name
            let best = hostnamePriority.first { hostnames[$0] != nil } ?? hostnames.keys.min()
            if let best {
                hostname = hostnames[best]
                hostnameSource = best
            }
        case .dhcpClient(let fingerprint):
            protocols.insert(.dhcp)
            // DISCOVER/REQUEST carry the full fingerprint; keep the latest, but don't let an INFORM
            // without option 55 erase a richer one.
            if fingerprint.parameterRequestList.isEmpty, let existing = dhcp, !existing.parameterRequestList.isEmpty {
                return
            }
            // The newest by packet time, not by arrival order.
            if let seen = dhcpSeen, observation.time < seen { return }
            dhcp = fingerprint
            dhcpSeen = observation.time
        case .dhcpServer:
            protocols.insert(.dhcp)
            isDHCPServer = true
        case .service(let service):
            protocols.insert(service.via)
            if services.contains(service) { return }
            // A newer announcement of the same instance replaces the older one.
            if let old = services.first(where: {
                $0.via == service.via && $0.type == service.type && $0.name == service.name
            }) {
                services.remove(old)
            }
            if services.count < limits.maxServicesPerDevice { services.insert(service) }
        case .searching(_, let via):
            protocols.insert(via)
        case .software(let text, let via):
            protocols.insert(via)
            software[via] = text
        }
    }
}
