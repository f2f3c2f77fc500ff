import Glibc
import History
import Logging
import Platform
import Synchronization

/// Writes history batches on its own thread through a bounded queue: the capture path never waits on
/// disk. A full queue drops the batch and counts it (`lanscope_store_dropped_batches_total`).
final class HistoryWriter: @unchecked Sendable {
    /// Batches waiting at most (default 8).
    static let capacity = 8
    private let store: HistoryStore
    private let counters: ServiceCounters
    private let logger: Logger
    private var queue: [HistoryBatch] = []
    private var closed = false
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    private var finished = false

    init(store: HistoryStore, counters: ServiceCounters, logger: Logger) {
        self.store = store
        self.counters = counters
        self.logger = logger
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
        POSIXThread.spawn(name: "ls-history") { [self] in loop() }
    }

    func enqueue(_ batch: HistoryBatch) {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        guard !closed else { return }
        guard queue.count < HistoryWriter.capacity else {
            counters.updateStore { $0.droppedBatches &+= 1 }
            return
        }
        queue.append(batch)
        pthread_cond_signal(&condition)
    }

    private func loop() {
        while true {
            pthread_mutex_lock(&mutex)
            while queue.isEmpty && !closed { pthread_cond_wait(&condition, &mutex) }
            if queue.isEmpty && closed {
                finished = true
                pthread_cond_broadcast(&condition)
                pthread_mutex_unlock(&mutex)
                return
            }
            let batch = queue.removeFirst()
            pthread_mutex_unlock(&mutex)
            do {
                try store.write(batch)
                counters.updateStore { $0.writes &+= 1 }
            } catch {
                counters.updateStore { $0.errors &+= 1 }
                logger.error("history write failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Devices the store refused because it was full (`HistoryStore.devicesRejected`), for
    /// `lanscope_store_devices_rejected_total`.
    var devicesRejected: UInt64 { store.devicesRejected }

    /// Writes what is queued, stops the thread, then closes the store (checkpoint, back to one
    /// self-contained file: no `-wal`/`-shm` left after a clean shutdown).
    func close() {
        pthread_mutex_lock(&mutex)
        closed = true
        pthread_cond_broadcast(&condition)
        while !finished { pthread_cond_wait(&condition, &mutex) }
        pthread_mutex_unlock(&mutex)
        do {
            try store.close()
        } catch {
            counters.updateStore { $0.errors &+= 1 }
            logger.error("history close failed", metadata: ["error": "\(error)"])
        }
    }
}
