import Exposition

/// `lanscope_build_info` and the `process_*` families.
struct BuildCollector: ScrapeCollector {
    let name = "process"
    let processMetrics: @Sendable () -> [MetricFamily]

    func collect(_ scrape: ScrapeContext) -> [MetricFamily] {
        var build = MetricFamilyBuilder(
            name: "lanscope_build", help: "lanscope version and toolchain.", type: .info,
            labelNames: ["version", "swift_version"])
        build.add(BuildInfo.version, BuildInfo.swiftVersion)
        return [build.build()] + processMetrics()
    }
}
