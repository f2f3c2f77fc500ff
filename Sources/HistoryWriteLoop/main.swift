// Test helper for the durability tests (not shipped): writes history batches to a database in a
// loop, as a live `lanscope run` does, and prints each batch's number once its transaction has
// committed. The test kills it with SIGKILL at an arbitrary moment and checks that the file opens,
// passes `PRAGMA integrity_check`, and holds every batch reported before the kill.
//
// usage: HistoryWriteLoop DB FIRST [COUNT]   (batches FIRST, FIRST+1, …; COUNT default: forever)
import Glibc
import History
import LanscopeCore

/// Unbuffered, so a number is out before the next batch starts (a kill loses no reported line).
func emit(_ text: String, to fd: Int32) {
    var text = text
    text.withUTF8 { bytes in _ = write(fd, bytes.baseAddress, bytes.count) }
}

let arguments = CommandLine.arguments
guard arguments.count >= 3, let first = Int(arguments[2]) else {
    emit("usage: HistoryWriteLoop DB FIRST [COUNT]\n", to: 2)
    exit(2)
}
let count = arguments.count > 3 ? Int(arguments[3]) ?? Int.max : Int.max
/// Samples per batch: enough that a batch's transaction spans many pages, so kills land inside one.
let devicesPerBatch = 200

/// Batch `n`: one raw sample for each of `devicesPerBatch` devices, starting at `n` × 10 s.
func batch(_ n: Int) -> HistoryBatch {
    let start = Timestamp(seconds: 1_700_000_000 + Int64(n) * 10)
    let samples = (0..<devicesPerBatch).map { d in
        TrafficSample(
            mac: MACAddress(rawValue: 0x0200_0000_0000 | UInt64(d)), start: start, seconds: 10,
            transmittedBytes: UInt64(n + 1), transmittedPackets: 1, receivedBytes: UInt64(d + 1), receivedPackets: 1)
    }
    return HistoryBatch(samples: samples)
}

do {
    let store = try HistoryStore(path: arguments[1])
    var n = first
    while n - first < count {
        try store.write(batch(n))
        emit("\(n)\n", to: 1)
        n += 1
    }
    try store.close()
} catch {
    emit("HistoryWriteLoop: \(error)\n", to: 2)
    exit(1)
}
