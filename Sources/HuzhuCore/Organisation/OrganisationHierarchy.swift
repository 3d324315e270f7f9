/// The organisation hierarchy by parent links, for the questions that look upwards: which
/// federation a node belongs to, and which schemes serve it.
///
/// A scheme is run by one node (a city federation, a provincial office) and serves that node's
/// subtree: its units enroll in it, its windows take claims under it. A node outside that
/// subtree never sees the scheme, its products, its fund or its figures, however it asks.
public struct OrganisationHierarchy: Sendable {
  private let parents: [Organisation.ID: Organisation.ID]

  public init(_ organisations: [Organisation]) {
    var parents: [Organisation.ID: Organisation.ID] = [:]
    for organisation in organisations {
      if let parent = organisation.parentID, parent != organisation.id { parents[organisation.id] = parent }
    }
    self.parents = parents
  }

  /// `node` and every node above it, nearest first. A cycle in bad data ends the walk.
  public func lineage(of node: Organisation.ID) -> [Organisation.ID] {
    var result = [node]
    var seen: Set<Organisation.ID> = [node]
    var current = node
    while let parent = parents[current], seen.insert(parent).inserted {
      result.append(parent)
      current = parent
    }
    return result
  }

  /// The top of `node`'s tree: its federation (a city federation, a provincial office). Each
  /// federation has its own administrators.
  public func federation(of node: Organisation.ID) -> Organisation.ID { lineage(of: node).last ?? node }

  /// Whether a scheme run by `owner` serves `node`: the owner is the node or above it.
  public func scheme(runBy owner: Organisation.ID, serves node: Organisation.ID) -> Bool {
    lineage(of: node).contains(owner)
  }

  /// Whether an operator at `node` seeing `scope` may see and use a scheme run by `owner`:
  /// the scheme serves them (a city agency works under the province's pool), or they oversee
  /// the node that runs it (the province reads what its agencies run).
  public func reaches(schemeRunBy owner: Organisation.ID, from node: Organisation.ID, scope: AccessScope) -> Bool {
    scheme(runBy: owner, serves: node) || scope.contains(organisation: owner)
  }
}

/// The nodes whose schemes an operator may see and use: the nodes above them (and their own),
/// whose schemes serve them, and the nodes they oversee (see
/// ``OrganisationHierarchy/reaches(schemeRunBy:from:scope:)``). The scheme store applies it to
/// every read, so a picker, a list or a code typed into an address never finds another
/// area's scheme.
public struct SchemeReach: Sendable, Equatable {
  /// Nil: every scheme (the command line, the seeder, public pages).
  public let owners: Set<Organisation.ID>?

  public static let everything = SchemeReach(owners: nil)

  public init(owners: Set<Organisation.ID>?) {
    self.owners = owners
  }

  /// The reach of an operator at `node` seeing `scope`.
  public init(node: Organisation.ID, scope: AccessScope, hierarchy: OrganisationHierarchy) {
    var owners = Set(hierarchy.lineage(of: node))
    switch scope {
    case .unrestricted:
      self.init(owners: nil)
      return
    case .organisations(let ids): owners.formUnion(ids)
    case .unit, .nothing: break
    }
    self.init(owners: owners)
  }

  public func contains(owner: Organisation.ID) -> Bool { owners?.contains(owner) ?? true }
}
