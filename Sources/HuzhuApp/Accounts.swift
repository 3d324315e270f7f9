import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuSpreadsheet

/// Operator accounts within the actor's federation: opened by its system administrator (never
/// with an administrator role: the three are set up at installation), unlocked and given a
/// temporary password by its security administrator, disabled and enabled; and one's own
/// password. Every change goes to the audit log.
public struct Accounts: UseCase {
  let services: AppServices
  let actor: Actor

  public init(_ services: AppServices, actor: Actor) {
    self.services = services
    self.actor = actor
  }

  var store: FluentAccountStore { FluentAccountStore(database: services.database) }

  /// The accounts of the actor's area.
  public func list() async throws -> [UserAccount] {
    guard actor.may(.manageAccounts) || actor.may(.unlockAccounts) else { throw UseCaseError.forbidden }
    return try await store.accounts().filter { actor.scope.contains(organisation: $0.organisationID) }
  }

  /// The organisation nodes an account may be opened at.
  public func organisations() async throws -> [Organisation] {
    try await registryStore.organisations()
  }

  /// What a new account's form gives.
  public struct Opening: Sendable {
    public var username: String
    public var displayName: String
    public var organisation: Organisation.ID?
    /// A unit officer's unit, by its credit code.
    public var unitCreditCode: String
    public var roles: Set<Role>
    public var password: String

    public init(
      username: String, displayName: String, organisation: Organisation.ID?, unitCreditCode: String, roles: Set<Role>,
      password: String
    ) {
      self.username = username
      self.displayName = displayName
      self.organisation = organisation
      self.unitCreditCode = unitCreditCode
      self.roles = roles
      self.password = password
    }
  }

  /// Opens an account at a node (or a unit) of the actor's area with a temporary password its
  /// holder must replace; administrator roles are never given here.
  public func open(_ opening: Opening) async throws -> UserAccount {
    try actor.require(.manageAccounts)
    var errors = PasswordPolicy.problems(opening.password, username: opening.username)
    for (text, field, label) in [
      (opening.username, "username", LocalizedText(zh: "用户名", en: "The username")),
      (opening.displayName, "displayName", LocalizedText(zh: "姓名", en: "The display name")),
    ] {
      if let error = PlainText.fieldError(text, field: field, label: label) { errors.append(error) }
    }
    var organisationID = opening.organisation.flatMap { actor.scope.contains(organisation: $0) ? $0 : nil }
    if organisationID == nil { errors.append(.missing("organisation", LocalizedText(zh: "所属组织", en: "organisation"))) }
    var unitID: WorkUnit.ID?
    if !opening.unitCreditCode.isEmpty {
      if let unit = try await registryStore.unit(creditCode: opening.unitCreditCode) {
        unitID = unit.id
        organisationID = unit.organisationID
      } else {
        errors.append(
          FieldError(
            field: "unitCreditCode", code: "unknown_unit",
            message: LocalizedText(zh: "本辖区内没有该信用代码的单位", en: "no unit with this credit code in your area")))
      }
    }
    guard errors.isEmpty, let organisationID else { throw ValidationFailure(errors) }
    let hasher = services.passwordHasher
    let password = opening.password
    let hash = try await services.offThePool { try hasher.hash(password) }
    let account = UserAccount(
      username: opening.username, displayName: opening.displayName, organisationID: organisationID, unitID: unitID,
      roles: opening.roles.filter { !$0.isAdministrator }, passwordHash: hash, mustChangePassword: true)
    try await store.create(account)
    try await audit.record(
      .accountChange, subject: "account:\(account.username)",
      detail: "created: " + account.roles.sorted().map(\.rawValue).joined(separator: ","))
    return account
  }

  /// An account of the actor's area; ``UseCaseError/notFound`` for any other.
  func account(_ id: UserAccount.ID) async throws -> UserAccount {
    guard let account = try await store.account(id), actor.scope.contains(organisation: account.organisationID) else {
      throw UseCaseError.notFound
    }
    return account
  }

  /// One that may be administered from the page: not one of the three administrators.
  func administrable(_ id: UserAccount.ID) async throws -> UserAccount {
    let account = try await account(id)
    guard !account.roles.contains(where: \.isAdministrator) else { throw UseCaseError.forbidden }
    return account
  }

  @discardableResult
  public func unlock(_ id: UserAccount.ID) async throws -> UserAccount {
    try actor.require(.unlockAccounts)
    let account = try await account(id)
    try await store.unlock(id)
    try await audit.record(.accountChange, subject: "account:\(account.username)", detail: "unlocked")
    return account
  }

  /// A temporary password, which the holder must replace at the next sign-in; unlocks too.
  @discardableResult
  public func reset(_ id: UserAccount.ID, password: String) async throws -> UserAccount {
    try actor.require(.unlockAccounts)
    let account = try await administrable(id)
    let problems = PasswordPolicy.problems(password, username: account.username)
    guard problems.isEmpty else { throw ValidationFailure(problems) }
    try await setPassword(password, temporary: true, for: account)
    try await store.unlock(account.id)
    try await audit.record(.accountChange, subject: "account:\(account.username)", detail: "password reset")
    return account
  }

  @discardableResult
  public func setDisabled(_ disabled: Bool, for id: UserAccount.ID) async throws -> UserAccount {
    try actor.require(.manageAccounts)
    let account = try await administrable(id)
    try await store.setDisabled(disabled, for: account.id)
    try await audit.record(
      .accountChange, subject: "account:\(account.username)", detail: disabled ? "disabled" : "enabled")
    return account
  }

  /// The actor's own password: the current one checked, the new one by the policy.
  public func changeOwnPassword(current: String, new password: String, repeated: String) async throws {
    guard let account = actor.account else { throw UseCaseError.forbidden }
    var errors: [FieldError] = []
    let hasher = services.passwordHasher
    let hash = account.passwordHash
    if !(try await services.offThePool { try hasher.verify(current, against: hash) }) {
      errors.append(
        FieldError(
          field: "current", code: "wrong_password",
          message: LocalizedText(zh: "当前密码不正确", en: "the current password is wrong")))
    }
    errors += PasswordPolicy.problems(password, username: account.username)
    if password != repeated {
      errors.append(
        FieldError(
          field: "repeat", code: "mismatch",
          message: LocalizedText(zh: "两次输入的新密码不一致", en: "the two new passwords differ")))
    }
    if password == current {
      errors.append(
        FieldError(
          field: "password", code: "unchanged",
          message: LocalizedText(zh: "新密码不能与当前密码相同", en: "choose a different password")))
    }
    guard errors.isEmpty else { throw ValidationFailure(errors) }
    try await setPassword(password, temporary: false, for: account)
    try await audit.record(.accountChange, subject: "account:\(account.username)", detail: "own password changed")
  }

  private func setPassword(_ password: String, temporary: Bool, for account: UserAccount) async throws {
    let hasher = services.passwordHasher
    let hash = try await services.offThePool { try hasher.hash(password) }
    try await store.setPasswordHash(hash, temporary: temporary, for: account.id)
  }
}

/// The audit log, read by the audit administrator of a federation: its nodes' events and those
/// that belong to no node.
public struct AuditLog: Sendable {
  let services: AppServices
  let actor: Actor

  public init(_ services: AppServices, actor: Actor) {
    self.services = services
    self.actor = actor
  }

  public func events(_ query: AuditQuery, page: PageQuery) async throws -> PagedResult<AuditEvent> {
    try actor.require(.viewAudit)
    return try await FluentAuditStore(database: services.database, scope: actor.scope).events(query, page: page)
  }

  /// What the subjects of these entries are called where people read them, by subject: a
  /// claim's, batch's or bill's number, a unit's or node's name, a member's name masked (the
  /// audit administrator sees no personal data). Others, and any no longer in the actor's
  /// scope, keep their id.
  public func subjectNames(of events: [AuditEvent]) async throws -> [String: String] {
    try actor.require(.viewAudit)
    // The subjects as written (the id's case varies with who wrote it), by kind and id.
    var subjects: [String: [UUID: [String]]] = [:]
    for event in events {
      guard let colon = event.subject.firstIndex(of: ":"),
        let id = UUID(uuidString: String(event.subject[event.subject.index(after: colon)...]))
      else { continue }
      subjects[String(event.subject[..<colon]), default: [:]][id, default: []].append(event.subject)
    }
    var names: [String: String] = [:]
    func name(_ kind: String, _ id: UUID, _ label: String?) {
      guard let label else { return }
      for subject in subjects[kind]?[id] ?? [] { names[subject] = label }
    }
    func ids(_ kind: String) -> [UUID] { subjects[kind].map { Array($0.keys) } ?? [] }
    let database = services.database
    let claims = FluentClaimStore(database: database, scope: actor.scope)
    let registry = FluentRegistryStore(database: database, scope: actor.scope)
    let enrollments = FluentEnrollmentStore(database: database, scope: actor.scope)
    for id in ids("claim") { name("claim", id, try await claims.claim(.init(id))?.number) }
    for id in ids("payment_batch") { name("payment_batch", id, try await claims.batch(.init(id))?.number) }
    for id in ids("bill") { name("bill", id, try await enrollments.bill(.init(id))?.number) }
    for (id, worker) in try await registry.workers(ids("worker").map { .init($0) }) {
      name("worker", id.rawValue, PersonName.masked(worker.name))
    }
    for (id, unit) in try await registry.units(ids("unit").map { .init($0) }) { name("unit", id.rawValue, unit.name) }
    let nodes = Set(ids("organisation"))
    if !nodes.isEmpty {
      for organisation in try await registry.organisations() where nodes.contains(organisation.id.rawValue) {
        name("organisation", organisation.id.rawValue, organisation.name)
      }
    }
    return names
  }

  /// At most this many entries go into one export; more asks for a narrower filter.
  public static let exportLimit = 100_000

  /// The entries `query` picks, within the actor's scope, as a CSV or Excel file for the audit
  /// administrator; the export is itself an audit entry.
  public func export(_ query: AuditQuery, excel: Bool) async throws -> Data {
    try actor.require(.viewAudit)
    let store = FluentAuditStore(database: services.database, scope: actor.scope)
    let total = try await store.count(query)
    guard total <= Self.exportLimit else {
      throw ValidationFailure([
        FieldError(
          field: "from", code: "too_many",
          message: LocalizedText(
            zh: "符合条件的记录有 \(total) 条，一次最多导出 \(Self.exportLimit) 条，请缩小日期范围。",
            en: "\(total) entries match; at most \(Self.exportLimit) can be exported at once. Narrow the dates."))
      ])
    }
    let events = try await store.events(query, limit: Self.exportLimit)
    let table = ReportTable(
      id: "audit", title: LocalizedText(zh: "审计日志", en: "Audit log"),
      columns: [
        LocalizedText(zh: "时间", en: "Time"), LocalizedText(zh: "类型", en: "Kind"),
        LocalizedText(zh: "账号", en: "Account"), LocalizedText(zh: "对象", en: "Subject"),
        LocalizedText(zh: "说明", en: "Detail"), LocalizedText(zh: "地址", en: "Address"),
      ],
      rows: events.map { event in
        [
          .text(ShanghaiTime.text(event.at, seconds: true)), .text(event.kind.label.zh), .text(event.actor),
          .text(event.subject), .text(event.detail), .text(event.address ?? ""),
        ]
      })
    let data = excel ? try ReportFile.xlsx(table, english: false) : ReportFile.csv(table, english: false)
    let filter = [
      query.kind.map { "kind=\($0.rawValue)" }, query.actor.map { "actor=\($0)" },
      query.from.map { "from=\(ShanghaiTime.text($0))" }, query.until.map { "until=\(ShanghaiTime.text($0))" },
    ].compactMap { $0 }.joined(separator: " ")
    try await AuditTrail(services, actor: actor).record(
      .export, subject: "audit_log.\(excel ? "xlsx" : "csv")", detail: "\(events.count) entries \(filter)")
    return data
  }
}
