import FluentKit
import Foundation
import HuzhuCore

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

extension PortalCodeModel: OneTimeCodeModel {
  static var workerKey: KeyPath<PortalCodeModel, FieldProperty<PortalCodeModel, UUID>> { \.$workerID }
  static var createdKey: KeyPath<PortalCodeModel, FieldProperty<PortalCodeModel, Date>> { \.$createdAt }
  static var usedKey: KeyPath<PortalCodeModel, OptionalFieldProperty<PortalCodeModel, Date>> { \.$usedAt }
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
      guard try await !PortalCodeModel.issuedRecently(to: worker.id.rawValue, at: now, on: transaction) else {
        return false
      }
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
      guard
        let row = try await PortalCodeModel.tryLatest(of: worker.rawValue, codeHash: codeHash, at: now, on: transaction)
      else { return false }
      row.usedAt = now
      try await row.update(on: transaction)
      return true
    }
  }
}
