import FluentKit
import Foundation
import HuzhuCore
import SQLKit

final class PortalCodeModel: Model, @unchecked Sendable {
  static let schema = "portal_codes"

  @ID(key: .id) var id: UUID?
  @Field(key: "worker_id") var workerID: UUID
  @Field(key: "phone") var phone: String
  @OptionalField(key: "message") var message: String?
  @OptionalField(key: "sent_at") var sentAt: Date?
  @Field(key: "code_hash") var codeHash: String
  @Field(key: "expires_at") var expiresAt: Date
  @Field(key: "attempts") var attempts: Int
  @OptionalField(key: "used_at") var usedAt: Date?
  @Field(key: "created_at") var createdAt: Date

  init() {}
}

/// The worker portal's codes on any Fluent database.
public struct FluentPortalStore: PortalStore {
  let database: any Database

  public init(database: any Database) {
    self.database = database
  }

  public func worker(idNumber: ResidentIDNumber, phone: String) async throws -> Worker? {
    let typed = phone.filter { $0.isASCII && $0.isNumber }
    guard let worker = try await FluentRegistryStore(database: database).worker(idNumber: idNumber),
      let registered = worker.phone, registered == typed
    else { return nil }
    return worker
  }

  public func issue(codeHash: String, message: OutgoingMessage, to worker: Worker, at now: Date) async throws -> Bool {
    try await database.writeTransaction { transaction in
      // A code already used does not hold the next one back: the worker signed in with it, and
      // asking again within the minute got the used code shown, then refused.
      let recent = try await PortalCodeModel.query(on: transaction)
        .filter(\.$workerID == worker.id.rawValue).filter(\.$usedAt == nil)
        .filter(\.$createdAt > now.addingTimeInterval(-PortalSignIn.resendInterval)).count()
      guard recent == 0 else { return false }
      let row = PortalCodeModel()
      row.id = UUID()
      row.workerID = worker.id.rawValue
      row.phone = worker.phone ?? ""
      row.codeHash = codeHash
      row.expiresAt = now.addingTimeInterval(PortalSignIn.validity)
      row.attempts = 0
      row.createdAt = now
      try await row.create(on: transaction)
      try await FluentMessageStore(database: transaction).enqueue([message])
      return true
    }
  }

  public func redeem(codeHash: String, for worker: Worker.ID, at now: Date) async throws -> Bool {
    try await database.writeTransaction { transaction in
      guard let sql = transaction as? any SQLDatabase else { preconditionFailure("Huzhu runs on SQL databases") }
      guard
        let latest = try await PortalCodeModel.query(on: transaction).filter(\.$workerID == worker.rawValue)
          .sort(\.$createdAt, .descending).first(),
        let id = latest.id
      else { return false }
      // Count the try first, in one statement, so that parallel guesses all count.
      try await sql.update(PortalCodeModel.schema)
        .set(
          SQLIdentifier("attempts"), to: SQLBinaryExpression(SQLIdentifier("attempts"), .add, SQLLiteral.numeric("1"))
        )
        .where("id", .equal, id).run()
      guard let row = try await PortalCodeModel.find(id, on: transaction), row.usedAt == nil, now < row.expiresAt,
        row.attempts <= PortalSignIn.maximumAttempts, row.codeHash == codeHash
      else { return false }
      row.usedAt = now
      try await row.update(on: transaction)
      return true
    }
  }
}
