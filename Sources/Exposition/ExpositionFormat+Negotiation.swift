extension ExpositionFormat {
    /// Picks the format for a request's `Accept` header.
    ///
    /// OpenMetrics is served when an `application/openmetrics-text` range (without `version` or with
    /// version 1.0.0 or 0.0.1, which 1.0.0 supersedes) has q > 0 and no explicit `text/plain`
    /// range has a higher q. Everything else, including no header, wildcards only and malformed
    /// headers, gets text 0.0.4. A range with a malformed `q` counts as q = 0 (RFC 9110 §12.4.2).
    public static func negotiate(accept: String?) -> ExpositionFormat {
        guard let accept else { return .prometheusText }
        var openMetricsQuality = 0.0
        var textQuality = 0.0
        for element in HeaderElement.parse(accept) {
            let quality = element.quality ?? 0
            switch element.token {
            case "application/openmetrics-text":
                let version = element.parameters["version"]
                if version == nil || version == "1.0.0" || version == "0.0.1" {
                    openMetricsQuality = max(openMetricsQuality, quality)
                }
            case "text/plain":
                textQuality = max(textQuality, quality)
            default:
                continue
            }
        }
        return openMetricsQuality > 0 && openMetricsQuality >= textQuality ? .openMetrics : .prometheusText
    }
}
