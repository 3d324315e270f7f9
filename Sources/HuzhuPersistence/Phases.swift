import Foundation

/// Where a long store operation's time goes, for the benchmarks: a store marks the end of each
/// phase with ``Phases/lap(_:)``, which does nothing unless the caller runs it inside
/// ``Phases/timing(_:)``. A lap includes the statements queued during it only as far as the
/// queue made it wait.
public final class Phases: @unchecked Sendable {
  @TaskLocal static var current: Phases?

  private let lock = NSLock()
  private var started = ContinuousClock.now
  private var laps: [(name: String, seconds: Double)] = []

  /// Each phase's name and seconds, in the order they ended; a phase that ends more than once
  /// (in a loop) is summed at its first place.
  public var times: [(name: String, seconds: Double)] {
    lock.withLock { laps }
  }

  /// Runs `body` with its store operations' phases timed, and returns them with its result.
  public static func timing<T>(_ body: () async throws -> T) async rethrows -> (T, Phases) {
    let phases = Phases()
    let result = try await $current.withValue(phases) { try await body() }
    return (result, phases)
  }

  /// Ends the running phase of the operation being timed, if any, and starts the next.
  static func lap(_ name: String) {
    current?.record(name)
  }

  private func record(_ name: String) {
    let now = ContinuousClock.now
    lock.withLock {
      let elapsed = now - started
      let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
      if let index = laps.firstIndex(where: { $0.name == name }) {
        laps[index].seconds += seconds
      } else {
        laps.append((name, seconds))
      }
      started = now
    }
  }
}
