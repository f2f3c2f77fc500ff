import Glibc
import History
import LanscopeCore
import Logging
import Platform
import Synchronization

/// Writes history on its own thread through a bounded queue: the capture path never waits on disk.
/// A full queue drops the batch and counts it (`lanscope_store_dropped_batches_total`). Retention
/// passes run on the same thread, between batches, so they never contend with a write.
///
/// A failing write (disk full, read-only file system) is counted in `lanscope_store_errors_total`
/// and its batch is lost; the service keeps capturing and serving. One log line says writing
/// failed and one says it resumed, rather than a line per batch while the disk stays full.
final class HistoryWriter: @unchecked Sendable {
    /// Work items waiting at most (default 8).
    static let capacity = 8

    enum Work {
        case batch(HistoryBatch)
        /// One bounded retention pass at `now`.
        case retention(now: Timestamp)
    }

    private let store: HistoryStore
    private let counters: ServiceCounters
    private let logger: Logger
    private let retention: RetentionPolicy
    private let bounds: RetentionPolicy.Bounds
    private var queue: [Work] = []
    private var closed = false
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    private var finished = false
    /// Writer thread only: the last write failed (to log the failure and the recovery once each).
    private var failing = false

    init(
        store: HistoryStore, counters: ServiceCounters, logger: Logger, retention: RetentionPolicy = .init(),
        bounds: RetentionPolicy.Bounds = .init()
    ) {
        self.store = store
        self.counters = counters
        self.logger = logger
        self.retention = retention
        self.bounds = bounds
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
        POSIXThread.spawn(name: "ls-history") { [self] in loop() }
    }

    func enqueue(_ batch: HistoryBatch) {
        if !submit(.batch(batch)) { counters.updateStore { $0.droppedBatches &+= 1 } }
    }

    /// Asks for a retention pass; skipped (not counted) when the queue is full: the next one catches up.
    func requestRetention(now: Timestamp) { _ = submit(.retention(now: now)) }

    private func submit(_ work: Work) -> Bool {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        guard !closed else { return true }
        guard queue.count < HistoryWriter.capacity else { return false }
        queue.append(work)
        pthread_cond_signal(&condition)
        return true
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
            let work = queue.removeFirst()
            pthread_mutex_unlock(&mutex)
            perform(work)
        }
    }

    private func perform(_ work: Work) {
        do {
            switch work {
            case .batch(let batch):
                try store.write(batch)
                counters.updateStore { $0.writes &+= 1 }
            case .retention(let now):
                let pass = try store.applyRetention(policy: retention, now: now, bounds: bounds)
                if pass.folded + pass.deleted > 0 {
                    logger.debug(
                        "history retention pass",
                        metadata: [
                            "folded": "\(pass.folded)", "deleted": "\(pass.deleted)", "complete": "\(pass.complete)",
                        ])
                }
            }
            if failing {
                failing = false
                logger.notice("history writes resumed", metadata: ["path": "\(store.path)"])
            }
        } catch {
            counters.updateStore { $0.errors &+= 1 }
            if !failing {
                failing = true
                logger.error(
                    "history write failed; capture and /metrics go on, failed batches are counted in lanscope_store_errors_total",
                    metadata: ["path": "\(store.path)", "error": "\(error)"])
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
