import Foundation
import HuzhuCore

/// The cases of the last what-if, kept for the next. Whoever tries rules out changes a number
/// and runs the what-if again over the same claims: reading and decoding a million replay rows
/// takes longer than replaying them. The cases are those of one scheme, period and set of
/// nodes (the reader's scope already applied), read at one version of the scheme's replay rows
/// (``ClaimReplays/version(scheme:on:)``, raised in the transaction of every change); a what-if
/// uses them while the version is the same, so a claim paid or refused meanwhile, here or by
/// another instance, is in the next what-if. One set is kept, and dropped after a quiet time:
/// a province's year is a few hundred megabytes.
public final class KeptReplayCases: @unchecked Sendable {
  struct Key: Hashable {
    let scheme: String
    let period: ReportPeriod
    let nodes: Set<Organisation.ID>?
  }

  private let lock = NSLock()
  private var kept: (key: Key, version: Int64, cases: [SimulationCase])?
  private var lastUse = ContinuousClock.now
  private var watching = false
  let quietTime: Duration

  public init(quietTime: Duration = .seconds(15 * 60)) {
    self.quietTime = quietTime
  }

  /// The kept cases for `key` if they were read at `version`; otherwise `read()`'s, kept.
  func cases(for key: Key, version: Int64, read: () async throws -> [SimulationCase]) async throws
    -> [SimulationCase]
  {
    let hit: [SimulationCase]? = lock.withLock {
      guard let kept, kept.key == key, kept.version == version else { return nil }
      lastUse = .now
      return kept.cases
    }
    if let hit { return hit }
    let cases = try await read()
    let watch = lock.withLock {
      kept = (key, version, cases)
      lastUse = .now
      defer { watching = true }
      return !watching
    }
    if watch { Task.detached { [self] in await dropWhenQuiet() } }
    return cases
  }

  /// Whether a set is kept now (for tests).
  var isHolding: Bool { lock.withLock { kept != nil } }

  /// Sleeps until `quietTime` has passed since the last use, then lets the cases go.
  private func dropWhenQuiet() async {
    while true {
      let wait: Duration? = lock.withLock {
        let left = quietTime - (ContinuousClock.now - lastUse)
        guard left <= .zero else { return left }
        kept = nil
        watching = false
        return nil
      }
      guard let wait else { return }
      try? await Task.sleep(for: wait)
    }
  }
}
