/// The two wire formats the encoder writes.
public enum ExpositionFormat: Sendable, Hashable, CaseIterable {
    /// Prometheus text exposition format 0.0.4.
    case prometheusText
    /// OpenMetrics 1.0.0 text format.
    case openMetrics

    /// Value for the `Content-Type` response header.
    public var contentType: String {
        switch self {
        case .prometheusText: "text/plain; version=0.0.4; charset=utf-8"
        case .openMetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8"
        }
    }
}
