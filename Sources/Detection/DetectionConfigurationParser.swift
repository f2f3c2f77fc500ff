import LanscopeCore

/// Reads the detection config file: `[section]` headers, `key = value` lines, `#` comments and blank
/// lines. Sections are the detector kinds (`[port_scan]`, `[arp_spoof]`…) plus `[general]`; every key
/// and its default is listed in the README's "Detection configuration" table and in
/// `DetectionConfigurationParser.keys`. Values:
/// - durations: a whole number with a unit, `500ms`, `30s`, `5m`, `1h`, `1d`;
/// - counts: whole numbers; ratios and multipliers: decimal numbers; `enabled`: `true` or `false`;
/// - lists (trusted servers, gateways): comma-separated MACs and/or IP addresses.
///
/// Every problem is reported as `file:line: what is wrong` (unknown section or key, a bad or
/// out-of-range value, a repeated key, a line that is not `key = value`), all of them at once.
public enum DetectionConfigurationParser {
    /// Parses `text` (the contents of `file`, named in errors) over the defaults.
    public static func parse(_ text: String, file: String) throws(DetectionConfigurationError) -> DetectionConfiguration
    {
        var configuration = DetectionConfiguration()
        var problems: [DetectionConfigurationError.Problem] = []
        var section: String?
        /// Inside an unknown section: its keys are not reported again one by one.
        var skipping = false
        var seen: Set<String> = []
        for (index, rawLine) in text.split(
            omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }
        ).enumerated() {
            let lineNumber = index + 1
            func problem(_ message: String) { problems.append(.init(file: file, line: lineNumber, message: message)) }
            var line = Substring(rawLine)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let trimmed = line.trimmingSpaces
            if trimmed.isEmpty { continue }
            if trimmed.hasPrefix("[") {
                guard trimmed.hasSuffix("]") else {
                    problem("section header \"\(trimmed)\" is missing its closing \"]\"")
                    continue
                }
                let name = String(trimmed.dropFirst().dropLast()).trimmingSpaces
                guard sections[name] != nil else {
                    problem(
                        "unknown section [\(name)]; known sections: \(sections.keys.sorted().joined(separator: ", "))")
                    section = nil
                    skipping = true
                    continue
                }
                section = name
                skipping = false
                continue
            }
            guard let equals = trimmed.firstIndex(of: "=") else {
                problem("expected \"key = value\" or \"[section]\", got \"\(trimmed)\"")
                continue
            }
            let key = String(trimmed[..<equals]).trimmingSpaces
            let value = String(trimmed[trimmed.index(after: equals)...]).trimmingSpaces
            guard let current = section else {
                if skipping { continue }
                problem("\"\(key)\" is outside a section; put it under one such as [general] or [port_scan]")
                continue
            }
            guard let setting = sections[current]?.first(where: { $0.key == key }) else {
                let known = sections[current]!.map(\.key).joined(separator: ", ")
                problem("unknown key \"\(key)\" in [\(current)]; known keys: \(known)")
                continue
            }
            guard seen.insert("\(current).\(key)").inserted else {
                problem("\"\(key)\" is set twice in [\(current)]")
                continue
            }
            guard !value.isEmpty else {
                problem("\(current).\(key) has no value; expected \(setting.expected)")
                continue
            }
            if let error = setting.apply(&configuration, value) {
                problem("bad value \"\(value)\" for \(current).\(key): \(error)")
            }
        }
        guard problems.isEmpty else { throw DetectionConfigurationError(problems: problems) }
        return configuration
    }

    /// Every section and its keys, in file order (for documentation and error messages).
    public static var keys: [(section: String, keys: [String])] {
        sections.keys.sorted().map { ($0, sections[$0]!.map(\.key)) }
    }

    typealias Config = DetectionConfiguration

    static let sections: [String: [Setting]] = [
        "general": [.duration("learning_period", \Config.learningPeriod)],
        "new_device": [
            .enabled(.newDevice),
            .duration("private_mac_deferral", \Config.newDevice.privateMACDeferral, allowZero: true),
            .count("max_known", \Config.newDevice.maxKnown), .count("max_pending", \Config.newDevice.maxPending),
        ],
        "port_scan": [
            .enabled(.portScan), .duration("window", \Config.portScan.window),
            .count("vertical_ports", \Config.portScan.verticalPorts),
            .count("horizontal_hosts", \Config.portScan.horizontalHosts),
            .count("failed_probes", \Config.portScan.failedProbes),
            .duration("handshake_timeout", \Config.portScan.handshakeTimeout),
            .duration("quiet_period", \Config.portScan.quietPeriod), .count("max_sources", \Config.portScan.maxSources),
            .count("max_probes_per_source", \Config.portScan.maxProbesPerSource),
            .count("max_probes", \Config.portScan.maxProbes),
        ],
        "arp_sweep": [
            .enabled(.arpSweep), .duration("window", \Config.arpSweep.window),
            .count("unknown_targets", \Config.arpSweep.unknownTargets),
            .duration("quiet_period", \Config.arpSweep.quietPeriod),
            .count("max_senders", \Config.arpSweep.maxSenders),
            .count("max_targets_per_sender", \Config.arpSweep.maxTargetsPerSender),
        ],
        "arp_spoof": [
            .enabled(.arpSpoof), .addresses("gateways", \Config.addressBinding.gateways),
            .macs("trusted_proxies", \Config.addressBinding.trustedProxies),
            .duration("previous_holder_silence", \Config.addressBinding.previousHolderSilence),
            .count("gratuitous_burst", \Config.addressBinding.gratuitousBurst),
            .duration("gratuitous_window", \Config.addressBinding.gratuitousWindow),
            .duration("realert_after", \Config.addressBinding.realertAfter),
            .count("max_entries", \Config.addressBinding.maxEntries),
        ],
        "ip_conflict": [.enabled(.ipConflict), .duration("window", \Config.addressBinding.conflictWindow)],
        "rogue_dhcp": [
            .enabled(.rogueDHCP), .trusted("trusted_servers", \Config.rogueDHCP.trusted),
            .duration("learning_window", \Config.rogueDHCP.learningWindow, allowZero: true),
            .duration("quiet_period", \Config.rogueDHCP.quietPeriod),
            .count("max_servers", \Config.rogueDHCP.maxServers),
        ],
        "rogue_ra": [
            .enabled(.rogueRA), .trusted("trusted_routers", \Config.rogueRA.trusted, macsOnly: true),
            .duration("learning_window", \Config.rogueRA.learningWindow, allowZero: true),
            .duration("quiet_period", \Config.rogueRA.quietPeriod), .count("max_routers", \Config.rogueRA.maxRouters),
        ],
        "traffic_spike": [
            .enabled(.trafficSpike), .count("warmup_ticks", \Config.trafficSpike.warmupTicks),
            .ratio("smoothing", \Config.trafficSpike.smoothing),
            .number("multiplier", \Config.trafficSpike.multiplier),
            .number("minimum_relative_deviation", \Config.trafficSpike.minimumRelativeDeviation, allowZero: true),
            .number("floor_bytes_per_second", \Config.trafficSpike.floorBytesPerSecond, allowZero: true),
            .count("minimum_high_ticks", \Config.trafficSpike.minimumHighTicks),
            .count("end_ticks", \Config.trafficSpike.endTicks),
            .duration("max_episode", \Config.trafficSpike.maxEpisode),
            .count("max_devices", \Config.trafficSpike.maxDevices),
        ],
        "identity_change": [
            .enabled(.identityChange),
            .ratio("minimum_fingerprint_similarity", \Config.identityChange.minimumFingerprintSimilarity),
            .duration("settle_time", \Config.identityChange.settleTime, allowZero: true),
            .duration("realert_after", \Config.identityChange.realertAfter),
            .count("max_entries", \Config.identityChange.maxEntries),
        ],
        "device_offline": [
            .enabled(.deviceOffline), .duration("minimum_silence", \Config.deviceOffline.minimumSilence),
            .number("multiplier", \Config.deviceOffline.multiplier),
            .count("minimum_sightings", \Config.deviceOffline.minimumSightings),
            .ratio("gap_decay", \Config.deviceOffline.gapDecay),
            .duration("forget_after", \Config.deviceOffline.forgetAfter),
            .count("max_devices", \Config.deviceOffline.maxDevices),
        ],
    ]

    /// One key: its name, what it expects (for messages) and how it sets the configuration.
    struct Setting: Sendable {
        let key: String
        let expected: String
        /// Applies the value; returns what is wrong with it, or nil.
        let apply: @Sendable (inout DetectionConfiguration, String) -> String?

        static func enabled(_ kind: AnomalyKind) -> Setting {
            Setting(key: "enabled", expected: "true or false") { config, value in
                switch value {
                case "true": config.disabled.remove(kind)
                case "false": config.disabled.insert(kind)
                default: return "expected true or false"
                }
                return nil
            }
        }

        static func duration(
            _ key: String, _ path: any WritableKeyPath<DetectionConfiguration, Duration> & Sendable,
            allowZero: Bool = false
        ) -> Setting {
            Setting(key: key, expected: "a duration such as 30s, 5m or 1h") { config, value in
                guard let duration = parseDuration(value) else {
                    return "expected a duration such as 500ms, 30s, 5m, 1h or 1d"
                }
                guard allowZero || duration > .zero else { return "must be longer than zero" }
                config[keyPath: path] = duration
                return nil
            }
        }

        static func duration(_ key: String, _ path: any WritableKeyPath<DetectionConfiguration, Duration?> & Sendable)
            -> Setting
        {
            Setting(key: key, expected: "a duration such as 30s, 5m or 1h") { config, value in
                guard let duration = parseDuration(value) else {
                    return "expected a duration such as 500ms, 30s, 5m, 1h or 1d"
                }
                config[keyPath: path] = duration
                return nil
            }
        }

        static func count(_ key: String, _ path: any WritableKeyPath<DetectionConfiguration, Int> & Sendable) -> Setting
        {
            Setting(key: key, expected: "a whole number from 1 to 100000000") { config, value in
                guard let number = Int(value) else { return "expected a whole number" }
                guard (1...100_000_000).contains(number) else { return "must be from 1 to 100000000" }
                config[keyPath: path] = number
                return nil
            }
        }

        static func number(
            _ key: String, _ path: any WritableKeyPath<DetectionConfiguration, Double> & Sendable,
            allowZero: Bool = false
        ) -> Setting {
            Setting(key: key, expected: "a number") { config, value in
                guard let number = Double(value), number.isFinite else { return "expected a number such as 4 or 0.5" }
                guard allowZero ? number >= 0 : number > 0 else {
                    return allowZero ? "must not be negative" : "must be above zero"
                }
                config[keyPath: path] = number
                return nil
            }
        }

        static func ratio(_ key: String, _ path: any WritableKeyPath<DetectionConfiguration, Double> & Sendable)
            -> Setting
        {
            Setting(key: key, expected: "a number above 0 and at most 1") { config, value in
                guard let number = Double(value), number.isFinite else { return "expected a number such as 0.5" }
                guard number > 0 && number <= 1 else { return "must be above 0 and at most 1" }
                config[keyPath: path] = number
                return nil
            }
        }

        static func trusted(
            _ key: String, _ path: any WritableKeyPath<DetectionConfiguration, [TrustedSource]> & Sendable,
            macsOnly: Bool = false
        ) -> Setting {
            let what = macsOnly ? "MAC addresses" : "MAC or IP addresses"
            return Setting(key: key, expected: "comma-separated \(what)") { config, value in
                var sources: [TrustedSource] = []
                for item in listItems(value) {
                    guard let source = TrustedSource(item), !macsOnly || source.mac != nil else {
                        return "\"\(item)\" is not one of the comma-separated \(what)"
                    }
                    sources.append(source)
                }
                config[keyPath: path] = sources
                return nil
            }
        }

        static func addresses(
            _ key: String, _ path: any WritableKeyPath<DetectionConfiguration, Set<IPAddress>> & Sendable
        ) -> Setting {
            Setting(key: key, expected: "comma-separated IP addresses") { config, value in
                var addresses: Set<IPAddress> = []
                for item in listItems(value) {
                    guard let address = IPAddress(item) else { return "\"\(item)\" is not an IP address" }
                    addresses.insert(address)
                }
                config[keyPath: path] = addresses
                return nil
            }
        }

        static func macs(_ key: String, _ path: any WritableKeyPath<DetectionConfiguration, Set<MACAddress>> & Sendable)
            -> Setting
        {
            Setting(key: key, expected: "comma-separated MAC addresses") { config, value in
                var macs: Set<MACAddress> = []
                for item in listItems(value) {
                    guard let mac = MACAddress(item) else { return "\"\(item)\" is not a MAC address" }
                    macs.insert(mac)
                }
                config[keyPath: path] = macs
                return nil
            }
        }
    }

    static func listItems(_ value: String) -> [String] {
        value.split(separator: ",").map { String($0).trimmingSpaces }
    }

    /// `500ms`, `30s`, `5m`, `1h`, `1d` (a whole number and a unit; at most ten years).
    static func parseDuration(_ text: String) -> Duration? {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (unit, milliseconds) in units where text.hasSuffix(unit) {
            let digits = text.dropLast(unit.count)
            guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
                let number = Int64(digits),
                number <= 315_360_000_000 / milliseconds
            else { return nil }
            return .milliseconds(number * milliseconds)
        }
        return nil
    }
}

/// What is wrong with a detection config file: one `file:line: message` per problem.
public struct DetectionConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var message: String
        public var description: String { "\(file):\(line): \(message)" }
    }

    public var problems: [Problem]
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (and a trailing CR from CRLF files).
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
