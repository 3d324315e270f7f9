import FluentKit
import Foundation
import HuzhuCore

final class AccountChangeModel: Model, @unchecked Sendable {
  static let schema = M037_AccountChanges.table

  @ID(key: .id) var id: UUID?
  @Field(key: "worker_id") var workerID: UUID
  @OptionalField(key: "organisation_id") var organisationID: UUID?
  @Field(key: "bank_name") var bankName: String
  @Field(key: "bank_account") var bankAccount: String
  @Field(key: "code_hash") var codeHash: String
  @Field(key: "expires_at") var expiresAt: Date
  @Field(key: "attempts") var attempts: Int
  @Field(key: "created_at") var createdAt: Date
  @OptionalField(key: "confirmed_at") var confirmedAt: Date?

  init() {}
}

extension AccountChangeModel: OneTimeCodeModel {
  var usedAt: Date? { confirmedAt }
  static var workerKey: KeyPath<AccountChangeModel, FieldProperty<AccountChangeModel, UUID>> { \.$workerID }
  static var createdKey: KeyPath<AccountChangeModel, FieldProperty<AccountChangeModel, Date>> { \.$createdAt }
  static var usedKey: KeyPath<AccountChangeModel, OptionalFieldProperty<AccountChangeModel, Date>> { \.$confirmedAt }
}

/// A worker's own change of bank account, confirmed by a code to their registered phone. Like
/// the sign-in codes: a new request within the minute is refused, every try is counted before
/// the code is compared (parallel guesses all count), and a code works once, within its time
/// and tries. Confirming writes the account, the notice of the change and the confirmation in
/// one transaction.
public struct FluentAccountChangeStore: Sendable {
  let database: any Database

  public init(database: any Database) {
    self.database = database
  }

  /// The change waiting for its code (unconfirmed, unexpired), if any.
  public func pending(for worker: Worker.ID, at now: Date) async throws -> MemberBankAccount? {
    guard
      let row = try await AccountChangeModel.query(on: database).filter(\.$workerID == worker.rawValue)
        .filter(\.$confirmedAt == nil).filter(\.$expiresAt > now).sort(\.$createdAt, .descending).first(),
      row.attempts < PortalSignIn.maximumAttempts
    else { return nil }
    return try? MemberBankAccount.checked(bankName: row.bankName, account: row.bankAccount)
  }

  /// Stores the requested change and queues its code; false (nothing stored) when one was
  /// asked for less than a minute ago and is still waiting.
  public func request(
    _ account: MemberBankAccount, for worker: Worker, organisation: Organisation.ID?, codeHash: String,
    message: OutgoingMessage, at now: Date
  ) async throws -> Bool {
    try await database.writeTransaction { transaction in
      guard try await !AccountChangeModel.issuedRecently(to: worker.id.rawValue, at: now, on: transaction) else {
        return false
      }
      let row = AccountChangeModel()
      row.id = UUID()
      row.workerID = worker.id.rawValue
      row.organisationID = organisation?.rawValue
      row.bankName = account.bankName
      row.bankAccount = account.account
      row.codeHash = codeHash
      row.expiresAt = now.addingTimeInterval(PortalSignIn.validity)
      row.attempts = 0
      row.createdAt = now
      try await row.create(on: transaction)
      try await FluentMessageStore(database: transaction).enqueue([message])
      return true
    }
  }

  /// Applies the latest waiting change when `codeHash` is its code: the worker's account
  /// before and after, or nil (a wrong, used or expired code, or too many tries).
  public func confirm(
    for worker: Worker.ID, codeHash: String,
    notice: @escaping @Sendable (MemberBankAccount, String?) -> OutgoingMessage,
    at now: Date
  ) async throws -> (before: MemberBankAccount?, after: MemberBankAccount)? {
    try await database.writeTransaction { transaction in
      guard
        let row = try await AccountChangeModel.tryLatest(
          of: worker.rawValue, codeHash: codeHash, at: now, on: transaction),
        let person = try await WorkerModel.find(worker.rawValue, on: transaction)
      else { return nil }
      let after = try MemberBankAccount.checked(bankName: row.bankName, account: row.bankAccount)
      let before = try? MemberBankAccount.checked(
        bankName: person.bankName ?? "", account: person.bankAccount ?? "")
      person.bankName = after.bankName
      person.bankAccount = after.account
      try await person.update(on: transaction)
      row.confirmedAt = now
      try await row.update(on: transaction)
      try await FluentMessageStore(database: transaction).enqueue([notice(after, person.phone)])
      return (before, after)
    }
  }
}
