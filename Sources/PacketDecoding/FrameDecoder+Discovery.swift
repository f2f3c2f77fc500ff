import LanscopeCore

/// Discovery protocols and their attribution rules: which MAC each fact is about.
extension FrameDecoder {
    /// Records a fact unless the MAC cannot be a device (group or zero address), the same fact was
    /// already recorded for this frame, or the frame has produced its quota of facts.
    func emit(_ fact: Fact, about mac: MACAddress, _ result: inout DecodeResult, _ context: Context) {
        guard mac.isUnicastDevice, result.observations.count < Self.maximumObservationsPerFrame else { return }
        let observation = Observation(mac: mac, time: context.time, fact: fact)
        if !result.observations.contains(observation) { result.observations.append(observation) }
    }

    /// ARP teaches the sender's MAC ↔ IPv4 address (requests, replies and gratuitous alike), never
    /// the target fields; a probe's 0.0.0.0 sender (RFC 5227) is no address.
    func decodeARP(_ reader: inout ByteReader, _ result: inout DecodeResult, _ context: inout Context) {
        result.discovery = .arp
        // Other hardware or protocol types (IPv6-less ARP variants, Frame Relay...) are ignored, not errors.
        if let hardwareHigh = reader.peekUInt8(), let hardwareLow = reader.peekUInt8(ahead: 1),
            let protocolHigh = reader.peekUInt8(ahead: 2), let protocolLow = reader.peekUInt8(ahead: 3)
        {
            let hardwareType = UInt16(hardwareHigh) << 8 | UInt16(hardwareLow)
            let protocolType = UInt16(protocolHigh) << 8 | UInt16(protocolLow)
            guard hardwareType == 1 || hardwareType == 6, protocolType == 0x0800 else { return }
        }
        guard let packet = parsed(.arp, &result, { () throws(DecodeError) in try ARPPacket(from: &reader) }) else {
            return
        }
        result.summary.arpOperation = packet.operation
        result.summary.arpSenderIP = packet.senderIP
        result.summary.arpTargetIP = packet.targetIP
        let ip = packet.senderIP
        guard !ip.isUnspecified, !ip.isMulticast, !ip.isLimitedBroadcast else { return }
        emit(.address(.v4(ip), via: .arp), about: packet.senderMAC, &result, context)
    }

    /// NDP (RFC 4861): a source link-layer option pairs with the IPv6 source of RS/RA/NS, a target
    /// link-layer option with the target address of NA. DAD probes (unspecified source) teach nothing.
    func decodeICMPv6(
        _ reader: inout ByteReader, _ result: inout DecodeResult, _ context: inout Context,
        source: IPAddress
    ) {
        guard let type = reader.peekUInt8(), (133...137).contains(type) else { return }
        result.discovery = .ndp
        guard let message = parsed(.ndp, &result, { () throws(DecodeError) in try ICMPv6Message(from: &reader) }) else {
            return
        }
        switch message.type {
        case 133, 134, 135:
            if case .v6(let address) = source, !address.isUnspecified, !address.isMulticast,
                let mac = message.sourceLinkLayerAddress
            {
                emit(.address(source, via: .ndp), about: mac, &result, context)
            }
            // An RA describes the router that sent it: its own link-layer option names it, else
            // the frame's sender does (RFC 4861 §4.2 makes the option optional).
            if let advertisement = message.routerAdvertisement {
                // A cut RA may have lost prefix options that would leave no trace.
                guard !context.isCut else {
                    result.error = DecodeFailure(layer: .ndp, error: context.cutError)
                    return
                }
                emit(
                    .routerAdvertisement(advertisement), about: message.sourceLinkLayerAddress ?? context.sender,
                    &result, context)
            }
        case 136:
            if let target = message.targetAddress, !target.isUnspecified, !target.isMulticast,
                let mac = message.targetLinkLayerAddress
            {
                emit(.address(.v6(target), via: .ndp), about: mac, &result, context)
            }
        default:
            break
        }
    }

    /// DHCPv4 (RFC 2131): client messages speak about `chaddr`; server messages about the server
    /// that sent them, and an ACK assigns `yiaddr` to `chaddr`. A relay's own MAC gets nothing
    /// from the client's fields.
    func decodeDHCPv4(_ payload: UnsafeRawBufferPointer, _ result: inout DecodeResult, _ context: inout Context) {
        result.discovery = .dhcp
        guard let message = parsed(.dhcp, &result, { () throws(DecodeError) in try DHCPv4Message(parsing: payload) })
        else { return }
        guard let type = message.messageType else { return }
        let client = message.clientMAC ?? .zero
        if message.op == 1 {
            guard [1, 3, 4, 7, 8].contains(type), let fingerprint = message.clientFingerprint else { return }
            emit(.dhcpClient(fingerprint), about: client, &result, context)
            if let name = message.clientHostname { emit(.hostname(name, via: .dhcp), about: client, &result, context) }
            if !message.clientAddress.isUnspecified {
                emit(.address(.v4(message.clientAddress), via: .dhcp), about: client, &result, context)
            }
        } else {
            guard [2, 5, 6].contains(type) else { return }
            var own: [IPv4Address] = []
            if case .v4(let source)? = result.summary.sourceIP { own.append(source) }
            if let identifier = message.serverIdentifier { own.append(identifier) }
            let routers = message.routers ?? []
            let role = DHCPServerRole.of(
                routers: routers, own: own, relayAddress: message.relayAddress,
                destinationPort: result.summary.destinationPort)
            emit(
                .dhcpServer(
                    serverIdentifier: message.serverIdentifier, messageType: type, role: role,
                    routers: Array(routers.prefix(DHCPServerRole.maximumRouters))),
                about: context.sender, &result, context)
            if type == 5, !message.yourAddress.isUnspecified {
                emit(.address(.v4(message.yourAddress), via: .dhcp), about: client, &result, context)
            }
        }
    }

    /// mDNS: a response describes its sender (names, addresses, services); a query only says what
    /// the asker looks for — its known-answer records are not the asker's identity (RFC 6762 §7.1).
    func decodeMDNS(_ payload: UnsafeRawBufferPointer, _ result: inout DecodeResult, _ context: inout Context) {
        result.discovery = .mdns
        // What follows depends only on the payload and the sender: a message held from an earlier
        // frame gives the same facts. Only a frame with no facts yet is answered from it (or held),
        // so the per-frame de-duplication and cap in `emit` come out the same.
        let sender = context.sender
        let fresh = result.observations.isEmpty && result.error == nil && sender.isUnicastDevice
        if fresh, let facts = result.mdnsRepeats.facts(sender: sender, payload: payload) {
            for fact in facts { result.observations.append(Observation(mac: sender, time: context.time, fact: fact)) }
            return
        }
        decodeMDNSMessage(payload, &result, &context)
        if fresh, result.error == nil {
            result.mdnsRepeats.store(sender: sender, payload: payload, facts: result.observations.map(\.fact))
        }
    }

    private func decodeMDNSMessage(
        _ payload: UnsafeRawBufferPointer, _ result: inout DecodeResult, _ context: inout Context
    ) {
        guard let message = parsed(.mdns, &result, { () throws(DecodeError) in try DNSMessage(parsing: payload) })
        else { return }
        let sender = context.sender
        guard sender.isUnicastDevice else { return }
        if !message.isResponse {
            for question in message.questions {
                emit(.searching(target: question.name.description, via: .mdns), about: sender, &result, context)
            }
            return
        }
        let announcement = MDNSAnnouncement(message: message)
        for name in announcement.hostnames { emit(.hostname(name, via: .mdns), about: sender, &result, context) }
        for address in announcement.addresses { emit(.address(address, via: .mdns), about: sender, &result, context) }
        for service in announcement.services { emit(.service(service), about: sender, &result, context) }
    }

    /// SSDP: NOTIFY ssdp:alive and search responses describe the sender; an M-SEARCH only names
    /// what the client looks for.
    func decodeSSDP(_ payload: UnsafeRawBufferPointer, _ result: inout DecodeResult, _ context: inout Context) {
        result.discovery = .ssdp
        guard let message = parsed(.ssdp, &result, { () throws(DecodeError) in try SSDPMessage(parsing: payload) })
        else { return }
        let sender = context.sender
        guard sender.isUnicastDevice else { return }
        let type: String?
        switch message.kind {
        case .search:
            if let target = message.searchTarget, !target.isEmpty {
                emit(.searching(target: target, via: .ssdp), about: sender, &result, context)
            }
            if let agent = message.userAgent, !agent.isEmpty {
                emit(.software(agent, via: .ssdp), about: sender, &result, context)
            }
            return
        case .notify:
            let subtype = message.notificationSubtype?.lowercased()
            guard subtype == "ssdp:alive" || subtype == "ssdp:update" else { return }
            type = message.notificationType
        case .response(let status):
            guard status == 200 else { return }
            type = message.searchTarget
        }
        let server = message.server.flatMap { $0.isEmpty ? nil : $0 }
        if let type, !type.isEmpty {
            let service = ServiceAdvertisement(
                via: .ssdp, type: type, name: message.uniqueServiceName,
                location: message.location, server: server)
            emit(.service(service), about: sender, &result, context)
        }
        if let server { emit(.software(server, via: .ssdp), about: sender, &result, context) }
    }

    /// WS-Discovery (UDP 3702): a Hello or a match describes its sender, one service per type it
    /// implements (`via: .wsd`, the type's local name, its endpoint address as the name, its scopes as
    /// `scope` TXT entries, its first transport address as the location); a Probe names what the sender
    /// looks for. A Bye or a Resolve says nothing about what the sender is.
    func decodeWSDiscovery(_ payload: UnsafeRawBufferPointer, _ result: inout DecodeResult, _ context: inout Context) {
        result.discovery = .wsd
        guard
            let message = parsed(.wsd, &result, { () throws(DecodeError) in try WSDiscoveryMessage(parsing: payload) })
        else { return }
        let sender = context.sender
        guard sender.isUnicastDevice else { return }
        switch message.kind {
        case .hello, .probeMatches, .resolveMatches:
            let scopes = message.scopes.map { TXTEntry(key: "scope", value: $0) }
            for type in message.types {
                let service = ServiceAdvertisement(
                    via: .wsd, type: WSDiscoveryMessage.localName(type), name: message.endpoint, txt: scopes,
                    location: message.transportAddresses.first)
                emit(.service(service), about: sender, &result, context)
            }
        case .probe:
            for type in message.types {
                emit(.searching(target: WSDiscoveryMessage.localName(type), via: .wsd), about: sender, &result, context)
            }
        case .bye, .resolve:
            return
        }
    }

    /// Ubiquiti discovery (UDP 10001): an announcement or an answer describes its sender — its hostname, its
    /// firmware build (`software`), its model and firmware version (`inventory`), and the IPv4 addresses it
    /// pairs with the frame's source MAC. Pairs naming its other interfaces' MACs are not attributed: those
    /// interfaces may sit on other segments, and a MAC never seen on this link is no device of it. A
    /// request (no TLVs) says nothing about the client that sent it.
    func decodeUbiquitiDiscovery(
        _ payload: UnsafeRawBufferPointer, _ result: inout DecodeResult, _ context: inout Context
    ) {
        result.discovery = .ubnt
        guard
            let message = parsed(
                .ubnt, &result, { () throws(DecodeError) in try UbiquitiDiscoveryMessage(parsing: payload) })
        else { return }
        let sender = context.sender
        guard !message.isRequest, sender.isUnicastDevice else { return }
        if let hostname = message.hostname {
            emit(.hostname(hostname, via: .ubnt), about: sender, &result, context)
        }
        if let firmware = message.firmware ?? message.firmwareVersion {
            emit(.software(firmware, via: .ubnt), about: sender, &result, context)
        }
        for pair in message.addresses where pair.mac == sender {
            let ip = pair.address
            guard !ip.isUnspecified, !ip.isMulticast, !ip.isLimitedBroadcast else { continue }
            emit(.address(.v4(ip), via: .ubnt), about: sender, &result, context)
        }
        emitInventory(message.inventory, about: sender, &result, context)
    }

    /// LLDP describes the station that sent it: system name, description, management addresses.
    func decodeLLDP(_ payload: UnsafeRawBufferPointer, _ result: inout DecodeResult, _ context: inout Context) {
        result.discovery = .lldp
        guard let packet = parsed(.lldp, &result, { () throws(DecodeError) in try LLDPPacket(parsing: payload) }) else {
            return
        }
        let sender = context.sender
        if let name = packet.systemName, !name.isEmpty {
            emit(.hostname(name, via: .lldp), about: sender, &result, context)
        }
        if let description = packet.systemDescription, !description.isEmpty {
            emit(.software(description, via: .lldp), about: sender, &result, context)
        }
        for address in packet.managementAddresses {
            emit(.address(address, via: .lldp), about: sender, &result, context)
        }
        emitInventory(packet.inventory, about: sender, &result, context)
    }

    /// An inventory gathers several TLVs into one fact: from a cut frame it could lack fields that
    /// were sent, so it is only taken from a whole frame.
    func emitInventory(
        _ inventory: DeviceInventory?, about sender: MACAddress, _ result: inout DecodeResult, _ context: Context
    ) {
        guard let inventory else { return }
        guard !context.isCut else {
            if result.error == nil {
                result.error = DecodeFailure(layer: inventory.via, error: context.cutError)
            }
            return
        }
        emit(.inventory(inventory), about: sender, &result, context)
    }

    /// CDP describes the sending device: its device ID, platform (model) and addresses.
    func decodeCDP(_ payload: UnsafeRawBufferPointer, _ result: inout DecodeResult, _ context: inout Context) {
        result.discovery = .cdp
        guard let packet = parsed(.cdp, &result, { () throws(DecodeError) in try CDPPacket(parsing: payload) }) else {
            return
        }
        let sender = context.sender
        if let name = packet.deviceID, !name.isEmpty {
            emit(.hostname(name, via: .cdp), about: sender, &result, context)
        }
        let firstVersionLine = packet.softwareVersion?.split(whereSeparator: \.isNewline).first.map(String.init)
        if let software = packet.platform ?? firstVersionLine, !software.isEmpty {
            emit(.software(software, via: .cdp), about: sender, &result, context)
        }
        for address in packet.addresses where !address.isUnspecified {
            emit(.address(.v4(address), via: .cdp), about: sender, &result, context)
        }
        emitInventory(packet.inventory, about: sender, &result, context)
    }

    /// NBNS: a registration or refresh (RFC 1002 §4.2.2, §4.2.4) is broadcast by the name's owner,
    /// so its unique workstation/server name and NB address describe the sender. Queries and
    /// responses (a WINS server answers for others) and group names are not identity evidence.
    func decodeNBNS(_ payload: UnsafeRawBufferPointer, _ result: inout DecodeResult, _ context: inout Context) {
        result.discovery = .nbns
        guard let message = parsed(.nbns, &result, { () throws(DecodeError) in try NBNSMessage(parsing: payload) })
        else { return }
        guard !message.isResponse, [5, 8, 9].contains(message.opcode), let name = message.name, !name.isEmpty,
            message.suffix == 0x00 || message.suffix == 0x20
        else { return }
        let unique = message.entries.filter { !$0.isGroup }
        guard !unique.isEmpty else { return }
        let sender = context.sender
        emit(.hostname(name, via: .nbns), about: sender, &result, context)
        for entry in unique where !entry.address.isUnspecified {
            emit(.address(.v4(entry.address), via: .nbns), about: sender, &result, context)
        }
    }
}
