@_spi(Benchmark) import CaptureEBPF
import Exposition
import Foundation
import Inventory
import LanscopeCore
@_spi(Benchmark) import LanscopeService
import Logging
import TestSupport
import Testing

/// Opt-in (LANSCOPE_BPF_BENCH=1, root; Tests/Benchmarks/bench-bpf.sh): the whole `/metrics` scrape of
/// the eBPF backend with 10,000 devices — reading the per-CPU device table (batched), summing it, and
/// rendering it joined with the inventory — the path a scrape takes in `--backend ebpf`. The BPF
/// object is loaded but attached nowhere; the table is filled from userspace with the inventory's
/// MACs. Prints medians and best of N next to the registry-backed scrape (libpcap, replay) measured
/// in the same run; asserts that the output is complete and that the counters are the kernel's,
/// never timings.
@Suite(
    .enabled(if: ProcessInfo.processInfo.environment["LANSCOPE_BPF_BENCH"] == "1", "set LANSCOPE_BPF_BENCH=1 to run"),
    .needsRoot, .serialized)
struct KernelScrapeBenchmarkPrivilegedTests {
    typealias Bench = ServiceBenchmarkTests

    static let cases: [(name: String, classes: [TrafficClass]?)] = [
        (
            "8 classes per device",
            [
                TrafficClass(direction: .transmitted, family: .ipv4, l4: .tcp),
                TrafficClass(direction: .transmitted, family: .ipv4, l4: .udp),
                TrafficClass(direction: .transmitted, family: .ipv6, l4: .tcp),
                TrafficClass(direction: .transmitted, family: .ipv6, l4: .icmp),
                TrafficClass(direction: .received, family: .ipv4, l4: .tcp),
                TrafficClass(direction: .received, family: .ipv4, l4: .udp),
                TrafficClass(direction: .received, family: .ipv6, l4: .tcp),
                TrafficClass(direction: .received, family: .ipv6, l4: .icmp),
            ]
        ),
        ("all 24 classes (worst case)", nil),
    ]
    static let packets: UInt64 = 3

    struct Setup {
        let name: String
        let classes: [TrafficClass]?
        let capture: EBPFCapture
        let source: any TrafficSource
        let collector: MetricsCollector
        let reference: MetricsCollector

        init(name: String, classes: [TrafficClass]?) throws {
            self.name = name
            self.classes = classes
            capture = try EBPFCapture.load(
                .init(interface: "unused", maxDevices: 16384), logger: Logger(label: "bench"))
            try capture.fillDeviceMapForBenchmark(
                macs: (0..<Bench.deviceCount).map(Bench.mac), classes: classes,
                packets: KernelScrapeBenchmarkPrivilegedTests.packets, frameBytes: 100)
            source = kernelTrafficSource(capture: capture)
            let (collector, registry) = Bench.makeCollector(traffic: source, countTraffic: false)
            precondition(registry.count == Bench.deviceCount)
            self.collector = collector
            (reference, _) = Bench.makeCollector()
        }

        func scrape() -> [UInt8] { ExpositionEncoder.encode(collector.collect(), format: .prometheusText) }
    }

    /// LANSCOPE_BENCH_ALLOCATOR=defaults measures with glibc's allocator defaults instead of the
    /// settings `lanscope run` applies at startup (`ScrapeMemory`).
    static let allocatorDefaults = ProcessInfo.processInfo.environment["LANSCOPE_BENCH_ALLOCATOR"] == "defaults"

    @Test func metrics_ebpfBackend_readAndRender_10000Devices() throws {
        // As `lanscope run` does before anything else.
        if !Self.allocatorDefaults { #expect(ScrapeMemory.retainAcrossScrapes()) }
        let allocator = Self.allocatorDefaults ? "glibc allocator defaults" : "allocator as lanscope run sets it"
        let setups = try Self.cases.map { try Setup(name: $0.name, classes: $0.classes) }
        for setup in setups {
            let capture = setup.capture
            let read = Bench.measure { setup.source.deviceTraffic()?.count ?? 0 }
            let scrape = Bench.measure { setup.scrape() }
            let registryScrape = Bench.measure {
                ExpositionEncoder.encode(setup.reference.collect(), format: .prometheusText)
            }

            print(
                String(
                    format:
                        "bench-bpf: /metrics with the eBPF backend, %d devices (table capacity %d) x %d CPUs, %@, %@; median (best) of %d",
                    Bench.deviceCount, capture.mapCapacity, capture.possibleCPUCount, setup.name as NSString,
                    allocator as NSString, Bench.runs))
            let referenceName = "registry-backed"
            Bench.report(
                "read + sum the device table", (read.median, read.best), reference: registryScrape.median,
                referenceName: referenceName)
            Bench.report(
                "scrape: read + join + render", (scrape.median, scrape.best), reference: registryScrape.median,
                referenceName: referenceName)
            Bench.report(
                "registry-backed scrape (pcap)", (registryScrape.median, registryScrape.best),
                reference: registryScrape.median, referenceName: referenceName)
            print(
                String(
                    format:
                        "bench-bpf: ebpf scrape 10000 devices, %@: median %.2f ms best %.2f ms (%@); target <= 25 ms: %@",
                    setup.name as NSString, scrape.median, scrape.best, allocator as NSString,
                    (scrape.median <= 25 ? "met" : "MISSED") as NSString))

            #expect(read.result == Bench.deviceCount)
            let text = String(decoding: scrape.result, as: UTF8.self)
            let classCount = UInt64(setup.classes?.count ?? 24)
            let cpus = UInt64(capture.possibleCPUCount)
            // Every device's counters come from the kernel table: the fill put `packets` in each class
            // on every CPU, half the classes each way.
            let sample = Bench.mac(4242).description
            let perDirection = Self.packets * cpus * classCount / 2
            #expect(text.contains("lanscope_device_transmitted_packets_total{mac=\"\(sample)\"} \(perDirection)\n"))
            #expect(text.contains("lanscope_device_received_bytes_total{mac=\"\(sample)\"} \(100 * perDirection)\n"))
            #expect(Bench.lines(text, startingWith: "lanscope_device_info{") == Bench.deviceCount)
            #expect(Bench.lines(text, startingWith: "lanscope_device_received_packets_total{") == Bench.deviceCount)
            #expect(text.contains("lanscope_devices{state=\"online\"} \(Bench.deviceCount)\n"))
            #expect(text.contains("lanscope_bpf_map_entries{map=\"devices\"} \(Bench.deviceCount)\n"))
        }
    }
}
