import Foundation
import HuzhuCore
import HuzhuPersistence

/// Compiled schemes kept between claims. Every claim is judged under its scheme's latest
/// revision, which was read (its whole definition decoded from JSON) and compiled for every
/// intake. A revision never changes (a save adds the next), so a kept copy is current while
/// the latest revision is the same one (its node and number): one light read per claim, and a revision saved by
/// another instance is used from the next claim on. Compiled schemes are immutable, so
/// requests share them.
public final class CompiledSchemes: @unchecked Sendable {
  private let lock = NSLock()
  private var kept: [String: (organisationID: Organisation.ID, revision: Int, scheme: CompiledScheme)] = [:]

  public init() {}

  /// The latest revision of the scheme `code` in the store's reach, compiled; nil when there
  /// is none in reach (the reach is checked on every call, not kept).
  func compiled(code: String, in store: FluentSchemeStore) async throws -> CompiledScheme? {
    guard let latest = try await store.latestRevision(code: code) else { return nil }
    if let hit = lock.withLock({ kept[code] }), hit.organisationID == latest.organisationID,
      hit.revision == latest.revision
    {
      return hit.scheme
    }
    guard let stored = try await store.scheme(code: code) else { return nil }
    let scheme = try stored.compiled()
    lock.withLock { kept[code] = (stored.organisationID, stored.revision, scheme) }
    return scheme
  }
}
