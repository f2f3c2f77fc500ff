#if canImport(Glibc)
    import Glibc
#endif

/// The standard `process_*` metrics of a Linux process, read from procfs (proc(5)): CPU time,
/// memory, file descriptors and start time, named as every Prometheus client names them.
///
/// Each source file is read independently; a value whose file is missing or malformed is left out
/// (and its error kept in `errors`), so one unreadable file never hides the others.
public struct ProcessMetrics: Sendable, Equatable {
    /// User + system CPU time, in seconds (`/proc/<pid>/stat` utime + stime over clock ticks).
    public var cpuSeconds: Double?
    /// Resident set size, in bytes (`stat` rss pages × page size).
    public var residentMemoryBytes: Double?
    /// Virtual memory size, in bytes (`stat` vsize).
    public var virtualMemoryBytes: Double?
    /// Open file descriptors (entries of `/proc/<pid>/fd`).
    public var openFDs: Double?
    /// Soft limit on open file descriptors (`/proc/<pid>/limits`, "Max open files"); +Inf when unlimited.
    public var maxFDs: Double?
    /// Start time since the Unix epoch, in seconds (`stat` starttime over clock ticks + `/proc/stat` btime).
    public var startTimeSeconds: Double?
    /// Why values are missing, one per failed source.
    public var errors: [ProcessMetricsError] = []

    public init() {}

    /// Reads the metrics of `pid` under `procRoot`.
    ///
    /// - Parameters:
    ///   - procRoot: procfs mount point. Default `/proc`.
    ///   - pid: process directory name. Default `self`.
    ///   - clockTicksPerSecond: unit of the stat times. Default `sysconf(_SC_CLK_TCK)` (usually 100).
    ///   - pageSize: unit of the stat rss, in bytes. Default `sysconf(_SC_PAGESIZE)`.
    public static func read(
        procRoot: String = "/proc", pid: String = "self",
        clockTicksPerSecond: Int = Int(sysconf(Int32(_SC_CLK_TCK))),
        pageSize: Int = Int(sysconf(Int32(_SC_PAGESIZE)))
    ) -> ProcessMetrics {
        var metrics = ProcessMetrics()
        let processDirectory = procRoot + "/" + pid
        do {
            let stat = try ProcStat.parse(ProcFile.read(processDirectory + "/stat"))
            let ticks = Double(max(1, clockTicksPerSecond))
            metrics.cpuSeconds = Double(stat.userTicks + stat.systemTicks) / ticks
            metrics.virtualMemoryBytes = Double(stat.virtualMemoryBytes)
            metrics.residentMemoryBytes = Double(stat.residentPages) * Double(pageSize)
            do {
                let bootTime = try ProcStat.bootTime(ProcFile.read(procRoot + "/stat"))
                metrics.startTimeSeconds = Double(bootTime) + Double(stat.startTicks) / ticks
            } catch {
                metrics.errors.append(error)
            }
        } catch {
            metrics.errors.append(error)
        }
        do {
            metrics.openFDs = Double(try ProcFile.countEntries(processDirectory + "/fd"))
        } catch {
            metrics.errors.append(error)
        }
        do {
            metrics.maxFDs = try ProcStat.maxOpenFiles(ProcFile.read(processDirectory + "/limits"))
        } catch {
            metrics.errors.append(error)
        }
        return metrics
    }

    /// The families for `read(procRoot:pid:)`; values that could not be read are left out.
    public static func collect(procRoot: String = "/proc", pid: String = "self") -> [MetricFamily] {
        read(procRoot: procRoot, pid: pid).families
    }

    /// One family per value present.
    public var families: [MetricFamily] {
        var result: [MetricFamily] = []
        func add(_ name: String, _ help: String, _ type: MetricType, _ unit: String?, _ value: Double?) {
            guard let value else { return }
            result.append(MetricFamily(name: name, help: help, type: type, unit: unit, samples: [Sample(value: value)]))
        }
        add(
            "process_cpu_seconds", "CPU time the process has used in user and kernel mode, in seconds.",
            .counter, "seconds", cpuSeconds)
        add("process_max_fds", "Limit on the number of file descriptors the process may open.", .gauge, nil, maxFDs)
        add("process_open_fds", "File descriptors the process currently has open.", .gauge, nil, openFDs)
        add(
            "process_resident_memory_bytes", "Resident set size of the process, in bytes.",
            .gauge, "bytes", residentMemoryBytes)
        add(
            "process_start_time_seconds", "When the process started, in seconds since the Unix epoch.",
            .gauge, "seconds", startTimeSeconds)
        add(
            "process_virtual_memory_bytes", "Virtual memory size of the process, in bytes.",
            .gauge, "bytes", virtualMemoryBytes)
        return result
    }
}
