/// Where the registry (organisations, units, workers) is kept. The web layer and the CLI
/// talk to this protocol; `HuzhuPersistence` implements it on SQLite and PostgreSQL.
public protocol RegistryStore: Sendable {
  func organisations() async throws -> [Organisation]
  func organisation(_ id: Organisation.ID) async throws -> Organisation?
  /// Validates against the existing nodes and inserts; throws ``ValidationFailure``.
  func create(_ organisation: Organisation) async throws

  func units(in organisation: Organisation.ID?, page: PageQuery) async throws -> PagedResult<WorkUnit>
  func unit(_ id: WorkUnit.ID) async throws -> WorkUnit?
  func create(_ unit: WorkUnit) async throws
  /// Units directly under each organisation node.
  func unitCounts() async throws -> [Organisation.ID: Int]

  func workers(in unit: WorkUnit.ID, page: PageQuery) async throws -> PagedResult<Worker>
  func worker(idNumber: ResidentIDNumber) async throws -> Worker?
  /// Creates the person and their current employment; throws ``ValidationFailure`` when
  /// the ID number is already registered.
  func create(_ worker: Worker, employedSince: CalendarDate) async throws

  func counts() async throws -> RegistryCounts

  func details(of unit: WorkUnit.ID) async throws -> UnitDetails?
  /// Replaces the unit's address, contact and bank details; throws ``ValidationFailure``.
  func update(_ details: UnitDetails, of unit: WorkUnit.ID) async throws
  /// Every headcount report of the unit, oldest first.
  func headcounts(of unit: WorkUnit.ID) async throws -> [HeadcountReport]
  /// Records the unit's headcount on a date, replacing an earlier report for the same date.
  func record(_ report: HeadcountReport, for unit: WorkUnit.ID) async throws
  /// A person with their current unit (nil when unknown or not employed now).
  func worker(_ id: Worker.ID) async throws -> Worker?

  /// A unit by its unified social credit code.
  func unit(creditCode: String) async throws -> WorkUnit?
  /// Where the people with these ID numbers work now (those the registry knows).
  func currentEmployments(of idNumbers: [ResidentIDNumber]) async throws -> [ResidentIDNumber: CurrentEmployment]
  /// Commits a previewed roster to `unit` in one transaction: all rows or none.
  ///
  /// - Throws: ``ValidationFailure`` when the preview has errors or the unit does not exist.
  func importRoster(_ preview: RosterPreview, into unit: WorkUnit.ID, on date: CalendarDate) async throws
    -> RosterImportResult
}

public struct RegistryCounts: Hashable, Sendable, Codable {
  public var organisations: Int
  public var units: Int
  public var workers: Int

  public init(organisations: Int, units: Int, workers: Int) {
    self.organisations = organisations
    self.units = units
    self.workers = workers
  }
}

/// An operator of the system (window clerk, officer, administrator…). Roles arrive with
/// the access-control work; an account always belongs to one organisation node.
public struct UserAccount: Hashable, Sendable, Identifiable {
  public typealias ID = Identifier<UserAccount>

  public let id: ID
  public var username: String
  public var displayName: String
  public var organisationID: Organisation.ID
  public var roles: Set<Role>
  public var passwordHash: String

  public init(
    id: ID = ID(), username: String, displayName: String, organisationID: Organisation.ID, roles: Set<Role>,
    passwordHash: String
  ) {
    self.id = id
    self.username = username
    self.displayName = displayName
    self.organisationID = organisationID
    self.roles = roles
    self.passwordHash = passwordHash
  }
}

public enum Role: String, Sendable, Codable, CaseIterable {
  case systemAdministrator = "system_admin"
}

public protocol AccountStore: Sendable {
  func account(username: String) async throws -> UserAccount?
  func create(_ account: UserAccount) async throws
}

/// Password hashing is a capability the core asks for, not one it implements: the web
/// layer supplies bcrypt.
public protocol PasswordHasher: Sendable {
  func hash(_ password: String) throws -> String
  func verify(_ password: String, against hash: String) throws -> Bool
}
