import Exposition
import LanscopeCore
import LanscopePipeline

/// One concern's metric families at scrape time (node_exporter's collectors): each reads its own
/// snapshot, builds its families, and is golden-tested on its own.
protocol ScrapeCollector: Sendable {
    /// The `collector` label of `lanscope_scrape_collector_duration_seconds`.
    var name: String { get }
    func collect(_ scrape: ScrapeContext) -> [MetricFamily]
}

/// What one scrape reads once and every collector shares.
struct ScrapeContext {
    var now: Timestamp
    /// The registry's devices joined with the backend's table, and the export cap applied.
    var view: MetricsCollector.ExportView
    var statistics: PipelineStatistics
    var capture: CaptureStatus
}

/// A family with one label, reserved for `capacity` samples.
func labelledFamily(_ name: String, _ help: String, _ type: MetricType, _ capacity: Int, label: String)
    -> MetricFamilyBuilder
{
    MetricFamilyBuilder(name: name, help: help, type: type, labelNames: [label], minimumCapacity: capacity)
}

/// A family with a single unlabelled sample.
func singleSample(_ name: String, _ help: String, _ type: MetricType, _ value: Double) -> MetricFamily {
    var b = MetricFamilyBuilder(name: name, help: help, type: type, labelNames: [])
    b.add(labelValues: [], value: value)
    return b.build()
}
