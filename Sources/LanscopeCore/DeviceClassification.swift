/// What a device is, as concluded by the classifier from every passive signal: type, OS, model and
/// manufacturer, each with a confidence and the evidence behind it. Pure data; the classifier lives in
/// `Fingerprinting`.
public struct DeviceClassification: Sendable, Hashable {
    public var type: ClassifiedValue<DeviceType>
    public var os: ClassifiedValue<String>?
    /// OS version where the evidence carries one (`14`, `10.0.19045`).
    public var osVersion: ClassifiedValue<String>?
    public var model: ClassifiedValue<String>?
    /// Who made the device; may differ from the OUI vendor (a module maker's OUI) and is what a
    /// private MAC needs.
    public var manufacturer: ClassifiedValue<String>?

    public init(
        type: ClassifiedValue<DeviceType> = .init(value: .unknown, confidence: 0),
        os: ClassifiedValue<String>? = nil, osVersion: ClassifiedValue<String>? = nil,
        model: ClassifiedValue<String>? = nil, manufacturer: ClassifiedValue<String>? = nil
    ) {
        self.type = type
        self.os = os
        self.osVersion = osVersion
        self.model = model
        self.manufacturer = manufacturer
    }

    public static let unknown = DeviceClassification()
}

/// One classified field: the value, a confidence in [0, 1], and the evidence that supports it.
public struct ClassifiedValue<Value: Sendable & Hashable>: Sendable, Hashable {
    public var value: Value
    public var confidence: Double
    public var evidence: [ClassificationEvidence]

    public init(value: Value, confidence: Double, evidence: [ClassificationEvidence] = []) {
        self.value = value
        self.confidence = confidence
        self.evidence = evidence
    }
}

/// One piece of evidence behind a conclusion: which signal, its value, the rule that matched, and the
/// weight it carried.
public struct ClassificationEvidence: Sendable, Hashable, Comparable {
    /// `dhcp_fingerprint`, `mdns_txt`, `ssdp_server`, `hostname`, `oui`, `tcp_syn`, `ja4`, `user_agent`, `dns`...
    public var signal: String
    /// The observed value, as heard (bounded length).
    public var value: String
    /// Identifier of the signature rule that matched (`dhcp.android`, `mdns.ipp`...).
    public var rule: String
    /// The rule's weight (positive: supports the value).
    public var weight: Double

    public init(signal: String, value: String, rule: String, weight: Double) {
        self.signal = signal
        self.value = value
        self.rule = rule
        self.weight = weight
    }

    public static func < (a: ClassificationEvidence, b: ClassificationEvidence) -> Bool {
        (b.weight, a.rule, a.signal, a.value) < (a.weight, b.rule, b.signal, b.value)
    }
}

/// The device-type vocabulary. Raw values are the `type` label and the JSON/database value: never
/// rename one.
public enum DeviceType: String, Sendable, Hashable, CaseIterable, Comparable {
    case phone, tablet, laptop, desktop, server, printer, camera, tv, streamer, speaker
    case gameConsole = "game_console"
    case nas, router
    case accessPoint = "access_point"
    case `switch`
    case smartPlug = "smart_plug"
    case light, hub, thermostat, sensor, appliance
    case iotOther = "iot_other"
    case unknown

    public static func < (a: DeviceType, b: DeviceType) -> Bool { a.rawValue < b.rawValue }
}
