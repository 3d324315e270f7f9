/// The hierarchy as a tree, built from the flat list the store returns.
public struct OrganisationTree: Sendable {
  public struct Node: Sendable, Identifiable {
    public let organisation: Organisation
    public let children: [Node]
    /// Units attached directly to this node.
    public let unitCount: Int

    public var id: Organisation.ID { organisation.id }

    /// Units in this node and every node below it.
    public var totalUnitCount: Int { children.reduce(unitCount) { $0 + $1.totalUnitCount } }
  }

  public let roots: [Node]

  /// Nodes whose parent is missing become roots, so a partial list (one subtree) still
  /// renders; siblings sort by code, which keeps the order stable across databases.
  public init(organisations: [Organisation], unitCounts: [Organisation.ID: Int] = [:]) {
    let ids = Set(organisations.map(\.id))
    var childrenByParent: [Organisation.ID: [Organisation]] = [:]
    var roots: [Organisation] = []
    for organisation in organisations {
      if let parent = organisation.parentID, ids.contains(parent), parent != organisation.id {
        childrenByParent[parent, default: []].append(organisation)
      } else {
        roots.append(organisation)
      }
    }
    func build(_ organisation: Organisation, visited: Set<Organisation.ID>) -> Node {
      let children = (childrenByParent[organisation.id] ?? [])
        .filter { !visited.contains($0.id) }
        .sorted { $0.code < $1.code }
        .map { build($0, visited: visited.union([$0.id])) }
      return Node(organisation: organisation, children: children, unitCount: unitCounts[organisation.id] ?? 0)
    }
    self.roots = roots.sorted { $0.code < $1.code }.map { build($0, visited: [$0.id]) }
  }

  /// Depth-first, parents before children, with each node's depth.
  public func flattened() -> [(depth: Int, node: Node)] {
    var result: [(depth: Int, node: Node)] = []
    func visit(_ node: Node, _ depth: Int) {
      result.append((depth, node))
      for child in node.children { visit(child, depth + 1) }
    }
    for root in roots { visit(root, 0) }
    return result
  }
}

extension OrganisationTree {
  /// `root` and every node below it. Access scoping and "units in this area" both use it.
  public static func subtreeIDs(of root: Organisation.ID, in organisations: [Organisation]) -> Set<Organisation.ID> {
    var childrenByParent: [Organisation.ID: [Organisation.ID]] = [:]
    for organisation in organisations {
      if let parent = organisation.parentID { childrenByParent[parent, default: []].append(organisation.id) }
    }
    var result: Set<Organisation.ID> = []
    var pending = [root]
    while let next = pending.popLast() {
      guard result.insert(next).inserted else { continue }
      pending.append(contentsOf: childrenByParent[next] ?? [])
    }
    return result
  }
}
