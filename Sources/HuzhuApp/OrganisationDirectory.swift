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
  private var kept: Kept?

  struct Kept {
    let organisations: [Organisation]
    let hierarchy: OrganisationHierarchy
  }

  public init() {}

  /// Every node (sorted by code, as the registry lists them) and their hierarchy.
  func current(on services: AppServices) async throws -> (
    organisations: [Organisation], hierarchy: OrganisationHierarchy
  ) {
    let store = FluentRegistryStore(database: services.database)
    let count = try await store.organisationCount()
    if let kept = lock.withLock({ kept }), kept.organisations.count == count {
      return (kept.organisations, kept.hierarchy)
    }
    let organisations = try await store.organisations()
    let fresh = Kept(organisations: organisations, hierarchy: OrganisationHierarchy(organisations))
    lock.withLock { kept = fresh }
    return (fresh.organisations, fresh.hierarchy)
  }
}
