/// What the device table shows of one device, read from `/devices.json`. Every string is as the
/// server sent it (device-supplied, untrusted); the screen sanitizes it when drawing.
public struct DeviceSummary: Equatable, Sendable {
    public var mac: String
    public var vendor: String?
    public var hostname: String?
    /// The first IPv4 address (sorted as the server sorts), else the first address of any version.
    public var ip: String?
    /// Classified type (`unknown` before classification), OS and model when known.
    public var type: String
    public var os: String?
    public var model: String?
    /// Unix seconds.
    public var lastSeen: Double?
    public var online: Bool
    public var transmittedBytes: UInt64
    public var receivedBytes: UInt64

    public init(
        mac: String, vendor: String? = nil, hostname: String? = nil, ip: String? = nil, type: String = "unknown",
        os: String? = nil, model: String? = nil, lastSeen: Double? = nil, online: Bool = true,
        transmittedBytes: UInt64 = 0, receivedBytes: UInt64 = 0
    ) {
        self.mac = mac
        self.vendor = vendor
        self.hostname = hostname
        self.ip = ip
        self.type = type
        self.os = os
        self.model = model
        self.lastSeen = lastSeen
        self.online = online
        self.transmittedBytes = transmittedBytes
        self.receivedBytes = receivedBytes
    }
}

extension DeviceSummary {
    /// Decodes `/devices.json` (an array of device objects), reading only the fields above.
    public static func decodeList(_ bytes: [UInt8]) throws(TopError) -> [DeviceSummary] {
        let result: Result<[DeviceSummary], JSONScanner.Failure> = bytes.withUnsafeBufferPointer { buffer in
            var s = JSONScanner(buffer)
            do throws(JSONScanner.Failure) {
                var devices: [DeviceSummary] = []
                try s.beginArray()
                while try s.nextElement() { devices.append(try decode(&s)) }
                return .success(devices)
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let devices): return devices
        case .failure(let f): throw .badResponse("/devices.json at byte \(f.offset): \(f.reason)")
        }
    }

    static func decode(_ s: inout JSONScanner) throws(JSONScanner.Failure) -> DeviceSummary {
        var d = DeviceSummary(mac: "")
        try s.beginObject()
        while let key = try s.nextKey() {
            if s.key(key, is: "mac") {
                d.mac = try s.string() ?? ""
            } else if s.key(key, is: "vendor") {
                d.vendor = try s.string()
            } else if s.key(key, is: "hostname") {
                d.hostname = try s.string()
            } else if s.key(key, is: "addresses") {
                d.ip = try decodeAddress(&s)
            } else if s.key(key, is: "classification") {
                try decodeClassification(&s, into: &d)
            } else if s.key(key, is: "last_seen") {
                d.lastSeen = try s.string().flatMap(RFC3339.seconds)
            } else if s.key(key, is: "online") {
                d.online = try s.bool() ?? false
            } else if s.key(key, is: "counters") {
                try s.beginObject()
                while let counter = try s.nextKey() {
                    if s.key(counter, is: "transmitted_bytes") {
                        d.transmittedBytes = try s.unsigned() ?? 0
                    } else if s.key(counter, is: "received_bytes") {
                        d.receivedBytes = try s.unsigned() ?? 0
                    } else {
                        try s.skipValue()
                    }
                }
            } else {
                try s.skipValue()
            }
        }
        return d
    }

    private static func decodeAddress(_ s: inout JSONScanner) throws(JSONScanner.Failure) -> String? {
        var first: String? = nil
        var firstV4: String? = nil
        try s.beginArray()
        while try s.nextElement() {
            try s.beginObject()
            var ip: String? = nil
            var version: Double? = nil
            while let key = try s.nextKey() {
                if s.key(key, is: "ip") {
                    ip = try s.string()
                } else if s.key(key, is: "version") {
                    version = try s.number()
                } else {
                    try s.skipValue()
                }
            }
            if first == nil { first = ip }
            if firstV4 == nil, version == 4 { firstV4 = ip }
        }
        return firstV4 ?? first
    }

    private static func decodeClassification(_ s: inout JSONScanner, into d: inout DeviceSummary)
        throws(JSONScanner.Failure)
    {
        if try s.null() { return }
        try s.beginObject()
        while let key = try s.nextKey() {
            if s.key(key, is: "type") {
                d.type = try classifiedValue(&s) ?? "unknown"
            } else if s.key(key, is: "os") {
                d.os = try classifiedValue(&s)
            } else if s.key(key, is: "model") {
                d.model = try classifiedValue(&s)
            } else {
                try s.skipValue()
            }
        }
    }

    /// `{"value": …, "confidence": …, "evidence": […]}` or null.
    private static func classifiedValue(_ s: inout JSONScanner) throws(JSONScanner.Failure) -> String? {
        if try s.null() { return nil }
        var value: String? = nil
        try s.beginObject()
        while let key = try s.nextKey() {
            if s.key(key, is: "value") { value = try s.string() } else { try s.skipValue() }
        }
        return value
    }
}
