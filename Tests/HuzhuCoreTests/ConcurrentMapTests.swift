import Testing

@testable import HuzhuCore

@Suite("Concurrent map")
struct ConcurrentMapTests {
  @Test(arguments: [0, 1, 2, 17, 10_007])
  func givesWhatMapGivesInOrder(count: Int) {
    let numbers = Array(0..<count)
    #expect(numbers.concurrentMap { $0 * 3 + 1 } == numbers.map { $0 * 3 + 1 })
  }
}
