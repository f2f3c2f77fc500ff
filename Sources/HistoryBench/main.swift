// `make bench-history` (a benchmark, not a test): what live history costs.
//
// 1. CPU per interval: DEVICES (10,000) devices, every one active in every 10 s interval (the worst
//    case: an idle device writes no sample), INTERVALS (30) intervals. Each interval is what the
//    service does: the sampler folds one tick and hands the interval over, the store writes the batch
//    (samples + presence spans) in one transaction. CPU time (user + system, getrusage) per interval,
//    printed as a share of one core at the 10 s interval (target ≤ 2 %).
// 2. Size: MONTH_DEVICES (50) devices, every one active in every 10 s interval, for DAYS (31) simulated
//    days (fake clock), with retention (defaults: raw 1 d, hourly 30 d, daily 365 d) applied every
//    simulated hour in bounded passes. Prints the file size per device at the end of each day, and the
//    steady-state growth per device per day. Sizes per device do not depend on the device count.
import Foundation
import Glibc
import History
import LanscopeCore

func environment(_ name: String, _ fallback: Int) -> Int {
    guard let value = getenv(name) else { return fallback }
    return Int(String(cString: value)) ?? fallback
}

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
        + Double(usage.ru_stime.tv_usec) / 1e6
}

func temporaryDirectory() -> String {
    var template = Array("/tmp/lanscope-bench-history.XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { fatalError("mkdtemp failed") }
    return String(cString: made)
}

func removeDirectory(_ path: String) {
    for name in ["lanscope.db", "lanscope.db-wal", "lanscope.db-shm"] { unlink(path + "/" + name) }
    rmdir(path)
}

let macs = (0..<max(environment("DEVICES", 10_000), environment("MONTH_DEVICES", 50))).map {
    MACAddress(rawValue: 0x0200_0000_0000 | UInt64($0))
}
let t0 = Timestamp(seconds: 1_767_225_600)  // 2026-01-01T00:00:00Z: intervals and days align

/// One tick at `time` for the first `count` devices, each having sent and received a little.
func tick(at time: Timestamp, devices count: Int) -> TrafficTick {
    TrafficTick(
        time: time, interval: .seconds(10),
        deltas: macs.prefix(count).enumerated().map { index, mac in
            DeviceCounterDelta(
                mac: mac, transmittedBytes: UInt64(1_000 + index % 5_000), transmittedPackets: UInt64(3 + index % 40),
                receivedBytes: UInt64(20_000 + index % 90_000), receivedPackets: UInt64(15 + index % 60),
                lastSeen: time - .seconds(1))
        })
}

func cpuPerInterval() throws {
    let devices = environment("DEVICES", 10_000)
    let intervals = environment("INTERVALS", 30)
    let directory = temporaryDirectory()
    defer { removeDirectory(directory) }
    let store = try HistoryStore(path: directory + "/lanscope.db", configuration: .init(maxDevices: devices))
    let sampler = HistorySampler(interval: .seconds(10))
    let ticks = (1...intervals).map { tick(at: t0 + .seconds(Int64($0) * 10), devices: devices) }
    var costs: [Double] = []
    for (index, next) in ticks.enumerated() {
        let start = cpuSeconds()
        sampler.record(next)
        let taken = sampler.take(endedBy: next.time)
        try store.write(HistoryBatch(samples: taken.samples, presence: taken.presence))
        let cost = cpuSeconds() - start
        // The first interval creates the 10,000 device rows: reported apart from the steady state.
        if index == 0 {
            print(String(format: "interval 1 (creates %d device rows): %.1f ms CPU", devices, cost * 1e3))
        } else {
            costs.append(cost)
        }
    }
    let mean = costs.reduce(0, +) / Double(max(costs.count, 1))
    costs.sort()
    let median = costs[costs.count / 2]
    let worst = costs.last ?? 0
    print(
        String(
            format: "%d devices, %d intervals of 10 s: CPU per interval median %.1f ms, mean %.1f ms, max %.1f ms"
                + " (the intervals that also carry the once-a-minute presence spans)"
                + " → %.2f %% of one core (mean); target ≤ 2 %%",
            devices, costs.count, median * 1e3, mean * 1e3, worst * 1e3, mean / 10 * 100))
    let retention = cpuSeconds()
    _ = try store.applyRetention(policy: RetentionPolicy(), now: t0 + .seconds(2 * 86_400))
    print(
        String(
            format: "one bounded retention pass over those rows (2,000 rows × 16 statements): %.1f ms CPU",
            (cpuSeconds() - retention) * 1e3))
    try store.close()
}

func sizeOverMonth() throws {
    let devices = environment("MONTH_DEVICES", 50)
    let days = environment("DAYS", 31)
    let directory = temporaryDirectory()
    defer { removeDirectory(directory) }
    let path = directory + "/lanscope.db"
    let store = try HistoryStore(path: path)
    let sampler = HistorySampler(interval: .seconds(10))
    let policy = RetentionPolicy()
    let perDay = 8_640
    var sizes: [Double] = []
    var retentionCPU = 0.0
    var foldedRows = 0
    print("\nday  bytes/device in use  (\(devices) devices, every one active every 10 s, default retention)")
    for day in 0..<days {
        for step in 1...perDay {
            let now = t0 + .seconds(Int64(day * perDay + step) * 10)
            sampler.record(tick(at: now, devices: devices))
            // The service flushes every 5 s; a batch per 6 intervals (1 min) keeps the simulation quick
            // and writes the same rows.
            if step % 6 == 0 {
                let taken = sampler.take(endedBy: now)
                try store.write(HistoryBatch(samples: taken.samples, presence: taken.presence))
            }
            if step % 360 == 0 {  // every simulated hour, passes until complete (the service: one a minute)
                let start = cpuSeconds()
                while true {
                    let pass = try store.applyRetention(policy: policy, now: now)
                    foldedRows += pass.folded
                    if pass.complete { break }
                }
                retentionCPU += cpuSeconds() - start
            }
        }
        let bytes = Double(try store.size().usedBytes) / Double(devices)
        sizes.append(bytes)
        print(String(format: "%3d  %12.0f", day + 1, bytes))
    }
    let final = Double(try store.size().fileBytes) / Double(devices)
    try store.close()
    let week = min(7, sizes.count - 1)
    let growth = week > 0 ? (sizes[sizes.count - 1] - sizes[sizes.count - 1 - week]) / Double(week) : 0
    print(
        String(
            format:
                "after %d days: %.0f bytes per device in use (%.1f KiB; file incl. free pages: %.0f), growth over the last %d days"
                + " %.0f bytes per device per day",
            days, sizes.last ?? 0, (sizes.last ?? 0) / 1024, final, week, growth))
    let intervals = Double(days * perDay)
    print(
        String(
            format: "retention: %.2f s CPU for %d rows folded (%.1f µs a row) = %.3f ms per device per 10 s interval"
                + " → %.2f %% of one core at 10,000 devices all active",
            retentionCPU, foldedRows, retentionCPU / Double(max(foldedRows, 1)) * 1e6,
            retentionCPU / intervals / Double(devices) * 1e3,
            retentionCPU / intervals / Double(devices) * 10_000 / 10 * 100))
}

do {
    try cpuPerInterval()
    try sizeOverMonth()
} catch {
    print("HistoryBench: \(error)")
    exit(1)
}
