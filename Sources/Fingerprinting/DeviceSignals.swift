public import LanscopeCore

/// One signal value a device gave: what rules match against.
public struct SignalValue: Sendable, Hashable, Comparable {
    public var signal: Signal
    public var value: String

    public init(_ signal: Signal, _ value: String) {
        self.signal = signal
        self.value = value
    }

    public static func < (a: SignalValue, b: SignalValue) -> Bool { (a.signal, a.value) < (b.signal, b.value) }
}

extension Device {
    /// Every signal value the device gave, sorted and without repeats, so what the classifier concludes
    /// never depends on the order facts arrived in (or on `Set` iteration order).
    public var signalValues: [SignalValue] {
        // Collected in an array, then sorted and de-duplicated: the sort is needed anyway, and equal values
        // end up next to each other (`<` and `==` agree), so a set's hashing of every value is not.
        var values: [SignalValue] = []
        values.reserveCapacity(32)
        func add(_ signal: Signal, _ text: String?) {
            guard let text else { return }
            let trimmed = Substring(text).trimmingSpaces()
            guard !trimmed.isEmpty else { return }
            // A value of at most that many bytes has at most that many characters: no walk to cut it.
            let kept =
                trimmed.utf8.count <= Self.maximumSignalLength ? trimmed : trimmed.prefix(Self.maximumSignalLength)
            values.append(SignalValue(signal, String(kept)))
        }
        /// Where the device names itself or its model: each word of these is a `product` value.
        func addProductWords(_ text: String?) {
            guard let text else { return }
            for word in Self.productWords(text) { add(.product, String(word)) }
        }
        add(.oui, vendor)
        for name in hostnames.values {
            add(.hostname, name)
            addProductWords(name)
        }
        if let dhcp {
            if !dhcp.parameterRequestList.isEmpty { add(.dhcpOptions, dhcp.parameterRequestListText) }
            add(.dhcpVendor, dhcp.vendorClass)
            addProductWords(dhcp.vendorClass)
        }
        if let dhcpv6 {
            if !dhcpv6.optionRequest.isEmpty { add(.dhcpv6Options, dhcpv6.optionRequestText) }
            add(.dhcpv6Vendor, dhcpv6.vendorClass)
            addProductWords(dhcpv6.vendorClass)
            add(.dhcpv6Enterprise, dhcpv6.vendorEnterprise.map(String.init))
            add(.dhcpv6Enterprise, dhcpv6.duidEnterprise.map(String.init))
            add(.hostname, dhcpv6.fqdn.map { String($0.prefix { $0 != "." }) })
        }
        for service in services {
            switch service.via {
            case .mdns:
                add(.mdnsService, service.type)
                add(.mdnsInstance, service.name)
                addProductWords(service.name)
                for entry in service.txt {
                    let key = entry.key.lowercased()
                    // A key without `=` is a boolean attribute (RFC 6763 §6.4); some devices put free text there.
                    add(.mdnsTXT, entry.value.map { key + "=" + $0 } ?? entry.key)
                    if Self.modelTXTKeys.contains(key) { addProductWords(entry.value) }
                }
            case .ssdp:
                add(.ssdpType, service.type)
                add(.ssdpServer, service.server)
                add(.ssdpUSN, service.name)
                addProductWords(Self.ssdpDeviceName(service.type))
                addProductWords(service.server)
            case .tcp:
                add(.tcpPort, service.port.map(String.init))
            case .wsd:
                add(.wsdType, service.type)
                for entry in service.txt where entry.key == "scope" {
                    add(.wsdScope, entry.value)
                    if let value = entry.value, value.lowercased().hasPrefix(Self.onvifHardwareScope) {
                        addProductWords(String(value.dropFirst(Self.onvifHardwareScope.count)))
                    }
                }
            default:
                add(.mdnsService, service.type)
            }
        }
        for (via, text) in software {
            switch via {
            case .ssdp:
                add(.ssdpServer, text)
                addProductWords(text)
            case .lldp, .cdp: add(.systemDescription, text)
            case .ubnt: add(.ubntFirmware, text)
            case .http:
                add(.userAgent, text)
                addProductWords(text)
            default: add(.systemDescription, text)
            }
        }
        for stated in inventory.values {
            add(.inventoryManufacturer, stated.manufacturer)
            add(.inventoryModel, stated.model)
            addProductWords(stated.model)
            add(.systemDescription, stated.softwareRevision)
            if let medClass = stated.medDeviceClass { add(.role, "lldp_med_class_\(medClass)") }
        }
        for signature in tcpSignatures {
            add(.tcpTTL, String(signature.initialTTL))
            add(.tcpSYN, signature.signature)
        }
        for fingerprint in tlsFingerprints { add(.ja4, fingerprint) }
        for agent in userAgents {
            add(.userAgent, agent)
            // A mobile browser's User-Agent names the handset's model (`Android 13; SM-G991B`).
            addProductWords(agent)
        }
        for name in destinationNames { add(.dns, Self.hostName(name)) }
        // Link-layer discovery is mostly sent by network gear (and IP phones, some servers running lldpd).
        if protocols.contains(.lldp) { add(.role, "lldp_sender") }
        if protocols.contains(.cdp) { add(.role, "cdp_sender") }
        // Only Ubiquiti firmware announces itself over Ubiquiti discovery (UDP 10001).
        if protocols.contains(.ubnt) { add(.role, "ubnt_sender") }
        if isDHCPServer { add(.role, "dhcp_server") }
        for role in dhcpServerRoles.sorted() { add(.role, "dhcp_\(role.rawValue)") }
        if isIPv6Router { add(.role, "ipv6_router") }
        values.sort()
        var distinct: [SignalValue] = []
        distinct.reserveCapacity(values.count)
        for value in values where distinct.last != value { distinct.append(value) }
        return distinct
    }

    /// A destination name as rules see it: without the root dot of a DNS name, and without the port an HTTP
    /// `Host` header may carry (RFC 9110 §7.2: `host[:port]`), so `example.com:80` matches like `example.com`.
    /// A bracketed IPv6 literal keeps its brackets; only a trailing `:digits` after a name or `]` is a port.
    static func hostName(_ name: String) -> String {
        // Names are ASCII (IDNs travel as punycode): then the rules below read the same on bytes, without
        // the grapheme breaking `Character` needs; this runs for every name of a device at each classification.
        let ascii: String?? = name.utf8.withContiguousStorageIfAvailable { bytes -> String? in
            guard !bytes.contains(where: { $0 >= 0x80 }) else { return nil }
            var end = bytes.count
            if let colon = bytes.lastIndex(of: UInt8(ascii: ":")), colon != 0 {
                let port = bytes[(colon + 1)...]
                let isPort = !port.isEmpty && port.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
                let before = bytes[..<colon]
                if isPort && (before.last == UInt8(ascii: "]") || !before.contains(UInt8(ascii: ":"))) { end = colon }
            }
            if end > 0 && bytes[end - 1] == UInt8(ascii: ".") { end -= 1 }
            return end == bytes.count
                ? name : String(decoding: UnsafeBufferPointer(rebasing: bytes[..<end]), as: UTF8.self)
        }
        if let ascii, let host = ascii { return host }
        return hostNameByCharacter(name)
    }

    /// `hostName` for any text, by `Character` (the ASCII path's reference).
    static func hostNameByCharacter(_ name: String) -> String {
        var host = Substring(name)
        if let colon = host.lastIndex(of: ":"), colon != host.startIndex {
            let port = host[host.index(after: colon)...]
            let before = host[..<colon]
            let isPort = !port.isEmpty && port.allSatisfy { $0.isASCII && $0.isNumber }
            // An unbracketed IPv6 literal has several colons: its last group is not a port.
            if isPort && (before.hasSuffix("]") || !before.contains(":")) { host = before }
        }
        if host.hasSuffix(".") { host = host.dropLast() }
        return String(host)
    }

    /// The words of `text` that could be a product or model name (`product` values): split at ASCII white space
    /// and the punctuation names are built with (`()[]{},;:/"'<>=|`), keeping `-`, `_`, `.`, `+` and `!`
    /// inside words (`DCS-935L`, `shellyplug-s-7C87CE`, `FRITZ!Box`); from 3 to `maximumProductWordLength`
    /// UTF-8 bytes, at least one a letter (a bare version number names nothing; any non-ASCII character counts
    /// as a letter). A vendor prefix in the same word (`Tapo_C200`) is kept: rules match words from their
    /// start. Works on the UTF-8 bytes: this runs for every name of every device at each classification.
    public static func productWords(_ text: String) -> [Substring] {
        var words: [Substring] = []
        let utf8 = text.utf8
        var start: String.Index?
        var length = 0
        var hasLetter = false
        func finish(at end: String.Index) {
            if let start, length >= 3, length <= maximumProductWordLength, hasLetter {
                words.append(text[start..<end])
            }
            start = nil
        }
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            if isProductSeparator(byte) {
                finish(at: index)
            } else {
                if start == nil {
                    start = index
                    length = 0
                    hasLetter = false
                }
                length += 1
                hasLetter = hasLetter || byte >= 0x80 || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
            }
            utf8.formIndex(after: &index)
        }
        finish(at: utf8.endIndex)
        return words
    }

    private static func isProductSeparator(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x09...0x0D, 0x20: true  // ASCII white space
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"),
            UInt8(ascii: "}"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: ":"), UInt8(ascii: "/"),
            UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "="),
            UInt8(ascii: "|"):
            true
        default: false
        }
    }

    /// Longest word taken as a `product` value, in UTF-8 bytes; longer runs are serials or encoded data.
    static let maximumProductWordLength = 48

    /// DNS-SD TXT keys whose value is the device's model (Google Cast `md`, Apple `model` and `rpMd`,
    /// IPP Everywhere `ty`/`product`/`usb_MDL` (PWG 5100.14), generic `mdl`).
    static let modelTXTKeys: Set<String> = ["md", "model", "rpmd", "ty", "product", "usb_mdl", "mdl"]

    /// ONVIF's scope for the device's hardware model (ONVIF Core §7.3.2.2); what follows names the model.
    static let onvifHardwareScope = "onvif://www.onvif.org/hardware/"

    /// The name an SSDP type gives the device: `DCS-935L` of `urn:schemas-upnp-org:device:DCS-935L:1` (UPnP
    /// Device Architecture §1.1.2: `urn:domain:device:deviceType:ver`), `NetworkCamera` of `hnap:NetworkCamera`;
    /// nil for service types, `uuid:` and `upnp:rootdevice`, which name no product.
    public static func ssdpDeviceName(_ type: String) -> String? {
        let parts = type.split(separator: ":", omittingEmptySubsequences: false)
        if parts.first?.lowercased() == "urn" {
            guard parts.count >= 4, parts[2].lowercased() == "device" else { return nil }
            return String(parts[3])
        }
        guard parts.count == 2, !["uuid", "upnp"].contains(parts[0].lowercased()) else { return nil }
        return String(parts[1])
    }

    /// Longest signal value kept, in characters (a User-Agent rarely needs more).
    static let maximumSignalLength = 256
}
