import Exposition
import Foundation

/// The model behind the golden files and the tooling checks: every type, a unit, special values,
/// families and series given out of order, and hostile label values arriving as raw bytes.
enum RepresentativeModel {
    struct Row {
        var labels: [(String, [UInt8])]
        var value: Double
    }

    struct Family {
        var name: String
        var help: String
        var type: MetricType
        var unit: String?
        var rows: [Row]

        var sampleName: String {
            switch type {
            case .counter: name.hasSuffix("_total") ? name : name + "_total"
            case .info: name.hasSuffix("_info") ? name : name + "_info"
            case .gauge, .untyped: name
            }
        }
    }

    static let fourKilobytes: [UInt8] = (0..<4096).map { i in
        switch i % 64 {
        case 7: UInt8(ascii: "\"")
        case 19: UInt8(ascii: "\\")
        case 31: UInt8(ascii: "\n")
        case 43: UInt8(ascii: "}")
        default: UInt8(ascii: "a") + UInt8(i % 26)
        }
    }

    /// Hostnames a hostile device could announce, keyed by the MAC that announces them.
    static let hostileHostnames: [(mac: String, bytes: [UInt8])] = [
        ("02:00:00:00:00:01", Array("quote\"inside".utf8)),
        ("02:00:00:00:00:02", Array("back\\slash\\".utf8)),
        ("02:00:00:00:00:03", Array("line\nbreak\n".utf8)),
        ("02:00:00:00:00:04", Array("brace\"} 1\ninjected_total{a=\"b\"} 2\n".utf8)),
        ("02:00:00:00:00:05", Array("# HELP injected fake\n# TYPE injected counter".utf8)),
        ("02:00:00:00:00:06", fourKilobytes),
        (
            "02:00:00:00:00:07",
            [0x66, 0x6F, 0xFF, 0xC3, 0x28, 0xE2, 0x82, 0x6F, 0xED, 0xA0, 0x80, 0xF4, 0x90, 0x80, 0x80, 0xC0, 0xAF]
        ),
        ("02:00:00:00:00:08", Array("carriage\rreturn\r\n".utf8)),
        ("02:00:00:00:00:09", Array("tab\there, comma=equals".utf8)),
        ("02:00:00:00:00:0a", Array("caf\u{E9} \u{1F389} \u{0}nul \u{0B}vt \u{85}nel \u{2028}ls".utf8)),
        ("02:00:00:00:00:0b", []),
    ]

    static var families: [Family] {
        var info = Family(name: "demo_device", help: "Device metadata; join on mac.", type: .info, unit: nil, rows: [])
        let labelNames = ["mac", "ip", "vendor", "type", "os", "hostname"]
        for (mac, hostname) in hostileHostnames.reversed() {
            let values: [[UInt8]] = [
                Array(mac.utf8), Array("192.0.2.\(mac.suffix(2))".utf8), Array("Acme".utf8),
                Array("printer".utf8), Array("linux".utf8), hostname,
            ]
            info.rows.append(Row(labels: Array(zip(labelNames, values)), value: 1))
        }
        let counterValues: [Double] = [
            0, 1, 12345, 9_007_199_254_740_991, 9_007_199_254_740_992, 1e20, 0.5, .infinity,
            123_456_789.25, 3, 4,
        ]
        var received = Family(
            name: "demo_device_received_bytes", help: "Bytes received from the device.",
            type: .counter, unit: "bytes", rows: [])
        var transmitted = Family(
            name: "demo_device_transmitted_packets_total", help: "Packets sent by the device.",
            type: .counter, unit: nil, rows: [])
        for (i, (mac, _)) in hostileHostnames.enumerated().reversed() {
            received.rows.append(Row(labels: [("mac", Array(mac.utf8))], value: counterValues[i]))
            transmitted.rows.append(Row(labels: [("mac", Array(mac.utf8))], value: Double(i * 7)))
        }
        let gaugeValues: [(String, Double)] = [
            ("nan", .nan), ("pinf", .infinity), ("ninf", -.infinity), ("neg", -3.5),
            ("tiny", 1e-7), ("tenth", 0.1), ("huge", 1.5e300), ("negint", -42),
            ("third", 1.0 / 3.0), ("zero", -0.0),
        ]
        let temperature = Family(
            name: "demo_temperature_celsius", help: "Temperatures with every special value.",
            type: .gauge, unit: "celsius",
            rows: gaugeValues.map { Row(labels: [("sensor", Array($0.0.utf8))], value: $0.1) })
        let up = Family(
            name: "demo_up", help: "Whether the demo is up.", type: .gauge, unit: nil,
            rows: [Row(labels: [], value: 1)])
        let untyped = Family(
            name: "demo_untyped", help: "A value of unknown kind.", type: .untyped, unit: nil,
            rows: [
                Row(labels: [("zone", Array("b".utf8))], value: 2),
                Row(labels: [("zone", Array("a".utf8))], value: 1),
            ])
        let hostileHelp = Family(
            name: "demo_hostile_help",
            help: "Back\\slash \"quoted\"\nsecond line\r# HELP demo_up injected\ttab end",
            type: .gauge, unit: nil, rows: [Row(labels: [], value: 7)])
        let empty = Family(name: "demo_errors", help: "Errors seen (none yet).", type: .counter, unit: nil, rows: [])
        // Out of name order on purpose: the encoder sorts.
        return [untyped, transmitted, info, temperature, hostileHelp, up, received, empty]
    }

    static func metricFamilies() -> [MetricFamily] {
        families.map { family in
            let labelNames = family.rows.first?.labels.map(\.0) ?? []
            var builder = MetricFamilyBuilder(
                name: family.name, help: family.help, type: family.type, unit: family.unit,
                labelNames: labelNames, minimumCapacity: family.rows.count)
            for row in family.rows {
                builder.add(labelValueBytes: row.labels.map(\.1), value: row.value)
            }
            return builder.build()
        }
    }

    /// What a correct parser must read back, derived from the input rows with the standard
    /// library's own UTF-8 repair, independent of the encoder.
    static func expectedJSON() throws -> Data {
        var samples: [[String: Any]] = []
        for family in families {
            for row in family.rows {
                var labels: [String: String] = [:]
                for (name, bytes) in row.labels {
                    labels[name] = String(decoding: bytes, as: UTF8.self).replacingOccurrences(
                        of: "\r", with: "\u{FFFD}")
                }
                let value = family.type == .info ? 1 : row.value
                samples.append(["name": family.sampleName, "labels": labels, "value": value.isNaN ? "nan" : "\(value)"])
            }
        }
        var help: [String: String] = [:]
        for family in families {
            let base =
                family.type == .counter && family.name.hasSuffix("_total")
                ? String(family.name.dropLast(6)) : family.name
            help[base] = family.help.replacingOccurrences(of: "\r", with: "\u{FFFD}")
        }
        return try JSONSerialization.data(withJSONObject: ["samples": samples, "help": help], options: [.sortedKeys])
    }
}
