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

  public func record(_ event: AuditEvent) async throws {
    try await AuditEventModel(event).create(on: database)
  }

  public func events(_ query: AuditQuery, page: PageQuery) async throws -> PagedResult<AuditEvent> {
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
    let total = try await builder.count()
    let rows = try await builder.sort(\.$at, .descending).sort(\.$id)
      .range(page.offset..<(page.offset + page.per)).all()
    return PagedResult(items: try rows.map { try $0.domain() }, request: page, total: total)
  }
}
