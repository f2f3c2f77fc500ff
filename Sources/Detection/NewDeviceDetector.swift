/// Detection: anomaly detectors as small state machines fed observations and device events, with time
/// passed in (never read). Each returns the events it raises; the caller stores and exports them.
/// Imports only LanscopeCore.
import LanscopeCore

/// Raises `new_device` the first time a MAC appears that history has never seen (arpwatch's
/// "new station"). Seeded with the MACs already known so restarts and replays stay quiet.
public struct NewDeviceDetector: Sendable {
    private var known: Set<MACAddress>

    public init(known: some Sequence<MACAddress>) { self.known = Set(known) }

    /// `vendor` and `address` only enrich the summary.
    public mutating func deviceAppeared(_ mac: MACAddress, at time: Timestamp, vendor: String?) -> AnomalyEvent? {
        guard mac.isUnicastDevice, known.insert(mac).inserted else { return nil }
        var details: [String: String] = [:]
        if let vendor { details["vendor"] = vendor }
        if mac.isLocallyAdministered { details["locally_administered"] = "true" }
        let who = vendor.map { " (\($0))" } ?? (mac.isLocallyAdministered ? " (randomised MAC)" : "")
        return AnomalyEvent(time: time, kind: .newDevice, severity: .info, mac: mac,
                            summary: "new device \(mac)\(who)", details: details)
    }

    public var knownCount: Int { known.count }
}
