import Foundation
import HuzhuCore
import Testing

@Suite("Attempt windows")
struct AttemptWindowTests {
  let start = Date(timeIntervalSince1970: 1_800_000_000)
  let rule = AttemptRule(limit: 3, window: 600)

  @Test func theLimitHoldsAKeyBackUntilItsOldestAttemptLeavesTheWindow() {
    var window = AttemptWindow(rule: rule)
    #expect(window.record("a", at: start) == nil)
    #expect(window.record("a", at: start.addingTimeInterval(100)) == nil)
    #expect(window.blocked("a", at: start.addingTimeInterval(150)) == nil)
    let until = window.record("a", at: start.addingTimeInterval(200))
    #expect(until == start.addingTimeInterval(600))
    #expect(window.blocked("a", at: start.addingTimeInterval(599)) == start.addingTimeInterval(600))
    // Other keys are not affected.
    #expect(window.blocked("b", at: start.addingTimeInterval(300)) == nil)
    // The first attempt has left the window: one more may be made, then held back again.
    #expect(window.blocked("a", at: start.addingTimeInterval(600)) == nil)
    #expect(window.record("a", at: start.addingTimeInterval(601)) == start.addingTimeInterval(700))
  }

  @Test func aSuccessStartsAfresh() {
    var window = AttemptWindow(rule: rule)
    for second in 0..<2 { window.record("a", at: start.addingTimeInterval(Double(second))) }
    window.clear("a")
    for second in 2..<4 { #expect(window.record("a", at: start.addingTimeInterval(Double(second))) == nil) }
  }

  /// A flood of addresses forgets the stalest rather than grow.
  @Test func keysAreBounded() {
    var window = AttemptWindow(rule: rule, capacity: 100)
    for index in 0..<1_000 { window.record("k\(index)", at: start.addingTimeInterval(Double(index) / 10)) }
    #expect(window.keys <= 100)
    // The newest are still counted.
    window.record("k999", at: start.addingTimeInterval(100))
    #expect(window.record("k999", at: start.addingTimeInterval(100)) != nil)
  }
}
