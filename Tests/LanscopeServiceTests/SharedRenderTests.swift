import Foundation
import Testing

@testable import LanscopeService

/// Concurrent scrapes of one variant share one render; other variants and later requests do not.
@Suite struct SharedRenderTests {
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func next() -> Int {
            lock.withLock {
                value += 1; return value
            }
        }
    }

    final class Slots: @unchecked Sendable {
        private let lock = NSLock()
        private var values = [Int](repeating: 0, count: 4)
        subscript(index: Int) -> Int {
            get { lock.withLock { values[index] } }
            set { lock.withLock { values[index] = newValue } }
        }
        var all: [Int] { lock.withLock { values } }
    }

    @Test func concurrentRequests_shareTheRenderInProgress() {
        let shared = SharedRender<String, Int>()
        let renders = Counter()
        let started = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let group = DispatchGroup()
        let values = Slots()
        // The first caller renders and holds the render open until three more have arrived.
        group.enter()
        Thread.detachNewThread {
            let value = shared.value(for: "text") {
                started.signal()
                _ = release.wait(timeout: .now() + 10)
                return renders.next()
            }
            values[0] = value
            group.leave()
        }
        _ = started.wait(timeout: .now() + 10)
        for index in 1...3 {
            group.enter()
            Thread.detachNewThread {
                let value = shared.value(for: "text") { renders.next() }
                values[index] = value
                group.leave()
            }
        }
        // Wait (bounded) until the three are waiting for the render; then let it finish.
        for _ in 0..<500 where shared.waiting(for: "text") < 3 { usleep(10_000) }
        #expect(shared.waiting(for: "text") == 3)
        release.signal()
        #expect(group.wait(timeout: .now() + 10) == .success)
        #expect(values.all == [1, 1, 1, 1])
        #expect(shared.statistics == .init(renders: 1, shared: 3))
        // A later request renders afresh (lifetime zero), and another variant never shares.
        #expect(shared.value(for: "text") { renders.next() } == 2)
        #expect(shared.value(for: "gzip") { renders.next() } == 3)
    }

    @Test func lifetime_servesAYoungRender_again() {
        let shared = SharedRender<String, Int>(lifetime: .seconds(60))
        #expect(shared.value(for: "a") { 1 } == 1)
        #expect(shared.value(for: "a") { 2 } == 1)
        #expect(shared.statistics == .init(renders: 1, shared: 1))
    }
}
