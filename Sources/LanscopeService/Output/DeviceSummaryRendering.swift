import LanscopeCore

/// `/devices.json?view=summary`: each device's identity, addresses, classified values (without their
/// evidence), presence and counters — what a table of devices shows, at a fraction of the full object's
/// size (no DHCP fingerprint, services, client signals or evidence). Field names and shapes are those of
/// the full object, so a reader of the full object reads the summary too.
enum DeviceSummaryRendering {
    static func writeJSON(
        _ d: Device, presence: DeviceRendering.Presence, into w: inout JSONWriter,
        traffic: TrafficCounters? = nil, lastSeen: Timestamp? = nil
    ) {
        let seenAt = max(d.lastSeen, lastSeen ?? d.lastSeen)
        w.beginObject()
        w.key("mac"); w.ascii { d.mac.appendText(to: &$0) }
        w.field("vendor", d.vendor)
        w.field("hostname", d.hostname)
        w.key("addresses"); w.beginArray()
        for (ip, record) in d.addresses.sorted(by: { $0.key < $1.key }) {
            w.beginObject()
            w.key("ip"); w.ascii { ip.appendText(to: &$0) }
            w.field("version", ip.version)
            w.field("last_seen", record.lastSeen)
            w.endObject()
        }
        w.endArray()
        let c = d.classification ?? .unknown
        w.key("classification"); w.beginObject()
        w.key("type"); writeValue(c.type.value.rawValue, c.type.confidence, into: &w)
        for (name, field) in [("os", c.os), ("model", c.model), ("manufacturer", c.manufacturer)] {
            w.key(text: name)
            if let field { writeValue(field.value, field.confidence, into: &w) } else { w.null() }
        }
        w.endObject()
        w.field("first_seen", d.firstSeen)
        w.field("last_seen", seenAt)
        w.field("online", presence.isOnline(lastSeen: seenAt))
        w.key("counters"); DeviceRendering.writeCounters(traffic ?? d.traffic, into: &w)
        w.endObject()
    }

    private static func writeValue(_ value: String, _ confidence: Double, into w: inout JSONWriter) {
        w.beginObject()
        w.field("value", value)
        w.key("confidence"); w.double((confidence * 1000).rounded() / 1000)
        w.endObject()
    }
}
