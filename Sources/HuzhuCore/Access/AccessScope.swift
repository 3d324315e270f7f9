/// The part of the data an account may see: its organisation's subtree, or one unit for a
/// unit union officer. The stores apply it to every query they run for a request, so a
/// page or API that forgets to check still cannot leak another area's data.
public enum AccessScope: Sendable, Hashable {
  /// Everything: the command line, the demo seeder, background jobs. Never a web request.
  case unrestricted
  /// These organisation nodes (a subtree) and every unit attached to them.
  case organisations(Set<Organisation.ID>)
  /// One unit (and nothing above it).
  case unit(WorkUnit.ID)
  /// Nothing (an account whose organisation no longer exists).
  case nothing

  /// The scope of `account` given every organisation node.
  public static func of(_ account: UserAccount, in organisations: [Organisation]) -> AccessScope {
    if let unit = account.unitID { return .unit(unit) }
    guard organisations.contains(where: { $0.id == account.organisationID }) else { return .nothing }
    return .organisations(OrganisationTree.subtreeIDs(of: account.organisationID, in: organisations))
  }

  public func contains(organisation: Organisation.ID) -> Bool {
    switch self {
    case .unrestricted: true
    case .organisations(let ids): ids.contains(organisation)
    case .unit, .nothing: false
    }
  }

  public func contains(_ unit: WorkUnit) -> Bool { contains(unit: unit.id, at: unit.organisationID) }

  /// Whether the scope shows the unit `unit` attached to the node `organisation`.
  public func contains(unit: WorkUnit.ID, at organisation: Organisation.ID) -> Bool {
    switch self {
    case .unrestricted: true
    case .organisations(let ids): ids.contains(organisation)
    case .unit(let id): id == unit
    case .nothing: false
    }
  }
}
