import Fluent
import Foundation
import HuzhuCore
import SQLKit

/// Settlement records in, claims out (docs/settlements.md). The decisions are the core's
/// (`SettlementArrival`, `SettlementTriage`, `SettlementCorrection`); this store gathers their
/// inputs, applies them in one transaction per file or request, and keeps every record with
/// the source's own text and its history.
///
/// Every read and write goes through `scope`: a source, record or person outside it does not
/// exist for this store.
public struct FluentSettlementStore: Sendable {
  let database: any Database
  let scope: AccessScope

  public init(database: any Database, scope: AccessScope = .unrestricted) {
    self.database = database
    self.scope = scope
  }

  static let sources = "settlement_sources"
  static let batches = "settlement_batches"
  static let records = "settlement_records"
  static let events = "settlement_events"

  // MARK: Sources

  public func create(_ source: SettlementSource, by actor: String) async throws {
    try await database.writeTransaction { transaction in
      let sql = transaction as! any SQLDatabase
      let taken = try await sql.select().column("id").from(Self.sources).where("code", .equal, source.code).first()
      guard taken == nil else {
        throw ValidationFailure([
          FieldError(
            field: "code", code: "duplicate_code",
            message: LocalizedText(zh: "编码“\(source.code)”已被使用", en: "the code \"\(source.code)\" is taken"))
        ])
      }
      try await sql.insert(into: Self.sources)
        .columns("id", "code", "name", "organisation_id", "scheme_code", "layout", "created_by", "created_at")
        .values(
          SQLBind(source.id.rawValue), SQLBind(source.code), SQLBind(source.name),
          SQLBind(source.organisationID.rawValue), SQLBind(source.schemeCode), SQLBind(try JSON.text(source.layout)),
          SQLBind(actor), SQLBind(Date())
        ).run()
    }
  }

  public func sources() async throws -> [SettlementSource] {
    let sql = database as! any SQLDatabase
    return try await sql.select().columns("id", "code", "name", "organisation_id", "scheme_code", "layout")
      .from(Self.sources).scopedSettlements(scope).orderBy("code").all(decoding: SourceRow.self).map { try $0.domain() }
  }

  public func source(code: String) async throws -> SettlementSource? {
    try await sources().first { $0.code == code }
  }

  // MARK: Receiving

  /// Applies a file's or a request's records (`dryRun`: everything decided, nothing kept),
  /// under the source's scheme as `context` gives it.
  public func receive(
    _ file: SettlementFile, from source: SettlementSource, channel: String, fileName: String?, sha256: String?,
    context: ClaimContext, dryRun: Bool
  ) async throws -> SettlementReceipt {
    struct Rollback: Error { let receipt: SettlementReceipt }
    do {
      // A month's file is a bulk change: SQLite copies its log into the file after answering.
      let large = file.records.count > 5_000
      // The transaction's body runs in a task of its own, which task-local values do not reach.
      let phases = Phases.current
      let transaction: @Sendable (any Database) async throws -> SettlementReceipt = { transaction in
        let sql = transaction as! any SQLDatabase
        let receipt = try await Phases.$current.withValue(phases) {
          try await Self.withLargeCache(on: sql, when: large) {
            try await Receiving(sql: sql, database: transaction, scope: scope, source: source, context: context)
              .receive(file, channel: channel, fileName: fileName, sha256: sha256)
          }
        }
        if dryRun { throw Rollback(receipt: receipt) }
        return receipt
      }
      let receipt =
        try await large
        ? database.bulkWriteTransaction(transaction) : database.writeTransaction(transaction)
      Phases.lap("committed")
      return receipt
    } catch let rollback as Rollback {
      return SettlementReceipt(batchID: nil, outcomes: rollback.receipt.outcomes, rowErrors: rollback.receipt.rowErrors)
    }
  }

  /// Runs `body` with SQLite's page cache at 256 MiB instead of 2 MiB, when `large`: a
  /// month's file writes hundreds of megabytes in one transaction, which the default cache
  /// spills to the log page by page and reads back (a tenth of the import). The connection's
  /// default comes back afterwards.
  static func withLargeCache<T>(on sql: any SQLDatabase, when large: Bool, _ body: () async throws -> T)
    async throws -> T
  {
    guard large, sql.dialect.name == "sqlite" else { return try await body() }
    try await sql.raw("PRAGMA cache_size = -262144").run()
    do {
      let result = try await body()
      try await sql.raw("PRAGMA cache_size = -2000").run()
      return result
    } catch {
      try? await sql.raw("PRAGMA cache_size = -2000").run()
      throw error
    }
  }

  /// Matches a held record again (after the registry or the cover was put right).
  public func rematch(_ id: StoredSettlement.ID, source: SettlementSource, context: ClaimContext) async throws
    -> SettlementOutcome
  {
    try await database.writeTransaction { transaction in
      let receiving = Receiving(
        sql: transaction as! any SQLDatabase, database: transaction, scope: scope, source: source, context: context)
      return try await receiving.rematch(id)
    }
  }

  /// Closes a held record with staff's note: a claim made stays as it is, worked on its page.
  public func resolve(_ id: StoredSettlement.ID, note: String, by actor: String) async throws {
    try await database.writeTransaction { transaction in
      let sql = transaction as! any SQLDatabase
      guard let row = try await Self.row(id, scope: scope, on: sql), row.status == SettlementStatus.held.rawValue else {
        throw ValidationFailure([
          FieldError(
            field: "id", code: "not_held",
            message: LocalizedText(zh: "该结算记录不在待处理队列中", en: "the settlement is not in the exceptions queue"))
        ])
      }
      let status: SettlementStatus = row.claim_id == nil ? .dismissed : .claimed
      try await sql.update(Self.records).set("status", to: status.rawValue).set("note", to: note)
        .set("updated_at", to: Date()).where("id", .equal, id.rawValue).run()
      try await Self.log([(id.rawValue, "resolve", note, nil)], batch: nil, actor: actor, on: sql)
    }
  }

  // MARK: Reading

  /// Held records, oldest first; optionally of one exception.
  public func queue(exception: SettlementException?, page: PageQuery) async throws -> PagedResult<StoredSettlement> {
    let sql = database as! any SQLDatabase
    func base() -> SQLSelectBuilder {
      var query = sql.select().from(Self.records).where("status", .equal, SettlementStatus.held.rawValue)
        .scopedSettlements(scope)
      if let exception { query = query.where("exception", .equal, exception.rawValue) }
      return query
    }
    let total =
      try await base().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").first(decoding: Count.self)?
      .n ?? 0
    let rows = try await Self.selectStored(base()).orderBy("received_at").orderBy("settlement_id")
      .limit(page.per).offset(page.offset).all(decoding: StoredRow.self)
    return PagedResult(items: try await Self.domain(rows, on: sql), request: page, total: total)
  }

  /// Counts of held records by exception, for the queue's tabs and the dashboard.
  public func heldCounts() async throws -> [SettlementException: Int] {
    struct Row: Decodable {
      let exception: String?
      let n: Int
    }
    let sql = database as! any SQLDatabase
    let rows = try await sql.select().column("exception").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
      .from(Self.records).where("status", .equal, SettlementStatus.held.rawValue).scopedSettlements(scope)
      .groupBy("exception").all(decoding: Row.self)
    return Dictionary(
      rows.compactMap { row in row.exception.flatMap(SettlementException.init).map { ($0, row.n) } },
      uniquingKeysWith: +)
  }

  public func settlement(_ id: StoredSettlement.ID) async throws -> (StoredSettlement, [SettlementEvent])? {
    let sql = database as! any SQLDatabase
    guard
      let row = try await Self.selectStored(sql.select().from(Self.records)).where("id", .equal, id.rawValue)
        .scopedSettlements(scope).first(decoding: StoredRow.self)
    else { return nil }
    let events = try await sql.select().columns("at", "actor", "action", "note").from(Self.events)
      .where("record_id", .equal, id.rawValue).orderBy("at").all(decoding: EventRow.self)
    return (
      try await Self.domain([row], on: sql)[0],
      events.map { SettlementEvent(at: $0.at, actor: $0.actor, action: $0.action, note: $0.note) }
    )
  }

  /// The settlement a claim was made from, when it was.
  public func settlement(claim: ClaimRecord.ID) async throws -> StoredSettlement? {
    let sql = database as! any SQLDatabase
    guard
      let row = try await Self.selectStored(sql.select().from(Self.records)).where("claim_id", .equal, claim.rawValue)
        .scopedSettlements(scope).first(decoding: StoredRow.self)
    else { return nil }
    return try await Self.domain([row], on: sql)[0]
  }

  /// The one-stop figures of the scope (claims by the node of their member, records by the
  /// source's node).
  public func figures() async throws -> OneStopFigures {
    struct StateCount: Decodable {
      let channel: String
      let state: String
      let n: Int
    }
    struct Days: Decodable {
      let settled_on: String
      let paid_on: String?
      let n: Int
    }
    let sql = database as! any SQLDatabase
    var figures = OneStopFigures()
    for row in try await sql.select().column("channel").column("state")
      .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(ClaimModel.schema).scopedClaims(scope)
      .groupBy("channel").groupBy("state").all(decoding: StateCount.self)
    {
      guard let state = ClaimState(rawValue: row.state) else { throw CorruptRow(table: "claims", column: "state") }
      if state == .paid { figures.paidAllChannels += row.n }
      if row.channel == ClaimChannel.settlement.rawValue { figures.claims[state, default: 0] += row.n }
    }
    figures.held = try await heldCounts().values.reduce(0, +)
    figures.straightThrough =
      try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
      .from(SQLAlias(SQLIdentifier(ClaimHistoryModel.schema), as: SQLIdentifier("h")))
      .join(
        SQLAlias(SQLIdentifier(ClaimModel.schema), as: SQLIdentifier("claims")), method: SQLJoinMethod.inner,
        on: SQLRaw("claims.id = h.claim_id")
      )
      .where(SQLColumn("actor", table: "h"), .equal, SQLBind(ClaimActor.straightThrough(at: .cityFederation).name))
      .where(SQLColumn("action", table: "h"), .equal, SQLBind("approve")).scopedClaims(scope, table: "claims")
      .first(decoding: Count.self)?.n ?? 0
    // One row per pair of days, not per claim: the dashboard reads this on every view.
    let rows = try await sql.select().column(SQLColumn("settled_on", table: "r"))
      .column(SQLColumn("paid_on", table: "claims")).column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
      .from(SQLAlias(SQLIdentifier(Self.records), as: SQLIdentifier("r")))
      .join(
        SQLAlias(SQLIdentifier(ClaimModel.schema), as: SQLIdentifier("claims")), method: SQLJoinMethod.inner,
        on: SQLRaw("claims.id = r.claim_id")
      )
      .where(SQLColumn("state", table: "claims"), .equal, SQLBind(ClaimState.paid.rawValue))
      .scopedClaims(scope, table: "claims")
      .groupBy(SQLColumn("settled_on", table: "r")).groupBy(SQLColumn("paid_on", table: "claims"))
      .all(decoding: Days.self)
    for row in rows {
      guard let settled = CalendarDate(row.settled_on), let paid = row.paid_on.flatMap(CalendarDate.init) else {
        continue
      }
      figures.daysToPayment[paid.dayNumber - settled.dayNumber, default: 0] += row.n
    }
    return figures
  }

  // MARK: Rows

  struct Count: Decodable { let n: Int }

  struct SourceRow: Decodable {
    let id: UUID
    let code: String
    let name: String
    let organisation_id: UUID
    let scheme_code: String
    let layout: String

    func domain() throws -> SettlementSource {
      SettlementSource(
        id: .init(id), code: code, name: name, organisationID: .init(organisation_id), schemeCode: scheme_code,
        layout: try JSON.value(SettlementLayout.self, layout, table: FluentSettlementStore.sources, column: "layout"))
    }
  }

  struct StoredRow: Decodable {
    let id: UUID
    let source_id: UUID
    let record: String
    let original: String
    let status: String
    let exception: String?
    let exception_detail: String?
    let worker_id: UUID?
    let claim_id: UUID?
    let note: String?
    let received_at: Date

    func decodedRecord() throws -> SettlementRecord {
      try JSON.value(SettlementRecord.self, record, table: FluentSettlementStore.records, column: "record")
    }
  }

  struct EventRow: Decodable {
    let at: Date
    let actor: String
    let action: String
    let note: String?
  }

  static func selectStored(_ query: SQLSelectBuilder) -> SQLSelectBuilder {
    query.columns(
      "id", "source_id", "record", "original", "status", "exception", "exception_detail", "worker_id", "claim_id",
      "note",
      "received_at")
  }

  static func row(_ id: StoredSettlement.ID, scope: AccessScope, on sql: any SQLDatabase) async throws -> StoredRow? {
    try await selectStored(sql.select().from(records)).where("id", .equal, id.rawValue).scopedSettlements(scope)
      .first(decoding: StoredRow.self)
  }

  static func domain(_ rows: [StoredRow], on sql: any SQLDatabase) async throws -> [StoredSettlement] {
    struct Code: Decodable {
      let id: UUID
      let code: String
    }
    struct Number: Decodable {
      let id: UUID
      let number: String
    }
    let sourceIDs = Array(Set(rows.map(\.source_id)))
    let codes =
      sourceIDs.isEmpty
      ? [:]
      : Dictionary(
        try await sql.select().columns("id", "code").from(sources).where("id", .in, sourceIDs).all(decoding: Code.self)
          .map { ($0.id, $0.code) }, uniquingKeysWith: { first, _ in first })
    let claimIDs = Array(Set(rows.compactMap(\.claim_id)))
    let numbers =
      claimIDs.isEmpty
      ? [:]
      : Dictionary(
        try await sql.select().columns("id", "number").from(ClaimModel.schema).where("id", .in, claimIDs)
          .all(decoding: Number.self).map { ($0.id, $0.number) }, uniquingKeysWith: { first, _ in first })
    return try rows.map { row in
      guard let status = SettlementStatus(rawValue: row.status) else {
        throw CorruptRow(table: records, column: "status")
      }
      return StoredSettlement(
        id: .init(row.id), sourceCode: codes[row.source_id] ?? "", record: try row.decodedRecord(),
        original: try JSON.value([String: String].self, row.original, table: records, column: "original"),
        status: status, exception: row.exception.flatMap(SettlementException.init),
        exceptionDetail: try row.exception_detail.map {
          try JSON.value(LocalizedText.self, $0, table: records, column: "exception_detail")
        }, workerID: row.worker_id.map { .init($0) }, claimID: row.claim_id.map { .init($0) },
        claimNumber: row.claim_id.flatMap { numbers[$0] }, note: row.note, receivedAt: row.received_at)
    }
  }

  static func log(
    _ entries: [(record: UUID, action: String, note: String?, previous: String?)], batch: UUID?, actor: String,
    on sql: any SQLDatabase
  ) async throws {
    let now = Date()
    var rows = BulkRows(
      events, columns: ["id", "record_id", "batch_id", "at", "actor", "action", "note", "previous"],
      capacity: entries.count)
    for entry in entries {
      rows.append(
        .uuid(UUID.timeOrdered()), .uuid(entry.record), .nullable(batch), .timestamp(now), .text(actor),
        .text(entry.action), .nullable(entry.note), .nullable(entry.previous))
    }
    try await rows.write(on: sql)
  }
}

extension SQLPredicateBuilder {
  /// Settlement sources, batches and records belong to an organisation node.
  func scopedSettlements(_ scope: AccessScope) -> Self {
    switch scope {
    case .unrestricted: self
    case .organisations(let ids): self.where("organisation_id", .in, ids.map(\.rawValue))
    case .unit, .nothing: self.where(SQLLiteral.boolean(false))
    }
  }
}
