import Foundation
import HuzhuCore
import HuzhuPersistence

/// Every organisation node, kept between requests. Signing a request in needs the whole tree
/// (the account's scope is its node's subtree), and reading and decoding every node for every
/// request was most of a small request's work. Nodes are only ever added (the registry has no
/// step that changes or removes one), so the table's row count tells whether the kept tree is
/// current: one cheap statement per request, and a node added by another instance is seen on
/// the next request there.
public final class OrganisationDirectory: @unchecked Sendable {
  private let lock = NSLock()
  private var kept: [Organisation]?

  public init() {}

  /// Every node, sorted by code, as the registry lists them.
  func current(on services: AppServices) async throws -> [Organisation] {
    let store = FluentRegistryStore(database: services.database)
    let count = try await store.organisationCount()
    if let kept = lock.withLock({ kept }), kept.count == count { return kept }
    let organisations = try await store.organisations()
    lock.withLock { kept = organisations }
    return organisations
  }
}
