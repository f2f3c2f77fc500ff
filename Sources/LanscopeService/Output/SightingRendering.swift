import History
import LanscopeCore

/// `lanscope history`: devices seen within a range, with what the inventory knows of them.
public enum SightingRendering {
    public static func table(_ seen: [(sighting: DeviceSighting, device: Device?)]) -> String {
        TerminalText.table(
            header: ["MAC", "HOSTNAME", "VENDOR", "IP", "FIRST IN RANGE", "LAST IN RANGE"],
            rows: seen.map { entry in
                [
                    entry.sighting.mac.description, entry.device?.hostname ?? "-", entry.device?.vendor ?? "-",
                    entry.device?.sortedAddresses.first?.description ?? "-", entry.sighting.first.rfc3339,
                    entry.sighting.last.rfc3339,
                ]
            })
    }

    public static func json(_ seen: [(sighting: DeviceSighting, device: Device?)], from: Timestamp, to: Timestamp)
        -> [UInt8]
    {
        var w = JSONWriter(pretty: true)
        w.beginObject()
        w.field("from", from)
        w.field("to", to)
        w.key("devices"); w.beginArray()
        for entry in seen {
            w.beginObject()
            w.field("mac", entry.sighting.mac.description)
            w.field("hostname", entry.device?.hostname)
            w.field("vendor", entry.device?.vendor)
            w.field("first", entry.sighting.first)
            w.field("last", entry.sighting.last)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.bytes + [0x0A]
    }
}
