import Exposition

/// The capture backend: up, what it is, what it lost, and its BPF maps' fill.
struct CaptureCollector: ScrapeCollector {
    let name = "capture"

    func collect(_ scrape: ScrapeContext) -> [MetricFamily] {
        let capture = scrape.capture
        var families: [MetricFamily] = []
        // Every reason the backend can report is in `dropped`, at 0 until it happens.
        var dropped = labelledFamily(
            "lanscope_capture_dropped", "Frames lost or not delivered before decoding, by reason.", .counter, 8,
            label: "reason")
        for (reason, n) in capture.dropped.sorted(by: { $0.key < $1.key }) { dropped.add(reason, value: Double(n)) }
        families.append(dropped.build())
        families.append(
            singleSample(
                "lanscope_capture_up", "1 when the capture backend is attached and delivering.", .gauge,
                capture.up ? 1 : 0))
        var captureInfo = MetricFamilyBuilder(
            name: "lanscope_capture", help: "Capture backend, mode and interface in use.", type: .info,
            labelNames: ["backend", "mode", "interface"])
        captureInfo.add(capture.backend, capture.mode, capture.interface)
        families.append(captureInfo.build())
        var mapEntries = labelledFamily("lanscope_bpf_map_entries", "Entries in a BPF map.", .gauge, 4, label: "map")
        var mapCapacity = labelledFamily(
            "lanscope_bpf_map_capacity", "Capacity (max_entries) of a BPF map.", .gauge, 4, label: "map")
        for (name, fill) in capture.maps.sorted(by: { $0.key < $1.key }) {
            mapEntries.add(name, value: Double(fill.entries))
            mapCapacity.add(name, value: Double(fill.capacity))
        }
        families += [mapEntries.build(), mapCapacity.build()]
        return families
    }
}
