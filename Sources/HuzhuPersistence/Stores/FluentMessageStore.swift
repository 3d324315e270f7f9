import FluentKit
import Foundation
import HuzhuCore
import SQLKit

final class MessageModel: Model, NodeOwned, @unchecked Sendable {
  static let schema = M035_Messages.table
  static let ownerKey = \MessageModel.$organisationID

  @ID(key: .id) var id: UUID?
  @OptionalField(key: "organisation_id") var organisationID: UUID?
  @Field(key: "kind") var kind: String
  @OptionalField(key: "phone") var phone: String?
  @Field(key: "text") var text: String
  @Field(key: "parameters") var parameters: String
  @OptionalField(key: "claim_id") var claimID: UUID?
  @OptionalField(key: "worker_id") var workerID: UUID?
  @Field(key: "status") var status: String
  @Field(key: "attempts") var attempts: Int
  @Field(key: "next_attempt_at") var nextAttemptAt: Date
  @OptionalField(key: "expires_at") var expiresAt: Date?
  @OptionalField(key: "lease_owner") var leaseOwner: String?
  @OptionalField(key: "lease_until") var leaseUntil: Date?
  @OptionalField(key: "last_error") var lastError: String?
  @OptionalField(key: "provider_id") var providerID: String?
  @OptionalField(key: "dedupe_key") var dedupeKey: String?
  @Field(key: "created_at") var createdAt: Date
  @OptionalField(key: "sent_at") var sentAt: Date?

  init() {}

  func queued() throws -> QueuedMessage {
    guard let kind = MessageKind(rawValue: kind) else { throw CorruptRow(table: Self.schema, column: "kind") }
    guard let status = MessageStatus(rawValue: status) else { throw CorruptRow(table: Self.schema, column: "status") }
    let parameters = try JSON.value([String: String].self, parameters, table: Self.schema, column: "parameters")
    return QueuedMessage(
      message: OutgoingMessage(
        id: .init(id ?? UUID()), kind: kind, phone: phone, text: text, parameters: parameters,
        organisationID: organisationID.map { .init($0) }, claimID: claimID.map { .init($0) },
        workerID: workerID.map { .init($0) }, createdAt: createdAt, expiresAt: expiresAt, dedupeKey: dedupeKey),
      status: status, attempts: attempts, nextAttemptAt: nextAttemptAt, lastError: lastError, providerID: providerID,
      sentAt: sentAt)
  }

  func outbox() throws -> OutboxMessage? {
    guard let claimID, let notice = MessageKind(rawValue: kind)?.notice else { return nil }
    return OutboxMessage(
      claimID: .init(claimID), phone: phone, notice: notice, text: text, createdAt: createdAt,
      status: MessageStatus(rawValue: status) ?? .pending, sentAt: sentAt)
  }
}

/// The outbox of text messages on any Fluent database. Sending is leased: a message goes to
/// whoever leased it (one statement that only takes messages nobody holds), and the result is
/// recorded only under that lease, so two instances draining at once send each message once; a
/// lease whose holder died lapses and the message is tried again.
///
/// Staff reads and resends go through `scope` (an area's messages; a unit's accounts see none).
public struct FluentMessageStore: MessageStore {
  let database: any Database
  let scope: AccessScope

  public init(database: any Database, scope: AccessScope = .unrestricted) {
    self.database = database
    self.scope = scope
  }

  /// The columns of a message row, in the order ``values(_:)`` gives them.
  static let columns = [
    "id", "organisation_id", "kind", "phone", "text", "parameters", "claim_id", "worker_id", "status", "attempts",
    "next_attempt_at", "expires_at", "last_error", "created_at", "dedupe_key",
  ]

  /// A new message's row: waiting, or given up at once when there is no phone to send to.
  static func values(_ message: OutgoingMessage) throws -> [BulkRows.Value] {
    let phone = message.phone.flatMap { $0.isEmpty ? nil : $0 }
    return [
      .uuid(message.id.rawValue), .nullable(message.organisationID?.rawValue), .text(message.kind.rawValue),
      .nullable(phone), .text(message.text), .text(try JSON.text(message.parameters)),
      .nullable(message.claimID?.rawValue), .nullable(message.workerID?.rawValue),
      .text(phone == nil ? MessageStatus.dead.rawValue : MessageStatus.pending.rawValue), .int(0),
      .timestamp(message.createdAt), .nullable(message.expiresAt), .nullable(phone == nil ? "no phone" : nil),
      .timestamp(message.createdAt), .nullable(message.dedupeKey),
    ]
  }

  /// Rows for `messages`, to write with a transaction's other rows.
  static func rows(_ messages: [OutgoingMessage]) throws -> BulkRows {
    var rows = BulkRows(MessageModel.schema, columns: columns)
    for message in messages { rows.append(row: try values(message)) }
    return rows
  }

  public func enqueue(_ messages: [OutgoingMessage]) async throws {
    guard !messages.isEmpty else { return }
    guard let sql = database as? any SQLDatabase else { preconditionFailure("Huzhu runs on SQL databases") }
    try await Self.rows(messages).write(on: sql)
  }

  /// Queues the messages whose keys are not in the outbox yet (reminders); how many were new.
  /// Two instances deciding the same reminder at once: the unique key lets one write it, and
  /// the other's round fails and finds it there next time.
  public func enqueueOnce(_ messages: [OutgoingMessage]) async throws -> Int {
    let keyed = messages.filter { $0.dedupeKey != nil }
    guard !keyed.isEmpty else { return 0 }
    var fresh: [OutgoingMessage] = []
    for start in stride(from: 0, to: keyed.count, by: 500) {
      let chunk = Array(keyed[start..<min(start + 500, keyed.count)])
      let taken = Set(
        try await MessageModel.query(on: database).filter(\.$dedupeKey ~~ chunk.compactMap(\.dedupeKey)).all()
          .compactMap(\.dedupeKey))
      fresh += chunk.filter { !taken.contains($0.dedupeKey ?? "") }
    }
    guard !fresh.isEmpty else { return 0 }
    let rows = try Self.rows(fresh)
    try await database.writeTransaction { transaction in
      guard let sql = transaction as? any SQLDatabase else { return }
      try await rows.write(on: sql)
    }
    return fresh.count
  }

  public func lease(owner: String, for duration: TimeInterval, now: Date, limit: Int, only ids: [OutgoingMessage.ID]?)
    async throws -> [QueuedMessage]
  {
    let limit = min(max(1, limit), 500)
    let until = now.addingTimeInterval(duration)
    // Another instance may take the same candidates first: look again (past what it took)
    // a few times before saying there is nothing.
    for _ in 0..<4 {
      // A cheap read first: an idle outbox costs no write (on SQLite, no write lock) per poll.
      var due = MessageModel.query(on: database).field(\.$id).filter(\.$status == MessageStatus.pending.rawValue)
        .filter(\.$nextAttemptAt <= now).group(.or) { $0.filter(\.$leaseUntil == nil).filter(\.$leaseUntil < now) }
      if let ids { due = due.filter(\.$id ~~ ids.map(\.rawValue)) }
      let candidates = try await due.sort(\.$nextAttemptAt).sort(\.$id).limit(limit).all().compactMap(\.id)
      guard !candidates.isEmpty else { return [] }
      let token = "\(owner)/\(UUID().uuidString)"
      // The conditions are stated again on the rows updated: PostgreSQL re-reads a row another
      // transaction changed meanwhile and skips it if it is no longer free.
      let taken = try await database.writeTransaction { transaction -> [UUID] in
        guard let sql = transaction as? any SQLDatabase else { return [] }
        return try await sql.update(MessageModel.schema)
          .set("lease_owner", to: SQLBind(token))
          .set("lease_until", to: SQLBind(until))
          .set(
            SQLIdentifier("attempts"), to: SQLBinaryExpression(SQLIdentifier("attempts"), .add, SQLLiteral.numeric("1"))
          )
          .where("id", .in, candidates)
          .where("status", .equal, MessageStatus.pending.rawValue)
          .where("next_attempt_at", .lessThanOrEqual, SQLBind(now))
          .where { $0.where("lease_until", .is, SQLLiteral.null).orWhere("lease_until", .lessThan, SQLBind(now)) }
          .returning("id").all().map { try $0.decode(column: "id", as: UUID.self) }
      }
      guard !taken.isEmpty else { continue }
      return try await MessageModel.query(on: database).filter(\.$leaseOwner == token).sort(\.$createdAt).all()
        .map { QueuedMessage(leased: try $0.queued(), token: token) }
    }
    return []
  }

  public func recordSent(_ message: QueuedMessage, providerID: String?, at now: Date) async throws -> Bool {
    guard let token = message.leaseToken else { return false }
    let id = message.message.id.rawValue
    let secret = message.message.kind.isSecret
    return try await written { sql in
      var update = sql.update(MessageModel.schema)
        .set("status", to: MessageStatus.sent.rawValue)
        .set("sent_at", to: SQLBind(now))
        .set("provider_id", to: SQLBind(providerID))
        .set("last_error", to: SQLLiteral.null)
        .set("lease_owner", to: SQLLiteral.null)
        .set("lease_until", to: SQLLiteral.null)
      if secret {
        update = update.set("text", to: OutgoingMessage.redactedCode).set("parameters", to: "{}")
      }
      return update.where("id", .equal, id).where("lease_owner", .equal, token)
    }
  }

  public func recordFailure(_ message: QueuedMessage, reason: String, retryAt: Date?, at now: Date) async throws -> Bool
  {
    guard let token = message.leaseToken else { return false }
    let id = message.message.id.rawValue
    let secret = message.message.kind.isSecret
    return try await written { sql in
      var update = sql.update(MessageModel.schema)
        .set("last_error", to: SQLBind(String(reason.prefix(500))))
        .set("lease_owner", to: SQLLiteral.null)
        .set("lease_until", to: SQLLiteral.null)
      if let retryAt {
        update = update.set("next_attempt_at", to: SQLBind(retryAt))
      } else {
        update = update.set("status", to: MessageStatus.dead.rawValue)
        if secret {
          update = update.set("text", to: OutgoingMessage.redactedCode).set("parameters", to: "{}")
        }
      }
      return update.where("id", .equal, id).where("lease_owner", .equal, token)
    }
  }

  /// Runs `update` in a write transaction and says whether it changed a row (false: the lease
  /// had lapsed and someone else holds the message now).
  private func written(_ update: @escaping @Sendable (any SQLDatabase) -> SQLUpdateBuilder) async throws -> Bool {
    try await database.writeTransaction { transaction in
      guard let sql = transaction as? any SQLDatabase else { return false }
      return try await !update(sql).returning("id").all().isEmpty
    }
  }

  // MARK: Staff

  public func messages(status: MessageStatus?, troubledOnly: Bool, page: PageQuery) async throws
    -> PagedResult<QueuedMessage>
  {
    var query = MessageModel.query(on: database).scoped(scope)
    if let status { query = query.filter(\.$status == status.rawValue) }
    if troubledOnly {
      query = query.group(.or) {
        $0.filter(\.$status == MessageStatus.dead.rawValue).group(.and) {
          $0.filter(\.$status == MessageStatus.pending.rawValue).filter(\.$lastError != nil)
        }
      }
    }
    let total = try await query.count()
    let rows = try await query.sort(\.$createdAt, .descending).sort(\.$id, .descending).range(
      page.offset..<(page.offset + page.per)
    ).all()
    return PagedResult(items: try rows.map { try $0.queued() }, request: page, total: total)
  }

  public func counts() async throws -> [MessageStatus: Int] {
    var counts: [MessageStatus: Int] = [:]
    for status in MessageStatus.allCases {
      counts[status] = try await MessageModel.query(on: database).scoped(scope).filter(\.$status == status.rawValue)
        .count()
    }
    counts[.pending] = counts[.pending] ?? 0
    return counts
  }

  public func resend(_ id: OutgoingMessage.ID, at now: Date) async throws -> QueuedMessage? {
    try await database.writeTransaction { transaction in
      guard
        let row = try await MessageModel.query(on: transaction).scoped(scope).filter(\.$id == id.rawValue).first()
      else { return nil }
      // A code given up is not sent again (its text is gone, and it is no use by now); the
      // worker asks for a new one.
      guard row.status == MessageStatus.dead.rawValue, MessageKind(rawValue: row.kind)?.isSecret == false
      else { return try row.queued() }
      // To the member's phone as it is now: sending again follows putting the phone right.
      if let worker = row.workerID, let current = try await WorkerModel.find(worker, on: transaction) {
        row.phone = current.phone.flatMap { $0.isEmpty ? nil : $0 }
      }
      guard row.phone != nil else { return try row.queued() }
      row.status = MessageStatus.pending.rawValue
      row.attempts = 0
      row.nextAttemptAt = now
      row.leaseOwner = nil
      row.leaseUntil = nil
      try await row.update(on: transaction)
      return try row.queued()
    }
  }

  /// The messages of one claim, oldest first.
  static func outbox(claim: ClaimRecord.ID, on database: any Database) async throws -> [OutboxMessage] {
    try await MessageModel.query(on: database).filter(\.$claimID == claim.rawValue).sort(\.$createdAt).all()
      .compactMap { try $0.outbox() }
  }
}
