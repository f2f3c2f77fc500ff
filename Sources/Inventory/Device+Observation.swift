import LanscopeCore

/// Which hostname wins when a device names itself several ways: what it asked DHCP for first
/// (RFC 2132 option 12 / RFC 4702 option 81), then its own mDNS name, then the rest.
let hostnamePriority: [DiscoveryProtocol] = [.dhcp, .mdns, .dhcpv6, .nbns, .lldp, .cdp, .ubnt, .ssdp, .dns, .http]

/// How authoritative a source of an address is: a DHCP lease over the device's own ARP/NDP over what
/// it announces over mDNS/SSDP. Ties keep the existing source.
let addressSourcePriority: [DiscoveryProtocol] = [.dhcp, .dhcpv6, .arp, .ndp, .mdns, .nbns, .lldp, .cdp, .ubnt, .ssdp]

func addressSourceRank(_ source: DiscoveryProtocol) -> Int {
    addressSourcePriority.firstIndex(of: source) ?? addressSourcePriority.count
}

extension Device {
    mutating func touch(_ time: Timestamp) {
        if time > lastSeen { lastSeen = time }
        if time < firstSeen { firstSeen = time }
    }

    /// Folds one observation in; identity fields that changed value are appended to `changes`.
    /// Returns true when the device's evidence changed (a new fact, not a repeat of a known one).
    /// `protocolBits` mirrors `protocols` (`DiscoveryProtocol.bit`) and is kept in step with it.
    mutating func apply(
        _ observation: Observation, limits: DeviceRegistry.Configuration, protocolBits: inout UInt32,
        changes: inout [InventoryChange]
    ) -> Bool {
        /// Adds a protocol the device spoke; true when it is new. Most observations repeat a known
        /// protocol: testing its bit costs less than hashing it into the set.
        @discardableResult
        func noteProtocol(_ via: DiscoveryProtocol) -> Bool {
            guard protocolBits & via.bit == 0 else { return false }
            protocolBits |= via.bit
            return protocols.insert(via).inserted
        }

        let time = observation.time
        touch(time)
        switch observation.fact {
        case .address(let ip, let via):
            noteProtocol(via)
            if let index = addresses.index(forKey: ip) {
                // Updated in place through the index: the address is hashed once.
                let before = addresses.values[index].source
                Self.update(&addresses.values[index], seenAt: time, via: via)
                return addresses.values[index].source != before
            } else if addresses.count < limits.maxAddressesPerDevice {
                addresses[ip] = AddressRecord(firstSeen: time, lastSeen: time, source: via)
                return true
            }
            return false
        case .hostname(let name, let via):
            let newProtocol = noteProtocol(via)
            guard !name.isEmpty, hostnames[via] != name else { return newProtocol }
            hostnames[via] = name
            let best = hostnamePriority.first { hostnames[$0] != nil } ?? hostnames.keys.min()
            if let best {
                let before = hostname
                hostname = hostnames[best]
                hostnameSource = best
                note(.hostname, from: before, to: hostname, time: time, &changes)
            }
            return true
        case .dhcpClient(let fingerprint):
            noteProtocol(.dhcp)
            // DISCOVER/REQUEST carry the full fingerprint; keep the latest, but don't let an INFORM
            // without option 55 erase a richer one.
            if fingerprint.parameterRequestList.isEmpty, let existing = dhcp, !existing.parameterRequestList.isEmpty {
                return false
            }
            // The newest by packet time, not by arrival order.
            if let seen = dhcpSeen, time < seen { return false }
            let before = dhcp
            dhcp = fingerprint
            dhcpSeen = time
            // The texts are built only when the list changed (a renewal repeats it).
            if !fingerprint.parameterRequestList.isEmpty,
                before?.parameterRequestList != fingerprint.parameterRequestList
            {
                note(
                    .dhcpFingerprint, from: before?.parameterRequestListText, to: fingerprint.parameterRequestListText,
                    time: time, &changes)
            }
            if let vendorClass = fingerprint.vendorClass {
                note(.dhcpVendorClass, from: before?.vendorClass, to: vendorClass, time: time, &changes)
            }
            return before != fingerprint
        case .dhcpServer(_, _, let role, _):
            noteProtocol(.dhcp)
            defer { isDHCPServer = true }
            let newRole = role.map { dhcpServerRoles.insert($0).inserted } ?? false
            return !isDHCPServer || newRole
        case .service(let service):
            noteProtocol(service.via)
            if services.contains(service) { return false }
            if service.via == .tcp, services.count(where: { $0.via == .tcp }) >= limits.maxServerPortsPerDevice {
                return false
            }
            // A newer announcement of the same instance replaces the older one.
            if let old = services.first(where: {
                $0.via == service.via && $0.type == service.type && $0.name == service.name
            }) {
                services.remove(old)
            }
            if services.count < limits.maxServicesPerDevice { services.insert(service) }
            return true
        case .searching(_, let via):
            return noteProtocol(via)
        case .software(let text, let via):
            noteProtocol(via)
            defer { software[via] = text }
            return software[via] != text
        case .dhcpv6Client(let fingerprint):
            noteProtocol(.dhcpv6)
            if fingerprint.optionRequest.isEmpty, let existing = dhcpv6, !existing.optionRequest.isEmpty {
                return false
            }
            let before = dhcpv6
            dhcpv6 = fingerprint
            if !fingerprint.optionRequest.isEmpty, before?.optionRequest != fingerprint.optionRequest {
                note(
                    .dhcpv6Fingerprint, from: before?.optionRequestText, to: fingerprint.optionRequestText, time: time,
                    &changes)
            }
            return before != fingerprint
        case .tcpSignature(let signature):
            noteProtocol(.tcp)
            if tcpSignatures.contains(signature) { return false }
            guard tcpSignatures.count < limits.maxFingerprintsPerDevice else { return false }
            tcpSignatures.insert(signature)
            return true
        case .dnsQuery(let name):
            noteProtocol(.dns)
            return Device.insertBounded(name, into: &destinationNames, limit: limits.maxNamesPerDevice)
        case .tlsClient(let hello):
            noteProtocol(.tls)
            var changed = Device.insertBounded(
                hello.ja4, into: &tlsFingerprints, limit: limits.maxFingerprintsPerDevice)
            if let name = hello.serverName {
                changed =
                    Device.insertBounded(name, into: &destinationNames, limit: limits.maxNamesPerDevice) || changed
            }
            return changed
        case .httpClient(let head):
            noteProtocol(.http)
            var changed = false
            if let agent = head.userAgent {
                changed = Device.insertBounded(agent, into: &userAgents, limit: limits.maxFingerprintsPerDevice)
            }
            if let host = head.host {
                changed =
                    Device.insertBounded(host, into: &destinationNames, limit: limits.maxNamesPerDevice) || changed
            }
            return changed
        case .inventory(let stated):
            noteProtocol(stated.via)
            defer { inventory[stated.via] = stated }
            return inventory[stated.via] != stated
        case .routerAdvertisement:
            noteProtocol(.ndp)
            defer { isIPv6Router = true }
            return !isIPv6Router
        }
    }

    private static func update(_ record: inout AddressRecord, seenAt time: Timestamp, via: DiscoveryProtocol) {
        if time > record.lastSeen { record.lastSeen = time }
        if time < record.firstSeen { record.firstSeen = time }
        // The most authoritative source wins, not the first to arrive: capture backends
        // (per-CPU perf buffers, libpcap) may deliver one device's frames in different orders.
        if addressSourceRank(via) < addressSourceRank(record.source) { record.source = via }
    }

    /// Inserts unless the set is full; true when the value is new. One hash of the value: `insert`
    /// finds a held value before it would write (a repeat leaves the set, and its storage, alone).
    private static func insertBounded(_ value: String, into set: inout Set<String>, limit: Int) -> Bool {
        guard set.count < limit else { return false }
        return set.insert(value).inserted
    }

    private func note(
        _ field: IdentityField, from: String?, to: String?, time: Timestamp,
        _ changes: inout [InventoryChange]
    ) {
        guard let to, from != to else { return }
        changes.append(.identityChanged(mac, field: field, from: from, to: to, time: time))
    }
}
