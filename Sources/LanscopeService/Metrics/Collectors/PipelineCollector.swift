import Exposition
import LanscopeCore
import LanscopePipeline

/// What the pipeline decoded, learned and raised: discovery and decode-error counts, frames,
/// observations, anomaly events (counted and active), stage state, and what it could not keep.
struct PipelineCollector: ScrapeCollector {
    let name = "pipeline"
    let pipeline: Pipeline

    /// Protocols a decoder can fail on: the `protocol` label of `lanscope_decode_errors_total`, every
    /// one exported from the start so `rate()` has a series before the first error.
    static let decodedProtocols = DiscoveryProtocol.allCases.sorted()

    func collect(_ scrape: ScrapeContext) -> [MetricFamily] {
        let stats = scrape.statistics
        var families: [MetricFamily] = []
        var discovery = labelledFamily(
            "lanscope_discovery_packets", "Discovery frames decoded, by protocol.", .counter, 16, label: "protocol")
        for (p, n) in stats.discoveryPackets.sorted(by: { $0.key < $1.key }) {
            discovery.add(p.rawValue, value: Double(n))
        }
        families.append(discovery.build())
        var errors = labelledFamily(
            "lanscope_decode_errors", "Frames that failed to decode, by the protocol layer that failed.", .counter,
            PipelineCollector.decodedProtocols.count, label: "protocol")
        for p in PipelineCollector.decodedProtocols {
            errors.add(p.rawValue, value: Double(stats.decodeErrors[p] ?? 0))
        }
        families.append(errors.build())
        families.append(
            singleSample(
                "lanscope_capture_packets", "Frames processed by the userspace pipeline.", .counter,
                Double(stats.frames)))
        families.append(
            singleSample(
                "lanscope_capture_bytes", "Wire bytes of frames processed by the userspace pipeline.", .counter,
                Double(stats.bytes)))
        families.append(
            singleSample(
                "lanscope_observations", "Facts about devices learned from decoded frames.", .counter,
                Double(stats.observations)))

        var anomalies = MetricFamilyBuilder(
            name: "lanscope_anomalies", help: "Anomaly events raised, by kind and severity (every pair, 0 when none).",
            type: .counter, labelNames: ["kind", "severity"])
        for kind in AnomalyKind.allCases.sorted() {
            for severity in Severity.allCases.sorted(by: { $0.rawValue < $1.rawValue }) {
                let n = stats.anomalies[.init(kind: kind, severity: severity)] ?? 0
                anomalies.add(kind.rawValue, severity.rawValue, value: Double(n))
            }
        }
        families.append(anomalies.build())
        let (active, refused) = pipeline.activeAnomalies(at: scrape.now)
        var activeFamily = MetricFamilyBuilder(
            name: "lanscope_anomaly_active",
            help: "1 while an anomaly of this kind is active for this device (from the event until its hold time).",
            type: .gauge, labelNames: ["kind", "mac"])
        for pair in active { activeFamily.add(pair.kind.rawValue, pair.mac.description, value: 1) }
        families.append(activeFamily.build())
        families.append(
            singleSample(
                "lanscope_anomaly_active_refused",
                "Active (kind, device) pairs not exported because the active-anomaly cap was reached.", .counter,
                Double(refused)))
        var evicted = labelledFamily(
            "lanscope_anomaly_events_evicted",
            "Events pushed out of the in-memory recent-events ring of their severity (history keeps them).", .counter,
            Severity.allCases.count, label: "severity")
        for severity in Severity.allCases.sorted(by: { $0.rawValue < $1.rawValue }) {
            evicted.add(severity.rawValue, value: Double(stats.eventsEvicted[severity] ?? 0))
        }
        families.append(evicted.build())
        families.append(
            singleSample(
                "lanscope_store_observations_dropped",
                "Observations not kept for history because the pending set was full before the next flush.",
                .counter, Double(stats.pendingObservationsDropped)))
        families.append(
            singleSample(
                "lanscope_store_changes_dropped",
                "Inventory changes (identity, classification, address claims) not kept for history because the "
                    + "pending list was full.", .counter, Double(stats.pendingChangesDropped)))
        var entries = labelledFamily(
            "lanscope_stage_state_entries", "Entries a pipeline stage (classifier, detector) holds.", .gauge,
            stats.stages.count, label: "stage")
        var dropped = labelledFamily(
            "lanscope_stage_state_dropped", "Entries a pipeline stage refused at its state cap.", .counter,
            stats.stages.count, label: "stage")
        for stage in stats.stages.sorted(by: { $0.name < $1.name }) {
            entries.add(stage.name, value: Double(stage.entries))
            dropped.add(stage.name, value: Double(stage.dropped))
        }
        families += [entries.build(), dropped.build()]
        return families
    }
}
