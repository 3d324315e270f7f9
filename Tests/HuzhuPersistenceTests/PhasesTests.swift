import Testing

@testable import HuzhuPersistence

/// The benchmarks' phase clock: laps are kept only inside ``Phases/timing(_:)``, in the order
/// their phases first ended, a phase that ends again adding to its first place.
@Suite("Phases")
struct PhasesTests {
  @Test func lapsAreKeptInOrderAndRepeatsAddUp() async throws {
    Phases.lap("outside")  // nobody is timing: nothing happens
    let (value, phases) = await Phases.timing { () async -> Int in
      for _ in 0..<3 {
        try? await Task.sleep(for: .milliseconds(5))
        Phases.lap("read")
        Phases.lap("write")
      }
      try? await Task.sleep(for: .milliseconds(5))
      Phases.lap("commit")
      return 42
    }
    #expect(value == 42)
    #expect(phases.times.map(\.name) == ["read", "write", "commit"])
    let seconds = Dictionary(uniqueKeysWithValues: phases.times.map { ($0.name, $0.seconds) })
    #expect(seconds["read"]! >= 0.015 && seconds["commit"]! >= 0.005)
  }
}
