import LanscopeCore
import Testing

@testable import Detection

@Suite struct DetectionConfigurationParserTests {
    func problems(_ text: String) -> [String] {
        do {
            _ = try DetectionConfigurationParser.parse(text, file: "detect.conf")
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test func parse_setsEveryKindOfValue() throws {
        let text = """
            # thresholds for the office LAN
            [general]
            learning_period = 1d

            [port_scan]
            window = 30s
            vertical_ports = 25   # stricter than the default
            handshake_timeout = 1500ms

            [arp_spoof]
            gateways = 192.168.1.1, fe80::1
            trusted_proxies = 00:11:22:33:44:55

            [rogue_dhcp]
            trusted_servers = 192.168.1.1, 00:11:22:33:44:01

            [traffic_spike]
            multiplier = 8.5
            smoothing = 0.1

            [device_offline]
            enabled = false
            """
        let configuration = try DetectionConfigurationParser.parse(text, file: "detect.conf")
        #expect(configuration.learningPeriod == .seconds(86_400))
        #expect(configuration.portScan.window == .seconds(30))
        #expect(configuration.portScan.verticalPorts == 25)
        #expect(configuration.portScan.handshakeTimeout == .milliseconds(1500))
        #expect(configuration.addressBinding.gateways == [Sample.ip(1), IPAddress("fe80::1")!])
        #expect(configuration.addressBinding.trustedProxies == [MACAddress("00:11:22:33:44:55")!])
        #expect(configuration.rogueDHCP.trusted == [.ip(Sample.ip(1)), .mac(Sample.mac(0x01))])
        #expect(configuration.trafficSpike.multiplier == 8.5)
        #expect(configuration.trafficSpike.smoothing == 0.1)
        #expect(configuration.disabled == [.deviceOffline])
        // Untouched keys keep their defaults.
        #expect(configuration.portScan.horizontalHosts == PortScanDetector.Configuration().horizontalHosts)
    }

    @Test func parse_emptyFile_isTheDefaults() throws {
        #expect(try DetectionConfigurationParser.parse("\n# nothing\n\n", file: "x") == DetectionConfiguration())
    }

    @Test func parse_acceptsCRLFAndTabs() throws {
        let configuration = try DetectionConfigurationParser.parse(
            "[arp_sweep]\r\n\tunknown_targets\t=\t64\r\n", file: "x")
        #expect(configuration.arpSweep.unknownTargets == 64)
    }

    @Test func parse_reportsUnknownSection() {
        #expect(
            problems("[port_scans]\nwindow = 5s\n") == [
                "detect.conf:1: unknown section [port_scans]; known sections: arp_spoof, arp_sweep, device_offline, general, identity_change, ip_conflict, new_device, port_scan, rogue_dhcp, rogue_ra, traffic_spike"
            ])
    }

    @Test func parse_reportsUnknownKey() {
        #expect(
            problems("[port_scan]\nwindow = 5s\nvertical = 3\n").first?.hasPrefix(
                "detect.conf:3: unknown key \"vertical\" in [port_scan]; known keys: enabled, window, vertical_ports")
                == true)
    }

    @Test func parse_reportsBadValues_byKind() {
        #expect(
            problems("[port_scan]\nwindow = 60\n") == [
                "detect.conf:2: bad value \"60\" for port_scan.window: expected a duration such as 500ms, 30s, 5m, 1h or 1d"
            ])
        #expect(
            problems("[port_scan]\nwindow = 0s\n") == [
                "detect.conf:2: bad value \"0s\" for port_scan.window: must be longer than zero"
            ])
        #expect(
            problems("[port_scan]\nvertical_ports = fifty\n") == [
                "detect.conf:2: bad value \"fifty\" for port_scan.vertical_ports: expected a whole number"
            ])
        #expect(
            problems("[port_scan]\nvertical_ports = 0\n") == [
                "detect.conf:2: bad value \"0\" for port_scan.vertical_ports: must be from 1 to 100000000"
            ])
        #expect(
            problems("[traffic_spike]\nmultiplier = -2\n") == [
                "detect.conf:2: bad value \"-2\" for traffic_spike.multiplier: must be above zero"
            ])
        #expect(
            problems("[traffic_spike]\nsmoothing = 1.5\n") == [
                "detect.conf:2: bad value \"1.5\" for traffic_spike.smoothing: must be above 0 and at most 1"
            ])
        #expect(
            problems("[traffic_spike]\nmultiplier = nan\n") == [
                "detect.conf:2: bad value \"nan\" for traffic_spike.multiplier: expected a number such as 4 or 0.5"
            ])
        #expect(
            problems("[rogue_ra]\nenabled = yes\n") == [
                "detect.conf:2: bad value \"yes\" for rogue_ra.enabled: expected true or false"
            ])
        #expect(
            problems("[rogue_dhcp]\ntrusted_servers = 192.168.1.1, router\n") == [
                "detect.conf:2: bad value \"192.168.1.1, router\" for rogue_dhcp.trusted_servers: \"router\" is not one of the comma-separated MAC or IP addresses"
            ])
        #expect(
            problems("[rogue_ra]\ntrusted_routers = fe80::1\n") == [
                "detect.conf:2: bad value \"fe80::1\" for rogue_ra.trusted_routers: \"fe80::1\" is not one of the comma-separated MAC addresses"
            ])
        #expect(
            problems("[arp_spoof]\ngateways = 192.168.1.300\n") == [
                "detect.conf:2: bad value \"192.168.1.300\" for arp_spoof.gateways: \"192.168.1.300\" is not an IP address"
            ])
        #expect(
            problems("[arp_spoof]\ntrusted_proxies = 00:11:22\n") == [
                "detect.conf:2: bad value \"00:11:22\" for arp_spoof.trusted_proxies: \"00:11:22\" is not a MAC address"
            ])
    }

    @Test func parse_reportsMalformedLines() {
        #expect(
            problems("[port_scan]\nwindow 5s\n") == [
                "detect.conf:2: expected \"key = value\" or \"[section]\", got \"window 5s\""
            ])
        #expect(
            problems("window = 5s\n") == [
                "detect.conf:1: \"window\" is outside a section; put it under one such as [general] or [port_scan]"
            ])
        #expect(
            problems("[port_scan\n") == ["detect.conf:1: section header \"[port_scan\" is missing its closing \"]\""])
        #expect(
            problems("[port_scan]\nwindow =\n") == [
                "detect.conf:2: port_scan.window has no value; expected a duration such as 30s, 5m or 1h"
            ])
        #expect(
            problems("[port_scan]\nwindow = 5s\nwindow = 6s\n") == [
                "detect.conf:3: \"window\" is set twice in [port_scan]"
            ])
    }

    @Test func parse_reportsEveryProblem_withItsLine() {
        let found = problems(
            "[general]\nlearning_period = soon\n\n[nope]\nx = 1\n[port_scan]\nwindow = 1h\nquiet = 2\n")
        #expect(
            found.map { $0.split(separator: ":").prefix(2).joined(separator: ":") } == [
                "detect.conf:2", "detect.conf:4", "detect.conf:8",
            ])
    }

    @Test func parseDuration_units() {
        #expect(DetectionConfigurationParser.parseDuration("500ms") == .milliseconds(500))
        #expect(DetectionConfigurationParser.parseDuration("5m") == .seconds(300))
        #expect(DetectionConfigurationParser.parseDuration("2h") == .seconds(7200))
        #expect(DetectionConfigurationParser.parseDuration("-5s") == nil)
        #expect(DetectionConfigurationParser.parseDuration("5 s") == nil)
        #expect(DetectionConfigurationParser.parseDuration("99999999999d") == nil)
    }

    @Test func makeStages_leavesOutDisabledDetectors() throws {
        var configuration = DetectionConfiguration()
        #expect(
            configuration.makeStages(known: []).map(\.name) == [
                "new_device", "port_scan", "arp_sweep", "address_binding", "rogue_dhcp", "rogue_ra", "traffic_spike",
                "identity_change", "device_offline",
            ])
        configuration = try DetectionConfigurationParser.parse(
            "[port_scan]\nenabled = false\n[arp_spoof]\nenabled = false\n", file: "x")
        #expect(!configuration.makeStages(known: []).map(\.name).contains("port_scan"))
        #expect(configuration.makeStages(known: []).map(\.name).contains("address_binding"))  // ip_conflict still on
    }

    @Test func kindFilter_dropsTheDisabledKindOnly() {
        var configuration = DetectionConfiguration()
        configuration.disabled = [.arpSpoof]
        var stages = configuration.makeStages(known: [])
        let index = stages.firstIndex { $0.name == "address_binding" }!
        let inventory = FakeInventory()
        inventory.add(Sample.mac(1), firstSeen: Sample.at(0))
        inventory.add(Sample.mac(2), firstSeen: Sample.at(0))
        let context = StageContext(inventory: inventory)
        var output = StageOutput()
        for (by, previous, at) in [(2, 1, 1.0), (1, 2, 2.0)] {
            stages[index].change(
                .addressClaimed(
                    Sample.ip(9), by: Sample.mac(UInt8(by)), previousHolder: Sample.mac(UInt8(previous)),
                    time: Sample.at(at)), context: context, output: &output)
        }
        #expect(output.events.map(\.kind) == [.ipConflict])
    }
}
