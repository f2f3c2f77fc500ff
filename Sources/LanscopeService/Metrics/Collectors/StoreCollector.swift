import Exposition

/// The history store's writes, errors and what its queue dropped.
struct StoreCollector: ScrapeCollector {
    let name = "store"
    let counters: ServiceCounters

    func collect(_ scrape: ScrapeContext) -> [MetricFamily] {
        let store = counters.storeCounters()
        return [
            singleSample("lanscope_store_writes", "History batches written to SQLite.", .counter, Double(store.writes)),
            singleSample("lanscope_store_errors", "History writes that failed.", .counter, Double(store.errors)),
            singleSample(
                "lanscope_store_dropped_batches", "History batches dropped because the writer queue was full.",
                .counter, Double(store.droppedBatches)),
        ]
    }
}
