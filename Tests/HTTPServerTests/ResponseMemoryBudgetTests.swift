import Testing

@testable import HTTPServer

/// The pending-response budget counts what is really held: a body shared by several responses once.
@Suite struct ResponseMemoryBudgetTests {
    @Test func sharedBody_isCountedOnce_andReleasedWithItsLastHolder() {
        var budget = ResponseMemoryBudget(limit: 1000)
        let body = [UInt8](repeating: 1, count: 600)
        let first = OutgoingBytes(head: [UInt8](repeating: 0, count: 50), body: body)
        let second = OutgoingBytes(head: [UInt8](repeating: 0, count: 40), body: body)
        budget.charge(first)
        budget.charge(second)
        #expect(budget.total == 690)
        #expect(!budget.isOverLimit)
        budget.release(first)
        #expect(budget.total == 640)
        budget.release(second)
        #expect(budget.total == 0)
    }

    @Test func distinctBodies_addUp_andGoOverTheLimit() {
        var budget = ResponseMemoryBudget(limit: 1000)
        let a = OutgoingBytes(head: [1], body: [UInt8](repeating: 1, count: 600))
        let b = OutgoingBytes(head: [1], body: [UInt8](repeating: 2, count: 600))
        budget.charge(a)
        #expect(!budget.isOverLimit)
        budget.charge(b)
        #expect(budget.total == 1202)
        #expect(budget.isOverLimit)
        budget.release(a)
        #expect(budget.total == 601)
        #expect(!budget.isOverLimit)
    }

    @Test func emptyBody_countsOnlyTheHead() {
        var budget = ResponseMemoryBudget(limit: 10)
        let head = OutgoingBytes(head: [1, 2, 3], body: [])
        budget.charge(head)
        budget.charge(head)
        #expect(budget.total == 6)
        budget.release(head)
        budget.release(head)
        #expect(budget.total == 0)
    }
}
