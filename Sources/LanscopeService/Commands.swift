import Detection
import Fingerprinting
import Foundation
import Glibc
import History
import Inventory
import LanscopeCore
import LanscopePipeline
import Logging

/// Where the history database lives when `--db` is not given, the same for the service and the CLI, so
/// `lanscope alerts` on an installed sensor reads what the service writes:
/// 1. `$LANSCOPE_DB`;
/// 2. the system sensor's database, `/var/lib/lanscope/lanscope.db`, when it exists (what the shipped
///    systemd unit writes);
/// 3. `$XDG_DATA_HOME/lanscope/lanscope.db`, else `~/.local/share/lanscope/lanscope.db`.
public enum HistoryPaths {
    /// The system sensor's database (the systemd unit's `StateDirectory=lanscope`).
    public static let systemDatabasePath = "/var/lib/lanscope/lanscope.db"

    public static func defaultDatabasePath() -> String {
        var environment: [String: String] = [:]
        for key in ["LANSCOPE_DB", "XDG_DATA_HOME", "HOME"] {
            if let v = getenv(key) { environment[key] = String(cString: v) }
        }
        return defaultDatabasePath(environment: environment, exists: { access($0, F_OK) == 0 })
    }

    /// The search order above, with the environment and the file test passed in (tests).
    public static func defaultDatabasePath(environment: [String: String], exists: (String) -> Bool) -> String {
        if let explicit = environment["LANSCOPE_DB"], !explicit.isEmpty { return explicit }
        if exists(systemDatabasePath) { return systemDatabasePath }
        return HistoryStore.defaultPath(environment: environment)
    }
}

/// Errors the commands report to the user.
public enum CommandError: Error, CustomStringConvertible {
    case noDatabase(String)
    case history(HistoryError)
    case output(path: String, reason: String)
    case vendorRegistry(String)
    case signatures(String)

    public var description: String {
        switch self {
        case .noDatabase(let path):
            return "no database at \(path) — run `lanscope replay FILE` or `lanscope run` first, or pass --db PATH"
        case .history(let e): return e.description
        case .output(let path, let reason): return "cannot write \(path): \(reason)"
        case .vendorRegistry(let message): return message
        case .signatures(let message): return "signature files: \(message)"
        }
    }
}

/// The one-shot commands' logic, callable in-process by tests.
public enum Commands {
    /// `lanscope replay`: every file through one pipeline, then stored. Unreadable files are reported
    /// and skipped; truncated ones contribute the packets read before the damage.
    /// `detection`: the detectors' thresholds (`--detection-config FILE`; its `learning_period` does not
    /// apply: a replay has none). Default: every detector with its defaults.
    public static func replay(
        files: [String], databasePath: String?, ouiPath: String?, signaturesPath: String? = nil,
        detection: DetectionConfiguration? = nil, logger: Logger
    ) throws -> ReplayOutcome {
        let (vendors, parsedSignatures) = ServiceStages.identification(
            ouiPath: ouiPath, signaturesPath: signaturesPath, logger: logger)
        if ouiPath != nil, let error = vendors.loadError { throw CommandError.vendorRegistry(error) }
        let signatures: SignatureSet
        do { signatures = try parsedSignatures.get() } catch {
            throw CommandError.signatures(error.description)
        }
        let store: HistoryStore?
        do throws(HistoryError) {
            store = try databasePath.map { path throws(HistoryError) in try HistoryStore(path: path) }
        } catch {
            throw CommandError.history(error)
        }
        var known: [MACAddress] = []
        if let store { do { known = try store.devices().map(\.mac) } catch { throw CommandError.history(error) } }
        let registry = DeviceRegistry(vendorLookup: vendors.lookup)
        let pipeline = Pipeline(
            registry: registry,
            stages: ServiceStages.make(
                known: known, signatures: signatures,
                detection: detection ?? .init()))
        let runner = ReplayRunner(pipeline: pipeline, history: store)
        var reports: [ReplayRunner.FileReport] = []
        for file in files {
            let report = runner.replay(path: file)
            if let error = report.error {
                logger.warning("capture file problem", metadata: ["file": "\(file)", "error": "\(error)"])
            }
            reports.append(report)
        }
        let pending = pipeline.statistics()
        if let store {
            do { try runner.store(reports, into: store, ingestedAt: SystemClock().now()) } catch {
                throw CommandError.history(error)
            }
        }
        return ReplayOutcome(
            files: reports, statistics: pending, devices: registry.snapshot(),
            newDevices: pending.anomalies.filter { $0.key.kind == .newDevice }.values.reduce(0, +),
            databasePath: databasePath, vendorNote: vendors.loadError)
    }

    /// Opens the database for `list`, `device`, `alerts` and `export`: read-only (no migration, no
    /// journal-mode change, nothing created), so it works on a read-only mount and never alters a
    /// file from another lanscope version.
    public static func openForReading(_ path: String) throws -> HistoryView {
        guard access(path, F_OK) == 0 else { throw CommandError.noDatabase(path) }
        let configuration = HistoryStore.Configuration(readOnly: true)
        do {
            let store = try HistoryStore(path: path, configuration: configuration)
            let wallClock = SystemClock().now()
            let now = DeviceRendering.Presence.reference(
                wallClock: wallClock,
                newestReplayedPacket: try store.captures().compactMap(\.lastPacket).max(),
                newestSighting: try store.newestDeviceSighting())
            return HistoryView(store: store, presence: .init(now: now, wallClock: wallClock))
        } catch { throw CommandError.history(error) }
    }
}

/// Read-side view of the history database for `list`, `device`, `alerts`, `export`.
public struct HistoryView {
    public let store: HistoryStore
    public let presence: DeviceRendering.Presence

    public init(
        store: HistoryStore, clock: some Clock, presenceWindow: Duration = DeviceRendering.Presence.defaultWindow
    ) {
        self.store = store
        self.presence = .init(now: clock.now(), window: presenceWindow)
    }

    public init(store: HistoryStore, presence: DeviceRendering.Presence) {
        self.store = store
        self.presence = presence
    }

    public func devices() throws -> [Device] {
        do { return try store.devices() } catch { throw CommandError.history(error) }
    }

    /// Every device's traffic samples since `since` (`HistoryStore.allSamples`).
    public func samples(since: Timestamp) throws -> (samples: [TrafficSample], truncated: Bool) {
        do { return try store.allSamples(since: since) } catch { throw CommandError.history(error) }
    }

    public func anomalies(within window: Duration?) throws -> [AnomalyEvent] {
        do { return try store.anomalies(since: window.map { presence.wallClock - $0 }, limit: nil) } catch {
            throw CommandError.history(error)
        }
    }

    /// Devices seen between `from` and `to` (`HistoryStore.devicesSeen`), each with its stored device.
    public func devicesSeen(from: Timestamp, to: Timestamp) throws -> [(sighting: DeviceSighting, device: Device?)] {
        do {
            let seen = try store.devicesSeen(from: from, to: to)
            var byMAC: [MACAddress: Device] = [:]
            for device in try store.devices() { byMAC[device.mac] = device }
            return seen.map { ($0, byMAC[$0.mac]) }
        } catch { throw CommandError.history(error) }
    }

    public func deviceDetail(_ mac: MACAddress) throws -> DeviceDetail? {
        do {
            // Bounded reads: a device flooded with addresses or evidence costs what is shown.
            guard let stored = try store.deviceDetail(mac) else { return nil }
            let events = try store.anomalies(since: nil, limit: nil).filter {
                $0.mac == mac || $0.relatedMACs.contains(mac)
            }
            return DeviceDetail(
                device: stored.device, evidence: stored.evidence.records, anomalies: events,
                addressesStored: stored.addressesStored, evidenceStored: stored.evidence.total,
                identityChanges: try store.identityChanges(for: mac),
                timeline: DeviceTimeline(
                    presence: try store.presence(for: mac, limit: 50),
                    dailyTraffic: try store.dailyTraffic(for: mac, since: nil, limit: 31)))
        } catch { throw CommandError.history(error) }
    }
}

/// `lanscope device MAC`: the device, its evidence, and its events.
public struct DeviceDetail {
    public var device: Device
    public var evidence: [EvidenceRecord]
    public var anomalies: [AnomalyEvent]
    /// Addresses and evidence rows stored, including those beyond what was read (`nil`: all read).
    public var addressesStored: Int? = nil
    public var evidenceStored: Int? = nil
    /// Identity and classification changes, newest first.
    public var identityChanges: [InventoryChange] = []
    /// Presence spans, addresses over time and traffic per day (live history).
    public var timeline: DeviceTimeline? = nil

    public func json(presence: DeviceRendering.Presence) -> [UInt8] {
        var w = JSONWriter(pretty: true)
        w.beginObject()
        w.key("device")
        DeviceRendering.writeJSON(device, presence: presence, into: &w)
        w.key("evidence"); w.beginArray()
        for e in evidence {
            w.beginObject()
            w.field("kind", e.kind.rawValue); w.field("source", e.source.rawValue); w.field("value", e.value)
            w.field("first_seen", e.firstSeen.rfc3339); w.field("last_seen", e.lastSeen.rfc3339);
            w.field("count", e.count)
            w.endObject()
        }
        w.endArray()
        w.key("anomalies"); w.beginArray(); for a in anomalies { AnomalyRendering.writeJSON(a, into: &w) }; w.endArray()
        w.key("identity_changes"); w.beginArray()
        for case .identityChanged(_, let field, let from, let to, let time) in identityChanges {
            w.beginObject()
            w.field("time", time); w.field("field", field.rawValue); w.field("from", from); w.field("to", to)
            w.endObject()
        }
        w.endArray()
        timeline?.writeJSON(device: device, into: &w)
        if let addressesStored { w.field("addresses_stored", addressesStored) }
        if let evidenceStored { w.field("evidence_stored", evidenceStored) }
        w.endObject()
        return w.bytes + [0x0A]
    }

    public func text(presence: DeviceRendering.Presence) -> String {
        let d = device
        let s = TerminalText.sanitize
        var out = "device \(d.mac)\(d.isLocallyAdministered ? " (locally administered: randomised MAC)" : "")\n"
        var rows: [[String]] = [
            ["vendor", d.vendor ?? "-"],
            ["hostname", d.hostname.map { "\($0) (\(d.hostnameSource?.rawValue ?? "?"))" } ?? "-"],
            ["state", presence.isOnline(d) ? "online" : "offline"],
            ["first seen", d.firstSeen.rfc3339],
            ["last seen", d.lastSeen.rfc3339],
            [
                "traffic",
                "tx \(d.traffic.transmittedPackets) pkts / \(d.traffic.transmittedBytes) B, rx \(d.traffic.receivedPackets) pkts / \(d.traffic.receivedBytes) B",
            ],
        ]
        for ip in d.sortedAddresses { rows.append(["address", "\(ip) (\(d.addresses[ip]?.source.rawValue ?? "?"))"]) }
        if let dhcp = d.dhcp {
            rows.append(["dhcp option 55", dhcp.parameterRequestListText])
            if let v = dhcp.vendorClass { rows.append(["dhcp option 60", v]) }
        }
        for svc in d.services.sorted() {
            rows.append([
                "service",
                "\(svc.via.rawValue) \(svc.type)\(svc.name.map { " \"\($0)\"" } ?? "")\(svc.port.map { " port \($0)" } ?? "")",
            ])
        }
        out += TerminalText.table(header: ["FIELD", "VALUE"], rows: rows, maxWidth: 100)
        out += Self.explain(d.classification)
        if let addressesStored, addressesStored > d.addresses.count {
            out += "(\(addressesStored - d.addresses.count) older addresses not shown)\n"
        }
        if !evidence.isEmpty {
            out += "\nevidence:\n"
            out += TerminalText.table(
                header: ["KIND", "SOURCE", "VALUE", "COUNT", "LAST SEEN"],
                rows: evidence.map {
                    [$0.kind.rawValue, $0.source.rawValue, $0.value, String($0.count), $0.lastSeen.rfc3339]
                },
                maxWidth: 80)
            if let evidenceStored, evidenceStored > evidence.count {
                out += "(\(evidenceStored - evidence.count) more evidence rows not shown)\n"
            }
        }
        if let timeline { out += timeline.text(device: d) }
        if !anomalies.isEmpty {
            out += "\nevents:\n" + AnomalyRendering.table(anomalies)
        }
        let changes = identityChanges.compactMap { change -> [String]? in
            guard case .identityChanged(_, let field, let from, let to, let time) = change else { return nil }
            return [time.rfc3339, field.rawValue, from ?? "-", to]
        }
        if !changes.isEmpty {
            out +=
                "\nidentity changes:\n"
                + TerminalText.table(header: ["TIME", "FIELD", "FROM", "TO"], rows: changes, maxWidth: 48)
        }
        _ = s
        return out
    }

    /// What the device is and why: each classified field with its confidence and the evidence that
    /// supports it (strongest first).
    static func explain(_ classification: DeviceClassification?) -> String {
        guard let c = classification else { return "\nidentification: not classified yet\n" }
        var rows: [[String]] = []
        func add(_ name: String, _ value: String, _ confidence: Double, _ evidence: [ClassificationEvidence]) {
            rows.append([name, value, String(format: "%.2f", confidence), ""])
            for e in evidence.sorted().prefix(6) {
                rows.append([
                    "", "", "", "\(e.signal) \"\(e.value)\" (\(e.rule), \(String(format: "%+.2f", e.weight)))",
                ])
            }
        }
        add("type", c.type.value.rawValue, c.type.confidence, c.type.evidence)
        if let os = c.os {
            add("os", os.value + (c.osVersion.map { " " + $0.value } ?? ""), os.confidence, os.evidence)
        }
        if let model = c.model { add("model", model.value, model.confidence, model.evidence) }
        if let maker = c.manufacturer { add("manufacturer", maker.value, maker.confidence, maker.evidence) }
        return "\nidentification:\n"
            + TerminalText.table(header: ["FIELD", "VALUE", "CONFIDENCE", "EVIDENCE"], rows: rows, maxWidth: 90)
    }
}

/// `lanscope replay`'s result.
public struct ReplayOutcome {
    public var files: [ReplayRunner.FileReport]
    public var statistics: PipelineStatistics
    public var devices: [Device]
    public var newDevices: UInt64
    public var databasePath: String?
    public var vendorNote: String?

    public var allFailed: Bool { !files.isEmpty && files.allSatisfy { $0.packets == 0 && $0.error != nil } }
    /// Files that could not be read at all (a truncated file still contributed what it held).
    public var unreadable: [ReplayRunner.FileReport] { files.filter { $0.packets == 0 && $0.error != nil } }

    /// Presence as `list` will measure it right after this replay (`Presence.reference`).
    public var presence: DeviceRendering.Presence {
        let wallClock = SystemClock().now()
        return .init(
            now: DeviceRendering.Presence.reference(
                wallClock: wallClock, newestReplayedPacket: statistics.lastFrameTime,
                newestSighting: devices.map(\.lastSeen).max()),
            wallClock: wallClock)
    }

    public func text() -> String {
        var rows: [[String]] = []
        for f in files {
            rows.append([f.path, String(f.packets), f.linkType.map { "\($0)" } ?? "-", f.error ?? "ok"])
        }
        var out = TerminalText.table(header: ["FILE", "PACKETS", "LINK", "STATUS"], rows: rows, maxWidth: 90)
        let discovery = statistics.discoveryPackets.sorted { $0.key < $1.key }.map { "\($0.key.rawValue)=\($0.value)" }
            .joined(separator: " ")
        let errors = statistics.decodeErrors.sorted { $0.key < $1.key }.map { "\($0.key.rawValue)=\($0.value)" }.joined(
            separator: " ")
        let presence = presence
        let online = devices.count { presence.isOnline($0) }
        out += "\n\(statistics.frames) frames, \(devices.count) devices (\(newDevices) new, \(online) online)"
        if statistics.pendingObservationsDropped > 0 {
            out += "\nobservations not stored (pending set full): \(statistics.pendingObservationsDropped)"
        }
        out += "\ndiscovery: \(discovery.isEmpty ? "none" : discovery)"
        out += "\ndecode errors: \(errors.isEmpty ? "none" : errors)\n"
        if let vendorNote { out += "note: \(vendorNote)\n" }
        if let databasePath { out += "stored in \(TerminalText.sanitize(databasePath))\n" }
        if !devices.isEmpty {
            out +=
                "\n"
                + DeviceRendering.table(devices, presence: presence)
        }
        return out
    }

    public func json() -> [UInt8] {
        var w = JSONWriter(pretty: true)
        w.beginObject()
        w.key("files"); w.beginArray()
        for f in files {
            w.beginObject()
            w.field("path", f.path); w.field("packets", f.packets); w.field("bytes", f.bytes)
            w.field("link_type", f.linkType.map { "\($0)" }); w.field("error", f.error)
            w.endObject()
        }
        w.endArray()
        w.field("frames", statistics.frames)
        w.field("devices", devices.count)
        w.field("new_devices", newDevices)
        let presence = presence
        w.field("online_devices", devices.count { presence.isOnline($0) })
        w.field("observations_dropped", statistics.pendingObservationsDropped)
        w.key("discovery_packets"); w.beginObject()
        for (k, v) in statistics.discoveryPackets.sorted(by: { $0.key < $1.key }) { w.key(text: k.rawValue); w.int(v) }
        w.endObject()
        w.key("decode_errors"); w.beginObject()
        for (k, v) in statistics.decodeErrors.sorted(by: { $0.key < $1.key }) { w.key(text: k.rawValue); w.int(v) }
        w.endObject()
        // Events raised by kind (closing events of spans not counted), and each stage's state at the last
        // tick: entries held and what its cap refused (`lanscope_stage_state_{entries,dropped_total}`).
        var byKind: [String: UInt64] = [:]
        for (key, n) in statistics.anomalies { byKind[key.kind.rawValue, default: 0] += n }
        w.key("anomalies"); w.beginObject()
        for (k, v) in byKind.sorted(by: { $0.key < $1.key }) { w.key(text: k); w.int(v) }
        w.endObject()
        w.key("stages"); w.beginArray()
        for stage in statistics.stages {
            w.beginObject()
            w.field("name", stage.name); w.field("entries", stage.entries); w.field("dropped", stage.dropped)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.bytes + [0x0A]
    }
}

/// Writes a file atomically-enough for exports: to a temporary sibling, then rename.
public enum OutputFile {
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw CommandError.output(path: path, reason: String(cString: strerror(errno))) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(fd); unlink(temporary)
                throw CommandError.output(path: path, reason: reason)
            }
            offset += n
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw CommandError.output(path: path, reason: reason)
        }
    }
}
