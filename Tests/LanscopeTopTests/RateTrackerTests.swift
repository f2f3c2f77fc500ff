import LanscopeTop
import Testing

@Suite struct RateTrackerTests {
    func device(_ mac: String, tx: UInt64, rx: UInt64) -> DeviceSummary {
        DeviceSummary(mac: mac, transmittedBytes: tx, receivedBytes: rx)
    }

    @Test func rateTracker_hasNoRate_onTheFirstScrape() {
        var t = RateTracker()
        #expect(t.update([device("a", tx: 100, rx: 50)], at: 10).isEmpty)
    }

    @Test func rateTracker_dividesGrowth_byTheTimeBetweenScrapes() {
        var t = RateTracker()
        t.update([device("a", tx: 100, rx: 50)], at: 10)
        let rates = t.update([device("a", tx: 1100, rx: 250)], at: 12)
        #expect(rates["a"] == TrafficRate(transmitted: 500, received: 100))
    }

    @Test func rateTracker_countsFromZero_whenACounterWentBackwards() {
        var t = RateTracker()
        t.update([device("a", tx: 10_000, rx: 10_000)], at: 0)
        let rates = t.update([device("a", tx: 300, rx: 10_400)], at: 1)
        #expect(rates["a"] == TrafficRate(transmitted: 300, received: 400))
    }

    @Test func rateTracker_forgetsVanishedDevices_andWaitsForNewOnes() {
        var t = RateTracker()
        t.update([device("a", tx: 0, rx: 0), device("b", tx: 0, rx: 0)], at: 0)
        let rates = t.update([device("a", tx: 10, rx: 0), device("c", tx: 99, rx: 99)], at: 1)
        #expect(Set(rates.keys) == ["a"])
        // b returns: it is new again, no rate until its next scrape.
        let later = t.update(
            [device("a", tx: 10, rx: 0), device("b", tx: 5_000, rx: 0), device("c", tx: 99, rx: 99)], at: 2)
        #expect(Set(later.keys) == ["a", "c"])
        #expect(later["c"] == TrafficRate(transmitted: 0, received: 0))
    }

    @Test func rateTracker_keepsTheLastRates_whenNoTimePassed() {
        var t = RateTracker()
        t.update([device("a", tx: 0, rx: 0)], at: 0)
        t.update([device("a", tx: 100, rx: 0)], at: 1)
        let rates = t.update([device("a", tx: 100, rx: 0)], at: 1)
        #expect(rates["a"] == TrafficRate(transmitted: 100, received: 0))
    }
}
