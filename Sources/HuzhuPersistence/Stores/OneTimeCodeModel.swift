import FluentKit
import Foundation
import HuzhuCore
import SQLKit

/// A one-time code kept for a worker (a portal sign-in code, a bank-account change's code):
/// only its hash, with its expiry, the tries counted and when it was used. Both kinds hold a new
/// code back the same way, and count and judge a try the same way.
protocol OneTimeCodeModel: Model where IDValue == UUID {
  var codeHash: String { get }
  var expiresAt: Date { get }
  var attempts: Int { get }
  /// When the code was used (the worker signed in, the change was confirmed).
  var usedAt: Date? { get }

  static var workerKey: KeyPath<Self, FieldProperty<Self, UUID>> { get }
  static var createdKey: KeyPath<Self, FieldProperty<Self, Date>> { get }
  static var usedKey: KeyPath<Self, OptionalFieldProperty<Self, Date>> { get }
}

extension OneTimeCodeModel {
  /// Whether the worker was sent a code still unused less than ``PortalSignIn/resendInterval``
  /// ago (a new one then waits). A used code holds nothing back.
  static func issuedRecently(to worker: UUID, at now: Date, on database: any Database) async throws -> Bool {
    try await query(on: database).filter(workerKey == worker).filter(usedKey == nil)
      .filter(createdKey > now.addingTimeInterval(-PortalSignIn.resendInterval)).count() > 0
  }

  /// The worker's latest code, when it accepts `codeHash` (``PortalSignIn/accepts``). The try
  /// is counted first, in one statement of its own, so that parallel guesses all count.
  static func tryLatest(of worker: UUID, codeHash: String, at now: Date, on transaction: any Database)
    async throws -> Self?
  {
    guard let sql = transaction as? any SQLDatabase else { preconditionFailure("Huzhu runs on SQL databases") }
    guard
      let latest = try await query(on: transaction).filter(workerKey == worker).sort(createdKey, .descending)
        .first(),
      let id = latest.id
    else { return nil }
    try await sql.update(schema)
      .set(SQLIdentifier("attempts"), to: SQLBinaryExpression(SQLIdentifier("attempts"), .add, SQLLiteral.numeric("1")))
      .where("id", .equal, id).run()
    guard let row = try await find(id, on: transaction),
      PortalSignIn.accepts(
        storedHash: row.codeHash, offeredHash: codeHash, tries: row.attempts, expiresAt: row.expiresAt,
        used: row.usedAt != nil, at: now)
    else { return nil }
    return row
  }
}
