import History
import LanscopeCore

/// Traffic samples and presence spans as JSON and CSV: `/devices/{mac}/history.json`, `lanscope device`
/// and `lanscope export --since`.
public enum HistoryRendering {
    public static func writeJSON(_ sample: TrafficSample, includeMAC: Bool = false, into w: inout JSONWriter) {
        w.beginObject()
        if includeMAC { w.field("mac", sample.mac.description) }
        w.field("tier", sample.tier.description)
        w.field("start", sample.start)
        w.field("seconds", sample.seconds)
        w.field("transmitted_bytes", sample.transmittedBytes)
        w.field("transmitted_packets", sample.transmittedPackets)
        w.field("received_bytes", sample.receivedBytes)
        w.field("received_packets", sample.receivedPackets)
        w.endObject()
    }

    public static func writeJSON(_ span: PresenceSpan, into w: inout JSONWriter) {
        w.beginObject()
        w.field("start", span.start)
        w.field("end", span.end)
        w.endObject()
    }

    /// `/devices/{mac}/history.json`: the device's samples since `since` (oldest first) and its presence
    /// spans (newest first).
    public static func historyJSON(
        mac: MACAddress, since: Timestamp, samples: [TrafficSample], presence: [PresenceSpan]
    ) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.field("mac", mac.description)
        w.field("since", since)
        w.key("samples"); w.beginArray()
        for sample in samples { writeJSON(sample, into: &w) }
        w.endArray()
        w.key("presence"); w.beginArray()
        for span in presence { writeJSON(span, into: &w) }
        w.endArray()
        w.endObject()
        return w.bytes
    }

    public static let trafficCSVHeader = [
        "mac", "hostname", "vendor", "ipv4", "tier", "start", "seconds", "transmitted_packets", "transmitted_bytes",
        "received_packets", "received_bytes",
    ]

    /// One row per sample with the device's name, vendor and IPv4 addresses (formula-injection safe as
    /// every export: `CSVWriter`). `forTerminal`: device text has its control characters made visible.
    public static func trafficCSV(_ samples: [TrafficSample], devices: [Device], forTerminal: Bool = false) -> String {
        var byMAC: [MACAddress: Device] = [:]
        for device in devices { byMAC[device.mac] = device }
        var out = CSVWriter()
        out.row(trafficCSVHeader)
        for sample in samples {
            let device = byMAC[sample.mac]
            var fields = [
                sample.mac.description, device?.hostname ?? "", device?.vendor ?? "",
                (device?.sortedAddresses ?? []).filter { $0.version == 4 }.map(\.description).joined(separator: " "),
                sample.tier.description, sample.start.rfc3339, String(sample.seconds),
                String(sample.transmittedPackets), String(sample.transmittedBytes), String(sample.receivedPackets),
                String(sample.receivedBytes),
            ]
            if forTerminal { fields = fields.map(TerminalText.sanitize) }
            out.row(fields)
        }
        return out.text
    }

    /// `lanscope export --format json --since D`: `{"devices": [...], "traffic": [...]}`.
    public static func exportJSON(
        devices: [Device], samples: [TrafficSample], presence: DeviceRendering.Presence, truncated: Bool
    ) -> [UInt8] {
        var w = JSONWriter(pretty: true)
        w.beginObject()
        w.key("devices"); w.beginArray()
        for device in devices { DeviceRendering.writeJSON(device, presence: presence, into: &w) }
        w.endArray()
        w.key("traffic"); w.beginArray()
        for sample in samples { writeJSON(sample, includeMAC: true, into: &w) }
        w.endArray()
        w.field("traffic_truncated", truncated)
        w.endObject()
        return w.bytes + [0x0A]
    }
}
