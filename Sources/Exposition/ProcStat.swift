/// Parsers for the procfs files behind `ProcessMetrics` (field numbers from proc(5)).
enum ProcStat {
    struct Fields {
        var userTicks: UInt64
        var systemTicks: UInt64
        var startTicks: UInt64
        var virtualMemoryBytes: UInt64
        var residentPages: UInt64
    }

    /// `/proc/<pid>/stat`. Field 2 (comm) is parenthesised and may hold spaces and `)`, so fields
    /// are counted from the last `)`: field 3 (state) is the first after it.
    static func parse(_ file: ProcFile.Contents) throws(ProcessMetricsError) -> Fields {
        guard let close = file.bytes.lastIndex(of: UInt8(ascii: ")")) else {
            throw .malformed(path: file.path, reason: "no closing parenthesis after the command name")
        }
        let fields = file.bytes[(close + 1)...].split(whereSeparator: {
            $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n")
        })
        // Field n of proc(5) is fields[n - 3].
        func field(_ n: Int) throws(ProcessMetricsError) -> UInt64 {
            let index = n - 3
            guard index < fields.count, let value = UInt64(decimal: fields[index]) else {
                throw .malformed(path: file.path, reason: "field \(n) missing or not a number")
            }
            return value
        }
        return Fields(
            userTicks: try field(14), systemTicks: try field(15), startTicks: try field(22),
            virtualMemoryBytes: try field(23), residentPages: try field(24))
    }

    /// `btime` (boot time, seconds since the epoch) from `/proc/stat`.
    static func bootTime(_ file: ProcFile.Contents) throws(ProcessMetricsError) -> UInt64 {
        for line in file.bytes.split(separator: UInt8(ascii: "\n")) {
            let words = line.split(separator: UInt8(ascii: " "))
            if words.count == 2, words[0].elementsEqual("btime".utf8), let value = UInt64(decimal: words[1]) {
                return value
            }
        }
        throw .malformed(path: file.path, reason: "no btime line")
    }

    /// The soft limit of "Max open files" in `/proc/<pid>/limits`; +Inf for "unlimited".
    static func maxOpenFiles(_ file: ProcFile.Contents) throws(ProcessMetricsError) -> Double {
        let key = Array("Max open files".utf8)
        for line in file.bytes.split(separator: UInt8(ascii: "\n")) where line.starts(with: key) {
            let columns = line.dropFirst(key.count).split(separator: UInt8(ascii: " "))
            guard let soft = columns.first else { break }
            if soft.elementsEqual("unlimited".utf8) { return .infinity }
            if let value = UInt64(decimal: soft) { return Double(value) }
            break
        }
        throw .malformed(path: file.path, reason: "no readable \"Max open files\" line")
    }
}
