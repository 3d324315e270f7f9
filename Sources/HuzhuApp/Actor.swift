import Foundation
import HuzhuCore

/// Who acts in a use case: an operator signed in, with the part of the data they may see, or
/// the system (the command line, the seeder), which sees everything. Built once per request
/// from the account; every store a use case builds is bound to ``scope``.
public struct Actor: Sendable {
  public let account: UserAccount?
  /// The operator's node (for the system: none).
  public let organisation: Organisation?
  public let scope: AccessScope
  public let hierarchy: OrganisationHierarchy
  /// Every organisation node (the tree the scope and the reach were worked out from).
  public let organisations: [Organisation]
  /// Where the request came from (an IP address), for histories and the audit log.
  public let address: String?
  private let systemName: String

  /// An operator: their scope is their node's subtree, or their unit.
  public init(account: UserAccount, organisations: [Organisation], address: String?) {
    self.account = account
    self.organisation = organisations.first { $0.id == account.organisationID }
    self.scope = .of(account, in: organisations)
    self.hierarchy = OrganisationHierarchy(organisations)
    self.organisations = organisations
    self.address = address
    self.systemName = account.username
  }

  private init(systemName: String, organisations: [Organisation]) {
    account = nil
    organisation = nil
    scope = .unrestricted
    hierarchy = OrganisationHierarchy(organisations)
    self.organisations = organisations
    address = nil
    self.systemName = systemName
  }

  /// The command line or a background job, named in histories as `name`.
  public static func system(_ name: String = "system", organisations: [Organisation] = []) -> Actor {
    Actor(systemName: name, organisations: organisations)
  }

  /// The nodes the scope shows.
  public var visibleOrganisations: [Organisation] { organisations.filter { scope.contains(organisation: $0.id) } }

  /// Those nodes parents first, with their depth: what every organisation picker lists.
  public var visibleTree: [(depth: Int, organisation: Organisation)] {
    OrganisationTree(organisations: visibleOrganisations).flattened().map { ($0.depth, $0.node.organisation) }
  }

  /// The login name (or the system's name): what the audit log records.
  public var name: String { account?.username ?? systemName }
  /// The name people read (a receipt's 经办人, a claim's history).
  public var displayName: String { account?.displayName ?? systemName }

  public func may(_ permission: Permission) -> Bool { account?.may(permission) ?? true }

  /// Throws ``UseCaseError/forbidden`` unless the actor holds `permission`.
  public func require(_ permission: Permission) throws {
    guard may(permission) else { throw UseCaseError.forbidden }
  }

  /// A date the rules depend on as the server records it: today, or an earlier day the actor
  /// may record with a reason (``RecordedDate``). Throws the field's error otherwise.
  public func recorded(
    _ requested: CalendarDate?, reason: String?, today: CalendarDate, field: String, what: LocalizedText
  ) throws -> RecordedDate {
    try RecordedDate.resolve(
      requested, reason: reason, today: today, mayRecordEarlier: may(.recordEarlierDates), field: field, what: what
    ).get()
  }

  /// The nodes whose schemes the actor may see and use.
  public var schemeReach: SchemeReach {
    guard let organisation else { return scope == .unrestricted ? .everything : SchemeReach(owners: []) }
    return SchemeReach(node: organisation.id, scope: scope, hierarchy: hierarchy)
  }

  /// The system's account in claim histories: no account has it.
  static let systemAccountID = UserAccount.ID(UUID(uuidString: "00000000-0000-0000-0000-000000000000")!)

  /// The actor as the claim workflow knows them (who reviewed, who approved, at which level).
  var claimActor: ClaimActor {
    ClaimActor(
      accountID: account?.id ?? Self.systemAccountID, name: displayName,
      organisationKind: organisation?.kind ?? .cityFederation, organisationID: organisation?.id)
  }
}

/// Why a use case refused, in terms every adapter maps: the web to 403 and 404, the command
/// line to a message.
public enum UseCaseError: Error, Sendable, Equatable {
  /// The actor lacks the permission.
  case forbidden
  /// Nothing with that identity exists in the actor's scope (whether or not it exists).
  case notFound
  /// The address asked too often (``Throttles``); it may ask again at `until`.
  case tooManyRequests(until: Date)
}
