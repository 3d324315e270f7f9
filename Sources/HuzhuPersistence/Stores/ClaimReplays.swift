import FluentKit
import FluentSQLiteDriver
import Foundation
import HuzhuCore
import NIOCore
import SQLKit

/// What the what-if replays of a decided claim (M016 `claim_replays`, M031): the columns that
/// select it (scheme, node, day decided), and its case — the member's facts as the claim was
/// judged, the cover in force, the event, what was paid or the rule it was refused by — as
/// one compact value (``ReplayFacts``). A paid claim has a row from the transaction that pays
/// it, a claim refused by a rule (``RejectionReason/isDecidedByRules``) from the one that
/// refuses it until an appeal or a reopening takes the refusal back (``record(_:decidedOn:refusal:on:)``,
/// ``forget(_:on:)``); the province generator writes them in bulk, and ``rebuild(on:)`` from
/// scratch, which a test holds equal.
///
/// Why a table of its own: a year of a province's claims is 300,000 rows whose records carry
/// the intake and the explanation as JSON, several kilobytes each. The replay needs a hundred
/// bytes of each. The day decided is a day number (days since 1970-01-01,
/// ``CalendarDate/dayNumber``), compared as an integer.
enum ClaimReplays {
  static let table = "claim_replays"
  static let columns = ["id", "scheme_code", "organisation_id", "decided_on", "facts"]
  /// Each scheme's version of its rows (M038), raised with every change to them.
  static let versions = "claim_replay_versions"

  /// A replay row's values, in ``columns``' order.
  static func values(_ claim: SimulationCase, id: UUID, schemeCode: String, organisationID: UUID?) throws
    -> [LiteralInserter.Value]
  {
    [
      .uuid(id), .text(schemeCode), organisationID.map(LiteralInserter.Value.uuid) ?? .null, .day(claim.decidedOn),
      .bytes(try ReplayFacts.encode(claim)),
    ]
  }

  /// The replay row of a claim being paid, or refused by `refusal`: its member's facts as the
  /// registry holds them, the cover in force on the event's day from their enrollments. It
  /// replaces the claim's row, if any (a claim paid again after the bank returned the money,
  /// paid after an appeal against its refusal).
  static func record(
    _ record: ClaimRecord, decidedOn: CalendarDate, refusal: RejectionReason? = nil, on database: any Database,
    raisingVersion: Bool = true
  ) async throws {
    let sql = database.sqlDatabase
    guard let worker = try await WorkerModel.find(record.workerID.rawValue, on: database) else {
      throw CorruptRow(table: "claims", column: "worker_id")
    }
    let cover = try await sql.raw(
      """
      SELECT product_code, period_start, period_end, shares, cover_from, previous_cover_end FROM enrollments
      WHERE worker_id = \(bind: record.workerID.rawValue) AND scheme_code = \(bind: record.schemeCode)
        AND status = 'active'
      ORDER BY period_start, product_code
      """
    ).all().map(heldCover)
    let event = record.intake.event
    let claim = SimulationCase(
      claimNumber: record.number, memberID: record.workerID, unitID: record.unitID,
      member: MemberFacts(try worker.domain(unitID: nil)),
      // The cover in force, with the member's unbroken years counted from all of it (the
      // row keeps only what was in force).
      cover: ClaimCaseBuilder.withMembership(
        ClaimCaseBuilder.coverInForce(cover, on: event.eventDate ?? event.claimDate), among: cover),
      event: event,
      decidedOn: decidedOn, paid: refusal == nil ? record.approvedTotal ?? .zero : .zero, refusal: refusal)
    let values = try values(
      claim, id: record.id.rawValue, schemeCode: record.schemeCode, organisationID: record.organisationID?.rawValue)
    try await sql.raw(
      """
      INSERT INTO claim_replays (\(unsafeRaw: columns.joined(separator: ", "))) VALUES (\(SQLList(values.map(\.bound)))) \
      ON CONFLICT (id) DO UPDATE SET scheme_code = excluded.scheme_code, organisation_id = excluded.organisation_id, \
      decided_on = excluded.decided_on, facts = excluded.facts
      """
    ).run()
    if raisingVersion { try await changed(scheme: record.schemeCode, on: database) }
  }

  /// `scheme`'s rows changed in this transaction: its version goes up with them, so a what-if
  /// holding the rows it read before reads them again.
  static func changed(scheme: String, on database: any Database) async throws {
    try await database.sqlDatabase.raw(
      """
      INSERT INTO claim_replay_versions (scheme_code, version) VALUES (\(bind: scheme), 1) \
      ON CONFLICT (scheme_code) DO UPDATE SET version = claim_replay_versions.version + 1
      """
    ).run()
  }

  /// The version of `scheme`'s rows (0 before its first).
  static func version(scheme: String, on database: any Database) async throws -> Int64 {
    struct Row: Decodable { let version: Int64 }
    return try await database.sqlDatabase.raw(
      "SELECT version FROM claim_replay_versions WHERE scheme_code = \(bind: scheme)"
    ).first(decoding: Row.self)?.version ?? 0
  }

  /// The claim is no longer decided as its row says (its refusal appealed or reopened, or
  /// replaced by a refusal the rules do not decide): no row.
  static func forget(_ claim: ClaimRecord, on database: any Database) async throws {
    try await database.sqlDatabase.raw("DELETE FROM claim_replays WHERE id = \(bind: claim.id.rawValue)").run()
    try await changed(scheme: claim.schemeCode, on: database)
  }

  /// What a step of the workflow does to the claim's row and to its day of refusal (kept on
  /// the claim, `rejected_on`, so the rows can be made again from the records).
  static func follow(
    _ rejection: ClaimEffects.Rejection, of record: ClaimRecord, on day: CalendarDate, database: any Database
  ) async throws {
    let sql = database.sqlDatabase
    switch rejection {
    case .record(let reason):
      try await sql.raw(
        "UPDATE claims SET rejected_on = \(bind: day.description) WHERE id = \(bind: record.id.rawValue)"
      )
      .run()
      if reason.isDecidedByRules {
        try await Self.record(record, decidedOn: day, refusal: reason, on: database)
      } else {
        try await forget(record, on: database)
      }
    case .clear:
      try await sql.raw("UPDATE claims SET rejected_on = NULL WHERE id = \(bind: record.id.rawValue)").run()
      try await forget(record, on: database)
    }
  }

  /// Every decided claim's replay row again, from the claim records (their intake JSON) and
  /// the workers: what the migrations filled the table with, and what the test compares the
  /// maintained rows with. `refusals`: also the claims refused by a rule (M016 ran before
  /// claims had their day of refusal); `versions`: raise the schemes' versions (the migrations
  /// before M038 ran without them).
  static func rebuild(on database: any Database, refusals: Bool = true, versions: Bool = true) async throws {
    try await database.sqlDatabase.raw("DELETE FROM claim_replays").run()
    if versions {
      try await database.sqlDatabase.raw("UPDATE claim_replay_versions SET version = version + 1").run()
    }
    try await recordPaid(on: database, raisingVersions: versions)
    if refusals { try await recordRefusals(on: database, raisingVersions: versions) }
  }

  /// A row for every paid claim, a page of claims at a time by ID: a large fund's paid claims
  /// do not fit in memory whole.
  static func recordPaid(on database: any Database, raisingVersions: Bool = true) async throws {
    var after: UUID?
    while true {
      var page = ClaimModel.query(on: database).filter(\.$state == ClaimState.paid.rawValue)
      if let after { page = page.filter(\.$id > after) }
      let claims = try await page.sort(\.$id).limit(500).all()
      guard let last = claims.last else { return }
      for claim in claims {
        let record = try claim.domain()
        guard let paidOn = record.paidOn else { continue }
        try await Self.record(record, decidedOn: paidOn, on: database, raisingVersion: raisingVersions)
      }
      after = try last.requireID()
    }
  }

  /// A row for every claim refused by a rule on a known day.
  static func recordRefusals(on database: any Database, raisingVersions: Bool = true) async throws {
    struct Refusal: Decodable {
      let id: UUID
      let rejection_reason: String
      let rejected_on: String
    }
    let reasons = RejectionReason.allCases.filter(\.isDecidedByRules).map(\.rawValue)
    let refusals = try await database.sqlDatabase.raw(
      """
      SELECT id, rejection_reason, rejected_on FROM claims
      WHERE state = \(bind: ClaimState.rejected.rawValue) AND rejected_on IS NOT NULL
        AND rejection_reason IN (\(binds: reasons))
      ORDER BY id
      """
    ).all(decoding: Refusal.self)
    for refusal in refusals {
      guard let reason = RejectionReason(rawValue: refusal.rejection_reason),
        let day = CalendarDate(refusal.rejected_on),
        let claim = try await ClaimModel.find(refusal.id, on: database)
      else { throw CorruptRow(table: "claims", column: "rejected_on") }
      try await Self.record(
        try claim.domain(), decidedOn: day, refusal: reason, on: database, raisingVersion: raisingVersions)
    }
  }

  /// The replay rows of the claims decided in `period` under `schemeCode` within `nodes`, as the
  /// simulator's cases: one statement, one value a claim, decoded on the other cores while
  /// the statement still steps (``CaseAssembler``).
  static func cases(
    schemeCode: String, period: ReportPeriod, within nodes: SQLQueryString, on database: any Database
  ) async throws -> [SimulationCase] {
    CaseChunk.assemble(try await caseChunks(schemeCode: schemeCode, period: period, within: nodes, on: database))
  }

  /// The same as chunks, to be assembled with those of the period's other parts.
  static func caseChunks(
    schemeCode: String, period: ReportPeriod, within nodes: SQLQueryString, on database: any Database
  ) async throws -> [CaseChunk] {
    let query: SQLQueryString = """
      SELECT r.facts FROM claim_replays r
      WHERE r.scheme_code = \(bind: schemeCode) AND r.decided_on >= \(bind: period.from.dayNumber)
        AND r.decided_on <= \(bind: period.to.dayNumber) AND \(nodes)
      """
    if let sqlite = database as? any SQLiteDatabase {
      return try await caseChunks(query, on: sqlite, serializedBy: database.sqlDatabase)
    }
    let assembler = CaseAssembler<any SQLRow> { row in
      let facts: ByteBuffer
      do { facts = try row.decode(column: "facts", as: ByteBuffer.self) } catch { throw ReplayFacts.corrupt }
      return try ReplayFacts.decode(facts)
    }
    do {
      try await database.sqlDatabase.raw(query).run { assembler.append($0) }
    } catch {
      CaseChunk.release((try? await assembler.chunks()) ?? [])
      throw error
    }
    return try await assembler.chunks()
  }

  /// The same on SQLite, straight from the driver's rows on the connection's own thread as
  /// the statement steps: the database's own `query` hands each row to the event loop as a
  /// task of its own, which was a large part of reading a province's year.
  static func caseChunks(_ query: SQLQueryString, on sqlite: any SQLiteDatabase, serializedBy sql: any SQLDatabase)
    async throws -> [CaseChunk]
  {
    var serializer = SQLSerializer(database: sql)
    query.serialize(to: &serializer)
    let encoder = SQLiteDataEncoder()
    let binds = try serializer.binds.map { try encoder.encode($0) }
    let statement = serializer.sql
    let assembler = CaseAssembler<SQLiteData> { value in
      guard case .blob(let facts) = value else { throw ReplayFacts.corrupt }
      return try ReplayFacts.decode(facts)
    }
    do {
      try await sqlite.withConnection { connection in
        try await connection.query(statement, binds) { row in assembler.append(row.columns.first?.data ?? .null) }
      }
    } catch {
      CaseChunk.release((try? await assembler.chunks()) ?? [])
      throw error
    }
    return try await assembler.chunks()
  }

  static func heldCover(_ row: any SQLRow) throws -> HeldCover {
    let reader = ColumnReader(row: row, table: "enrollments")
    let start = try reader.date("period_start")
    let end = try reader.date("period_end")
    return HeldCover(
      period: CoveragePeriod(start: start, end: end),
      facts: CoverFacts(
        product: try reader.text("product_code"), start: try reader.optionalDate("cover_from") ?? start, end: end,
        shares: try reader.optionalInteger("shares").map(Int.init),
        previousCoverEnd: try reader.optionalDate("previous_cover_end")))
  }

}

extension StatisticsAggregates {
  /// Every decided claim's replay row again from the records (what M016 and M031 did for
  /// earlier claims).
  public static func rebuildReplays(on database: any Database) async throws {
    try await ClaimReplays.rebuild(on: database)
  }
}

/// Column-by-column reading of an SQLKit row by name (an enrollment's cover), each problem
/// named by table and column.
struct ColumnReader {
  let row: any SQLRow
  let table: String

  func isNil(_ column: String) throws -> Bool { try row.decodeNil(column: column) }

  func text(_ column: String) throws -> String {
    do { return try row.decode(column: column, as: String.self) } catch {
      throw CorruptRow(table: table, column: column)
    }
  }

  func integer(_ column: String) throws -> Int64 {
    do { return try row.decode(column: column, as: Int64.self) } catch {
      throw CorruptRow(table: table, column: column)
    }
  }

  func optionalInteger(_ column: String) throws -> Int64? {
    try isNil(column) ? nil : try integer(column)
  }

  func date(_ column: String) throws -> CalendarDate {
    guard let day = CalendarDate(try text(column)) else { throw CorruptRow(table: table, column: column) }
    return day
  }

  func optionalDate(_ column: String) throws -> CalendarDate? {
    try isNil(column) ? nil : try date(column)
  }
}

extension LiteralInserter.Value {
  /// A date as the replay rows keep it, its day number.
  static func day(_ date: CalendarDate) -> Self { .int(Int64(date.dayNumber)) }

  /// The value as a bound parameter, for single-row statements.
  var bound: any SQLExpression {
    switch self {
    case .uuid(let id): SQLBind(id)
    case .text(let text): SQLBind(text)
    case .int(let number): SQLBind(number)
    case .bool(let flag): SQLBind(flag)
    case .timestamp(let date): SQLBind(date)
    case .null: SQLLiteral.null
    case .bytes(let bytes): SQLBind(ByteBuffer(bytes: bytes))
    case .written(let literal): SQLRaw(literal)
    }
  }
}
