import Exposition
import Foundation
import TestSupport
import Testing

/// Opt-in timing of the composition root's heaviest case: 10,000 devices × 8 series (one info
/// series with 6 labels and 7 counters labelled by mac). Prints medians; asserts only on output
/// size, never on time. Run: `LANSCOPE_EXPOSITION_BENCH=1 swift test -c release --filter EncoderBenchmark`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["LANSCOPE_EXPOSITION_BENCH"] == "1"))
struct EncoderBenchmarkTests {
    static let devices = 10_000
    static let counters = [
        "received_bytes", "transmitted_bytes", "received_packets", "transmitted_packets",
        "arp_requests", "dns_queries", "dhcp_requests",
    ]

    static func macs() -> [String] {
        (0..<devices).map { i in
            let octets = [0x02, 0x42, (i >> 24) & 0xFF, (i >> 16) & 0xFF, (i >> 8) & 0xFF, i & 0xFF]
            return octets.map { String($0, radix: 16).leftPadded(to: 2) }.joined(separator: ":")
        }
    }

    static func build(_ macs: [String], shuffledOrder: [Int]) -> [MetricFamily] {
        var info = MetricFamilyBuilder(
            name: "bench_device", help: "Device metadata.", type: .info,
            labelNames: ["mac", "ip", "vendor", "type", "os", "hostname"], minimumCapacity: devices)
        var counters = counters.map {
            MetricFamilyBuilder(
                name: "bench_device_\($0)", help: "Per-device \($0).", type: .counter,
                labelNames: ["mac"], minimumCapacity: devices)
        }
        for i in shuffledOrder {
            info.add(
                macs[i], "10.\(i >> 16).\((i >> 8) & 0xFF).\(i & 0xFF)", "Acme Networks", "workstation", "linux",
                "host-\(i).example")
            for c in counters.indices {
                counters[c].add(macs[i], value: Double(i * (c + 1) * 1_000))
            }
        }
        return [info.build()] + counters.map { $0.build() }
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    @Test func encode_tenThousandDevices_printsMedian() {
        let macs = Self.macs()
        let sortedFamilies = Self.build(macs, shuffledOrder: Array(0..<Self.devices))
        var generator = SplitMix64(seed: 1)
        let shuffledFamilies = Self.build(macs, shuffledOrder: Array(0..<Self.devices).shuffled(using: &generator))

        let clock = ContinuousClock()
        @discardableResult
        func measure(_ label: String, runs: Int = 21, _ body: () -> Int) -> Double {
            var times: [Double] = []
            var size = 0
            for _ in 0..<runs {
                let elapsed = clock.measure { size = body() }
                times.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1e3)
            }
            print(
                "exposition-bench \(label): median \(String(format: "%.2f", Self.median(times))) ms, "
                    + "min \(String(format: "%.2f", times.min()!)) ms, \(size) bytes, \(runs) runs")
            return Self.median(times)
        }
        var sizes: [Int] = []
        let presorted = measure("encode text, input pre-sorted") {
            let n = ExpositionEncoder.encode(sortedFamilies, format: .prometheusText).count
            sizes.append(n)
            return n
        }
        measure("encode openmetrics, input pre-sorted") {
            ExpositionEncoder.encode(sortedFamilies, format: .openMetrics).count
        }
        let shuffled = measure("encode text, input shuffled") {
            ExpositionEncoder.encode(shuffledFamilies, format: .prometheusText).count
        }
        // Worst case: every family in its own order, so no family can reuse another's sort.
        var independent: [MetricFamily] = []
        for (f, family) in shuffledFamilies.enumerated() {
            var g = SplitMix64(seed: UInt64(100 + f))
            independent.append(
                MetricFamily(
                    name: family.name, help: family.help, type: family.type, unit: family.unit,
                    samples: family.samples.shuffled(using: &g)))
        }
        measure("encode text, each family shuffled differently") {
            ExpositionEncoder.encode(independent, format: .prometheusText).count
        }
        measure("build + encode text, input shuffled") {
            var g = SplitMix64(seed: 2)
            let families = Self.build(macs, shuffledOrder: Array(0..<Self.devices).shuffled(using: &g))
            return ExpositionEncoder.encode(families, format: .prometheusText).count
        }
        let text = ExpositionEncoder.encode(sortedFamilies, format: .prometheusText)
        measure("gzip level 6 of text", runs: 5) { (try? Gzip.compress(text).count) ?? -1 }
        // Reference measured in the same run on the same bytes, so the ratios survive a loaded machine.
        let reference = measure("gzip level 1 of text (reference)", runs: 11) {
            (try? Gzip.compress(text, level: 1).count) ?? -1
        }
        print(
            "exposition-bench ratio to reference: pre-sorted \(String(format: "%.2f", presorted / reference)), "
                + "shuffled \(String(format: "%.2f", shuffled / reference))")
        #expect(ExpositionEncoder.encode(shuffledFamilies, format: .prometheusText) == text)
        #expect(ExpositionEncoder.encode(independent, format: .prometheusText) == text)
        #expect(text.split(separator: UInt8(ascii: "\n")).count == Self.devices * 8 + 16)
        #expect(Set(sizes).count == 1)
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
