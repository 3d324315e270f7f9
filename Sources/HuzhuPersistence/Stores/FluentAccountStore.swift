import FluentKit
import Foundation
import HuzhuCore
import SQLKit

public struct FluentAccountStore: AccountStore {
  let database: any Database

  public init(database: any Database) {
    self.database = database
  }

  public func account(username: String) async throws -> UserAccount? {
    try await UserAccountModel.query(on: database).filter(\.$username == username).first()?.domain()
  }

  public func account(_ id: UserAccount.ID) async throws -> UserAccount? {
    try await UserAccountModel.find(id.rawValue, on: database)?.domain()
  }

  public func accounts() async throws -> [UserAccount] {
    try await UserAccountModel.query(on: database).sort(\.$username).all().map { try $0.domain() }
  }

  public func create(_ account: UserAccount) async throws {
    let errors = account.validate()
    guard errors.isEmpty else { throw ValidationFailure(errors) }
    let duplicate = ValidationFailure([
      FieldError(
        field: "username", code: "duplicate_username",
        message: LocalizedText(zh: "用户名已存在", en: "the username is taken"))
    ])
    try await mappingConstraintFailure(to: duplicate) {
      try await UserAccountModel(account).create(on: database)
    }
  }

  /// One statement counts the failure, so two wrong passwords typed at once both count.
  public func recordFailedLogin(username: String, at now: Date, throttle: LoginThrottle) async throws -> LoginState? {
    let sql = database as! any SQLDatabase
    struct Row: Decodable {
      let failed_logins: Int
      let locked_until: Date?
    }
    guard
      let row = try await sql.raw(
        """
        UPDATE user_accounts SET failed_logins = failed_logins + 1 WHERE username = \(bind: username)
        RETURNING failed_logins, locked_until
        """
      ).first(decoding: Row.self)
    else { return nil }
    guard let lock = throttle.lock(afterFailures: row.failed_logins, at: now) else {
      return LoginState(failedAttempts: row.failed_logins, lockedUntil: row.locked_until)
    }
    try await UserAccountModel.query(on: database).filter(\.$username == username)
      .set(\.$failedLogins, to: 0).set(\.$lockedUntil, to: lock).update()
    return LoginState(failedAttempts: 0, lockedUntil: lock)
  }

  public func recordSuccessfulLogin(_ id: UserAccount.ID) async throws {
    try await UserAccountModel.query(on: database).filter(\.$id == id.rawValue)
      .set(\.$failedLogins, to: 0).set(\.$lastLoginAt, to: Date()).update()
  }

  public func unlock(_ id: UserAccount.ID) async throws {
    try await UserAccountModel.query(on: database).filter(\.$id == id.rawValue)
      .set(\.$failedLogins, to: 0).set(\.$lockedUntil, to: nil).update()
  }

  public func setDisabled(_ disabled: Bool, for id: UserAccount.ID) async throws {
    try await UserAccountModel.query(on: database).filter(\.$id == id.rawValue).set(\.$disabled, to: disabled).update()
  }

  public func secondFactor(of id: UserAccount.ID) async throws -> (sealedSecret: String, lastStep: Int64?)? {
    guard let model = try await UserAccountModel.find(id.rawValue, on: database), let secret = model.secondFactorSecret
    else { return nil }
    return (secret, model.secondFactorLastStep)
  }

  public func setSecondFactor(sealedSecret: String?, step: Int64?, at date: Date, for id: UserAccount.ID)
    async throws
  {
    try await UserAccountModel.query(on: database).filter(\.$id == id.rawValue)
      .set(\.$secondFactorSecret, to: sealedSecret).set(\.$secondFactorLastStep, to: step)
      .set(\.$secondFactorEnrolledAt, to: sealedSecret == nil ? nil : date).update()
  }

  public func useSecondFactorStep(_ step: Int64, for id: UserAccount.ID) async throws -> Bool {
    let sql = database as! any SQLDatabase
    let rows = try await sql.raw(
      """
      UPDATE user_accounts SET second_factor_last_step = \(bind: step)
      WHERE id = \(bind: id.rawValue) AND second_factor_secret IS NOT NULL
        AND (second_factor_last_step IS NULL OR second_factor_last_step < \(bind: step))
      RETURNING id
      """
    ).all()
    return !rows.isEmpty
  }

  public func setPasswordHash(_ hash: String, temporary: Bool, for id: UserAccount.ID) async throws {
    try await UserAccountModel.query(on: database).filter(\.$id == id.rawValue).set(\.$passwordHash, to: hash)
      .set(\.$mustChangePassword, to: temporary).update()
  }
}

/// The audit log. Reads go through `scope`: an audit administrator reads the events of their
/// federation's nodes, and those that belong to no node (sign-in attempts with names no
/// account has), never another federation's.
public struct FluentAuditStore: AuditStore {
  let database: any Database
  let scope: AccessScope

  public init(database: any Database) {
    self.init(database: database, scope: .unrestricted)
  }

  public init(database: any Database, scope: AccessScope) {
    self.database = database
    self.scope = scope
  }

  /// Appends `event` to the chain: takes the chain's lock (SQLite's write lock, a PostgreSQL
  /// advisory lock, so that two app instances never seal two entries after the same head),
  /// reads the head and seals after it.
  public func record(_ event: AuditEvent) async throws {
    try await record([event])
  }

  /// Appends `events` in order, in one transaction (a roster's changes, person by person).
  public func record(_ events: [AuditEvent]) async throws {
    guard !events.isEmpty else { return }
    // A NUL character is stored by neither database as written (PostgreSQL refuses it, SQLite
    // cuts the text there, which would break the entry's seal): it is kept as U+FFFD.
    func storable(_ text: String) -> String { text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") }
    let events = events.map { event in
      AuditEvent(
        id: event.id, at: AuditChain.sealedMoment(event.at), kind: event.kind, actor: storable(event.actor),
        organisationID: event.organisationID, subject: storable(event.subject), detail: storable(event.detail),
        address: event.address.map(storable))
    }
    // Most lines follow a change already committed: failing to write one would leave the change
    // without its line and tell the client nothing was saved. It waits longer than a change does.
    try await database.writeTransaction(waitingAtMost: WriteTransaction.auditPatience) { transaction in
      try await AuditChainStore.lock(transaction)
      var head = try await AuditChainStore(database: transaction).head()
      var models: [AuditEventModel] = []
      for event in events {
        let seal = AuditChain.seal(event, after: head, digest: AuditDigest.sha256)
        models.append(AuditEventModel(event, seal: seal))
        head = AuditChain.Head(sequence: seal.sequence, hash: seal.hash)
      }
      for chunk in models.chunks(of: 500) { try await chunk.create(on: transaction) }
    }
  }

  public func events(_ query: AuditQuery, page: PageQuery) async throws -> PagedResult<AuditEvent> {
    let builder = filtered(query)
    let total = try await builder.count()
    let rows = try await builder.sort(\.$at, .descending).sort(\.$sequence, .descending)
      .range(page.offset..<(page.offset + page.per)).all()
    return PagedResult(items: try rows.map { try $0.domain() }, request: page, total: total)
  }

  /// How many entries `query` picks.
  public func count(_ query: AuditQuery) async throws -> Int {
    try await filtered(query).count()
  }

  /// Every entry `query` picks, newest first, at most `limit` (an export, in one statement).
  public func events(_ query: AuditQuery, limit: Int) async throws -> [AuditEvent] {
    try await filtered(query).sort(\.$at, .descending).sort(\.$sequence, .descending).limit(limit).all()
      .map { try $0.domain() }
  }

  private func filtered(_ query: AuditQuery) -> QueryBuilder<AuditEventModel> {
    var builder = AuditEventModel.query(on: database)
    switch scope {
    case .unrestricted: break
    case .organisations(let ids):
      builder = builder.group(.or) {
        $0.filter(\.$organisationID ~~ ids.map { Optional($0.rawValue) }).filter(\.$organisationID == nil)
      }
    case .unit, .nothing: builder = builder.filter(\.$id == UUID())
    }
    if let kind = query.kind { builder = builder.filter(\.$kind == kind.rawValue) }
    if let actor = query.actor { builder = builder.filter(\.$actor == actor) }
    if let from = query.from { builder = builder.filter(\.$at >= from) }
    if let until = query.until { builder = builder.filter(\.$at < until) }
    return builder
  }
}

/// The audit chain as a whole, for verifying it and pruning it after the retention period:
/// installation-wide, outside any account's scope (the command line's, run by IT).
public struct AuditChainStore: Sendable {
  let database: any Database

  public init(database: any Database) {
    self.database = database
  }

  /// The key of PostgreSQL's advisory lock on the chain ("huzhuaud" in ASCII).
  static let lockKey: Int64 = 0x6875_7a68_7561_7564

  static func lock(_ transaction: any Database) async throws {
    guard let sql = transaction as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
    try await sql.raw("SELECT pg_advisory_xact_lock(\(bind: lockKey))").run()
  }

  /// The last sealed entry, nil before the first.
  public func head() async throws -> AuditChain.Head? {
    guard
      let last = try await AuditEventModel.query(on: database).filter(\.$sequence != nil)
        .sort(\.$sequence, .descending).first(), let link = try last.link()
    else { return nil }
    return AuditChain.Head(sequence: link.seal.sequence, hash: link.seal.hash)
  }

  /// Sealed entries after `sequence`, in order, at most `limit`.
  public func links(after sequence: Int64, limit: Int) async throws -> [AuditChain.Link] {
    try await AuditEventModel.query(on: database).filter(\.$sequence > sequence).sort(\.$sequence)
      .limit(limit).all().compactMap { try $0.link() }
  }

  /// Sealed entries older than `date`, in order: the prefix a prune may remove.
  public func links(before date: Date, after sequence: Int64, limit: Int) async throws -> [AuditChain.Link] {
    try await AuditEventModel.query(on: database).filter(\.$sequence > sequence).filter(\.$at < date)
      .sort(\.$sequence).limit(limit).all().compactMap { try $0.link() }
  }

  /// Rows without a seal: inserted around the application.
  public func unsealedCount() async throws -> Int {
    try await AuditEventModel.query(on: database).filter(\.$sequence == nil).count()
  }

  /// Where the kept chain starts: after the last prune, or at the beginning.
  public func start() async throws -> AuditChain.Start {
    guard let prune = try await AuditPruneModel.query(on: database).sort(\.$keptFrom, .descending).first() else {
      return .beginning
    }
    return AuditChain.Start(sequence: prune.keptFrom, previous: prune.previousHash)
  }

  /// Removes the sealed entries up to and including `last` (already archived, their digest
  /// `archiveDigest`) and records where the kept chain now starts, in one transaction: the
  /// append-only protection is lifted for this delete only. Rows without a seal stay: they are
  /// evidence.
  public func prune(through last: AuditChain.Head, count: Int, actor: String, archiveDigest: String) async throws {
    try await database.writeTransaction { transaction in
      try await Self.lock(transaction)
      guard let sql = transaction as? any SQLDatabase else { return }
      try await AppendOnly.unprotect("audit_events", keepingFunction: true, on: sql)
      try await AuditEventModel.query(on: transaction).filter(\.$sequence <= last.sequence).delete()
      try await AppendOnly.protect("audit_events", on: sql)
      let prune = AuditPruneModel()
      prune.id = UUID()
      prune.at = Date()
      prune.actor = actor
      prune.keptFrom = last.sequence + 1
      prune.previousHash = last.hash
      prune.removed = Int64(count)
      prune.archiveDigest = archiveDigest
      try await prune.create(on: transaction)
    }
  }
}
