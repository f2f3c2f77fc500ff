#if canImport(Glibc)
    import Glibc
#endif

/// The capture's health as `/metrics` exports it: `lanscope_capture_info{backend,mode,interface}`,
/// `lanscope_capture_up` and `lanscope_capture_dropped_total{reason}`.
public struct CaptureHealth: Equatable, Sendable {
    public var backend: String?
    public var mode: String?
    public var interface: String?
    public var up: Bool?
    /// Frames lost, by reason.
    public var dropped: [String: Double] = [:]

    public init() {}

    public var totalDropped: Double { dropped.values.reduce(0, +) }

    /// Reads the few capture lines out of a text exposition (Prometheus 0.0.4), scanning line starts
    /// only: a 10,000-device scrape is megabytes of per-device series this skips.
    public static func parse(_ bytes: [UInt8]) -> CaptureHealth {
        var health = CaptureHealth()
        bytes.withUnsafeBufferPointer { b in
            var start = 0
            guard let base = b.baseAddress else { return }
            while start < b.count {
                // memchr: the line ends are most of the work over megabytes of per-device series.
                var end = b.count
                if let found = memchr(base + start, 0x0A, b.count - start) {
                    end = UnsafeRawPointer(found) - UnsafeRawPointer(base)
                }
                // Every capture family starts "lanscope_capture_"; the first letter decides cheaply.
                if end - start > 17, b[start] == UInt8(ascii: "l"), b[start + 9] == UInt8(ascii: "c"),
                    b[start + 16] == UInt8(ascii: "_")
                {
                    let line = String(decoding: UnsafeBufferPointer(rebasing: b[start..<end]), as: UTF8.self)
                    health.read(line)
                }
                start = end + 1
            }
        }
        return health
    }

    mutating func read(_ line: String) {
        if line.hasPrefix("lanscope_capture_info{") {
            let labels = Self.labels(line)
            backend = labels["backend"]
            mode = labels["mode"]
            interface = labels["interface"]
        } else if line.hasPrefix("lanscope_capture_up ") {
            up = Self.value(line).map { $0 != 0 }
        } else if line.hasPrefix("lanscope_capture_dropped_total{"), let reason = Self.labels(line)["reason"] {
            dropped[reason] = Self.value(line) ?? 0
        }
    }

    static func value(_ line: String) -> Double? {
        // The value follows the labels, or the name when there are none; a timestamp may follow it.
        let end = line.lastIndex(of: "}") ?? line.firstIndex(of: " ") ?? line.endIndex
        return line[end...].dropFirst().split(separator: " ").first.flatMap { Double($0) }
    }

    /// `name{a="x",b="y"} v` → [a: x, b: y], undoing the exposition's `\\`, `\"` and `\n` escapes.
    static func labels(_ line: String) -> [String: String] {
        guard let open = line.firstIndex(of: "{") else { return [:] }
        var result: [String: String] = [:]
        var name = ""
        var value = ""
        var inValue = false
        var escaped = false
        for c in line[line.index(after: open)...] {
            if inValue {
                if escaped {
                    value.append(c == "n" ? "\n" : c)
                    escaped = false
                } else if c == "\\" {
                    escaped = true
                } else if c == "\"" {
                    result[name] = value
                    name = ""
                    value = ""
                    inValue = false
                } else {
                    value.append(c)
                }
            } else if c == "}" {
                break
            } else if c == "\"" {
                inValue = true
            } else if c != "=" && c != "," {
                name.append(c)
            }
        }
        return result
    }
}
