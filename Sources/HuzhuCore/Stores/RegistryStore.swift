import Foundation

/// Where the registry (organisations, units, workers) is kept. The web layer and the CLI
/// talk to this protocol; `HuzhuPersistence` implements it on SQLite and PostgreSQL.
public protocol RegistryStore: Sendable {
  func organisations() async throws -> [Organisation]
  func organisation(_ id: Organisation.ID) async throws -> Organisation?
  /// Validates against the existing nodes and inserts; throws ``ValidationFailure``.
  func create(_ organisation: Organisation) async throws

  /// Units in the node's subtree (nil: all the scope shows) whose name contains `text`
  /// (nil or empty: every one), by name.
  func units(in organisation: Organisation.ID?, matching text: String?, page: PageQuery) async throws
    -> PagedResult<WorkUnit>
  func unit(_ id: WorkUnit.ID) async throws -> WorkUnit?
  /// The units among `ids` that the scope shows, by id (one read for a page's worth).
  func units(_ ids: [WorkUnit.ID]) async throws -> [WorkUnit.ID: WorkUnit]
  func create(_ unit: WorkUnit) async throws
  /// Units directly under each organisation node.
  func unitCounts() async throws -> [Organisation.ID: Int]

  func workers(in unit: WorkUnit.ID, page: PageQuery) async throws -> PagedResult<Worker>
  func worker(idNumber: ResidentIDNumber) async throws -> Worker?
  /// Creates the person and their current employment; throws ``ValidationFailure`` when
  /// the ID number is already registered.
  func create(_ worker: Worker, employedSince: CalendarDate) async throws
  /// Registers a person on their own (no employer) at `worker.homeOrganisationID`, which the
  /// scope must show. A person already known who is employed by nobody now and kept by no node
  /// (someone who left their unit) is taken over with the new details, never registered twice;
  /// the stored person is returned. Throws ``ValidationFailure`` (`duplicate_id_number` for
  /// anyone else).
  func register(individual worker: Worker) async throws -> Worker
  /// Creates many people employed by their units since the same day, in a few statements
  /// (demo history, generated provinces); nothing is written when any ID number is taken.
  func create(_ workers: [Worker], employedSince: CalendarDate) async throws

  func counts() async throws -> RegistryCounts

  func details(of unit: WorkUnit.ID) async throws -> UnitDetails?
  /// Replaces the unit's address, contact and bank details; throws ``ValidationFailure``.
  func update(_ details: UnitDetails, of unit: WorkUnit.ID) async throws
  /// Every headcount report of the unit, oldest first.
  func headcounts(of unit: WorkUnit.ID) async throws -> [HeadcountReport]
  /// Records the unit's headcount on a date, replacing an earlier report for the same date.
  func record(_ report: HeadcountReport, for unit: WorkUnit.ID) async throws
  /// A person with their current unit; nil when unknown, or when neither their unit nor (for
  /// someone employed by nobody) the node keeping their record is in the scope.
  func worker(_ id: Worker.ID) async throws -> Worker?
  /// The people among `ids` that the scope shows (as ``worker(_:)`` would), by id.
  func workers(_ ids: [Worker.ID]) async throws -> [Worker.ID: Worker]
  /// People the scope shows (employed now, or registered on their own at a node of the scope)
  /// whose name contains `text`, or whose ID number or phone starts with it; by name.
  func searchWorkers(matching text: String, page: PageQuery) async throws -> PagedResult<Worker>

  /// A unit by its unified social credit code.
  func unit(creditCode: String) async throws -> WorkUnit?
  /// What the registry holds of the people with these ID numbers, whoever keeps them: the
  /// facts a roster's rows are planned on (``RosterRowPlan``), which decides what the importer
  /// may learn of them. Not scoped, for that reason; never shown as it is.
  func standings(of idNumbers: [ResidentIDNumber]) async throws -> [ResidentIDNumber: RegistryStanding]
  /// Commits a planned roster in one transaction: all rows or none. Writes nothing when the
  /// unit is outside the scope, or when anyone's standing changed since the plan.
  func importRoster(_ commit: RosterCommit, on date: CalendarDate, requestedBy: String) async throws
    -> RosterImportResult

  /// Transfer requests the scope shows from either side (asked by a unit of it, or for someone
  /// it keeps), newest first.
  func transferRequests(status: TransferRequest.Status?, page: PageQuery) async throws -> PagedResult<TransferRequest>
  func transferRequest(_ id: TransferRequest.ID) async throws -> TransferRequest?
  /// Records an answer ``TransferRequest/deciding(_:by:on:note:scope:)`` made; a confirmation
  /// moves the person. Refused when the request was answered meanwhile or the person moved.
  func record(_ decided: TransferRequest, on date: CalendarDate) async throws
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

/// An operator of the system (window clerk, officer, administrator…). An account always
/// belongs to one organisation node; a unit union officer's also names their unit.
public struct UserAccount: Hashable, Sendable, Identifiable {
  public typealias ID = Identifier<UserAccount>

  public let id: ID
  public var username: String
  public var displayName: String
  public var organisationID: Organisation.ID
  public var unitID: WorkUnit.ID?
  public var roles: Set<Role>
  public var passwordHash: String
  public var login: LoginState
  public var isDisabled: Bool
  /// Set when someone else chose the password (a new account, a reset by the security
  /// administrator): the holder must choose their own before doing anything else.
  public var mustChangePassword: Bool
  /// When the holder enrolled an authenticator for two-factor sign-in (``SecondFactor``).
  public var secondFactorEnrolledAt: Date?

  public init(
    id: ID = ID(), username: String, displayName: String, organisationID: Organisation.ID,
    unitID: WorkUnit.ID? = nil, roles: Set<Role>, passwordHash: String, login: LoginState = LoginState(),
    isDisabled: Bool = false, mustChangePassword: Bool = false, secondFactorEnrolledAt: Date? = nil
  ) {
    self.secondFactorEnrolledAt = secondFactorEnrolledAt
    self.id = id
    self.username = username
    self.displayName = displayName
    self.organisationID = organisationID
    self.unitID = unitID
    self.roles = roles
    self.passwordHash = passwordHash
    self.login = login
    self.isDisabled = isDisabled
    self.mustChangePassword = mustChangePassword
  }

  public var permissions: Set<Permission> { roles.permissions }

  public func may(_ permission: Permission) -> Bool { permissions.contains(permission) }

  /// Every problem with the account as it would be saved (not the password).
  public func validate() -> [FieldError] {
    var errors: [FieldError] = []
    if username.range(of: #"^[a-z0-9][a-z0-9._-]{2,31}$"#, options: .regularExpression) == nil {
      errors.append(
        FieldError(
          field: "username", code: "invalid_username",
          message: LocalizedText(
            zh: "用户名为 3–32 位小写字母、数字、点、下划线或连字符", en: "3–32 lower-case letters, digits, . _ -")))
    }
    if displayName.trimmingCharacters(in: .whitespaces).isEmpty {
      errors.append(.missing("displayName", LocalizedText(zh: "姓名", en: "name")))
    }
    if let conflict = roles.conflict {
      errors.append(FieldError(field: "roles", code: "role_conflict", message: conflict))
    }
    if roles.contains(.unitOfficer) != (unitID != nil) {
      errors.append(
        FieldError(
          field: "unitId", code: "unit_officer_unit",
          message: LocalizedText(
            zh: "基层工会账号必须且只能指定所属单位", en: "a unit officer account names its unit, and only it does")))
    }
    return errors
  }
}

public protocol AccountStore: Sendable {
  func account(username: String) async throws -> UserAccount?
  func account(_ id: UserAccount.ID) async throws -> UserAccount?
  func accounts() async throws -> [UserAccount]
  /// Validates (``UserAccount/validate()``, a unique username) and inserts.
  func create(_ account: UserAccount) async throws
  /// Counts one more failed sign-in atomically; locks the account when `throttle` says so.
  /// Returns the state after the failure (nil for an unknown username).
  func recordFailedLogin(username: String, at now: Date, throttle: LoginThrottle) async throws -> LoginState?
  func recordSuccessfulLogin(_ id: UserAccount.ID) async throws
  func unlock(_ id: UserAccount.ID) async throws
  /// `temporary`: chosen by someone else, so it must be changed at the next sign-in.
  func setPasswordHash(_ hash: String, temporary: Bool, for id: UserAccount.ID) async throws
  /// A disabled account cannot sign in; its history stays.
  func setDisabled(_ disabled: Bool, for id: UserAccount.ID) async throws
  /// The account's sealed authenticator secret and the last step whose code was used.
  func secondFactor(of id: UserAccount.ID) async throws -> (sealedSecret: String, lastStep: Int64?)?
  /// Enrols (or, with nil, forgets) an authenticator; `step` is the one its first code used.
  func setSecondFactor(sealedSecret: String?, step: Int64?, at date: Date, for id: UserAccount.ID) async throws
  /// Marks `step` used if no later or equal step was: one statement, so a code typed twice at
  /// once signs in once. False when it was used already.
  func useSecondFactorStep(_ step: Int64, for id: UserAccount.ID) async throws -> Bool
}

extension UserAccount {
  public var hasSecondFactor: Bool { secondFactorEnrolledAt != nil }
}

/// Password hashing is a capability the core asks for, not one it implements: the web
/// layer supplies bcrypt.
public protocol PasswordHasher: Sendable {
  func hash(_ password: String) throws -> String
  func verify(_ password: String, against hash: String) throws -> Bool
  /// A hash of no one's password at the cost real ones have, to verify against when there is
  /// no account: refusing an unknown name then takes as long as a wrong password.
  func decoyHash() throws -> String
}

extension PasswordHasher {
  public func decoyHash() throws -> String { try hash("no one's password") }
}

extension RegistryStore {
  /// Every unit in the node's subtree, by name.
  public func units(in organisation: Organisation.ID?, page: PageQuery) async throws -> PagedResult<WorkUnit> {
    try await units(in: organisation, matching: nil, page: page)
  }
}
