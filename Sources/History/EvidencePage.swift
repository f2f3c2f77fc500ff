public import LanscopeCore

/// Some of a device's evidence rows and how many are stored, so a view that shows a page can say
/// how much it left out.
public struct EvidencePage: Sendable, Hashable {
    /// The rows read, sorted by kind, source and value.
    public var records: [EvidenceRecord]
    /// Rows stored for the device, by kind, including those not in `records`.
    public var totals: [EvidenceKind: Int]

    public init(records: [EvidenceRecord], totals: [EvidenceKind: Int]) {
        self.records = records
        self.totals = totals
    }

    /// Rows stored for the device.
    public var total: Int { totals.values.reduce(0, +) }
    /// Rows stored but not in `records`.
    public var omitted: Int { max(0, total - records.count) }
}

/// One stored device as `HistoryStore.deviceDetail` reads it: bounded however much is stored.
public struct StoredDeviceDetail: Sendable {
    /// The device, with at most the read's `addressLimit` addresses (the most recently seen).
    public var device: Device
    /// Addresses stored for the device, including those not in `device.addresses`.
    public var addressesStored: Int
    public var evidence: EvidencePage

    public init(device: Device, addressesStored: Int, evidence: EvidencePage) {
        self.device = device
        self.addressesStored = addressesStored
        self.evidence = evidence
    }
}
