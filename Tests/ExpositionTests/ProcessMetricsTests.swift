import Exposition
import Foundation
import Testing

@Suite struct ProcessMetricsTests {
    /// A procfs tree with the files `ProcessMetrics` reads, for pid 4242.
    private func makeFixture(
        stat: String? = nil, limits: String? = nil, procStat: String? = nil,
        openFiles: Int = 3
    ) throws -> URL {
        let root = try TestFiles.temporaryDirectory()
        let process = root.appendingPathComponent("4242")
        try FileManager.default.createDirectory(
            at: process.appendingPathComponent("fd"), withIntermediateDirectories: true)
        for i in 0..<openFiles {
            try Data().write(to: process.appendingPathComponent("fd/\(i)"))
        }
        // comm holds spaces and a ")" to exercise the last-parenthesis rule.
        let defaultStat =
            "4242 (my) (daemon) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 130 0 0 20 0 4 0 360000 "
            + "123456789 2048 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"
        try (stat ?? defaultStat).write(to: process.appendingPathComponent("stat"), atomically: true, encoding: .utf8)
        let defaultLimits = """
            Limit                     Soft Limit           Hard Limit           Units
            Max cpu time              unlimited            unlimited            seconds
            Max open files            1024                 524288               files
            Max address space         unlimited            unlimited            bytes

            """
        try (limits ?? defaultLimits).write(
            to: process.appendingPathComponent("limits"), atomically: true, encoding: .utf8)
        let defaultProcStat = "cpu  1 2 3 4\nintr 5\nctxt 6\nbtime 1700000000\nprocesses 7\n"
        try (procStat ?? defaultProcStat).write(
            to: root.appendingPathComponent("stat"), atomically: true, encoding: .utf8)
        return root
    }

    @Test func read_computesEveryValue_fixtureTree() throws {
        let root = try makeFixture()
        defer { try? FileManager.default.removeItem(at: root) }
        let metrics = ProcessMetrics.read(procRoot: root.path, pid: "4242", clockTicksPerSecond: 100, pageSize: 4096)
        #expect(metrics.errors == [])
        #expect(metrics.cpuSeconds == 3.8)
        #expect(metrics.virtualMemoryBytes == 123_456_789)
        #expect(metrics.residentMemoryBytes == Double(2048 * 4096))
        #expect(metrics.startTimeSeconds == 1_700_003_600)
        #expect(metrics.openFDs == 3)
        #expect(metrics.maxFDs == 1024)
    }

    @Test func families_haveStandardNamesAndTypes_fixtureTree() throws {
        let root = try makeFixture()
        defer { try? FileManager.default.removeItem(at: root) }
        let families = ProcessMetrics.read(procRoot: root.path, pid: "4242", clockTicksPerSecond: 100, pageSize: 4096)
            .families
        let text = String(decoding: ExpositionEncoder.encode(families, format: .prometheusText), as: UTF8.self)
        let samples = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(
            samples == [
                "process_cpu_seconds_total 3.8", "process_max_fds 1024", "process_open_fds 3",
                "process_resident_memory_bytes 8388608", "process_start_time_seconds 1700003600",
                "process_virtual_memory_bytes 123456789",
            ])
        #expect(text.contains("# TYPE process_cpu_seconds_total counter\n"))
        #expect(text.contains("# TYPE process_start_time_seconds gauge\n"))
    }

    @Test func read_keepsOtherValues_brokenSources() throws {
        let root = try makeFixture(
            limits: "Limit Soft Hard\nMax open files  lots  lots files\n", procStat: "cpu 1 2 3\n")
        defer { try? FileManager.default.removeItem(at: root) }
        let metrics = ProcessMetrics.read(procRoot: root.path, pid: "4242", clockTicksPerSecond: 100, pageSize: 4096)
        #expect(metrics.errors.count == 2)
        #expect(metrics.maxFDs == nil)
        #expect(metrics.startTimeSeconds == nil)
        #expect(metrics.cpuSeconds == 3.8)
        #expect(metrics.openFDs == 3)
        #expect(metrics.families.count == 4)
    }

    @Test(arguments: [
        "", "4242 (x S 1", "4242 (x) S 1 2 3\n", "4242 (x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 abc 130",
    ])
    func read_reportsMalformedStat_truncatedOrGarbage(stat: String) throws {
        let root = try makeFixture(stat: stat)
        defer { try? FileManager.default.removeItem(at: root) }
        let metrics = ProcessMetrics.read(procRoot: root.path, pid: "4242", clockTicksPerSecond: 100, pageSize: 4096)
        #expect(metrics.cpuSeconds == nil && metrics.residentMemoryBytes == nil && metrics.startTimeSeconds == nil)
        #expect(metrics.errors.contains { if case .malformed = $0 { true } else { false } })
        #expect(metrics.openFDs == 3)
    }

    @Test func read_unlimitedMaxFDs_isInfinity() throws {
        let root = try makeFixture(
            limits: "Max open files            unlimited            unlimited            files\n")
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(ProcessMetrics.read(procRoot: root.path, pid: "4242").maxFDs == .infinity)
    }

    @Test func read_reportsUnreadable_missingProcess() {
        let metrics = ProcessMetrics.read(procRoot: "/nonexistent-proc-root", pid: "1")
        #expect(metrics.families.isEmpty)
        #expect(metrics.errors.count == 3)
        #expect(metrics.errors.allSatisfy { if case .unreadable(_, let errno) = $0 { errno == ENOENT } else { false } })
    }

    @Test func read_plausibleValues_liveProc() throws {
        let before = Date().timeIntervalSince1970
        let metrics = ProcessMetrics.read()
        #expect(metrics.errors == [])
        let cpu = try #require(metrics.cpuSeconds)
        #expect(cpu >= 0)
        #expect(try #require(metrics.residentMemoryBytes) > Double(1 << 20))
        #expect(try #require(metrics.virtualMemoryBytes) >= metrics.residentMemoryBytes!)
        #expect(try #require(metrics.openFDs) >= 3)
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        #expect(metrics.maxFDs == (limit.rlim_cur == rlim_t.max ? .infinity : Double(limit.rlim_cur)))
        let start = try #require(metrics.startTimeSeconds)
        // The test process started before this test, and not a day earlier.
        #expect(start <= before + 1 && start > before - 86_400)
        #expect(ProcessMetrics.collect().count == 6)
    }
}
