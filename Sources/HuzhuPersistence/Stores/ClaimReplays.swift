import FluentKit
import FluentSQLiteDriver
import Foundation
import HuzhuCore
import NIOCore
import SQLKit

/// What the what-if replays of a paid claim (M016 `claim_replays`): the columns that select
/// it (scheme, node, day paid), and its case — the member's facts as the claim was judged,
/// the cover in force, the event, what was paid — as one compact value (``ReplayFacts``).
/// Written in the transaction that pays the claim (``record(_:paidOn:on:)``), by the
/// province generator in bulk, and from scratch by ``rebuild(on:)``, which a test holds equal.
///
/// Why a table of its own: a year of a province's claims is 300,000 rows whose records carry
/// the intake and the explanation as JSON, several kilobytes each. The replay needs a hundred
/// bytes of each. The day paid is a day number (days since 1970-01-01,
/// ``CalendarDate/dayNumber``), compared as an integer.
enum ClaimReplays {
  static let table = "claim_replays"
  static let columns = ["id", "scheme_code", "organisation_id", "paid_on", "facts"]

  /// A replay row's values, in ``columns``' order.
  static func values(_ claim: SimulationCase, id: UUID, schemeCode: String, organisationID: UUID?) throws
    -> [LiteralInserter.Value]
  {
    [
      .uuid(id), .text(schemeCode), organisationID.map(LiteralInserter.Value.uuid) ?? .null, .day(claim.paidOn),
      .bytes(try ReplayFacts.encode(claim)),
    ]
  }

  /// The replay row of a claim being paid: its member's facts as the registry holds them, the
  /// cover in force on the event's day from their enrollments.
  static func record(_ record: ClaimRecord, paidOn: CalendarDate, on database: any Database) async throws {
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
      cover: ClaimCaseBuilder.coverInForce(cover, on: event.eventDate ?? event.claimDate), event: event,
      paidOn: paidOn, paid: record.approvedTotal ?? .zero)
    let values = try values(
      claim, id: record.id.rawValue, schemeCode: record.schemeCode, organisationID: record.organisationID?.rawValue)
    try await sql.raw(
      """
      INSERT INTO claim_replays (\(unsafeRaw: columns.joined(separator: ", "))) VALUES (\(SQLList(values.map(\.bound))))
      """
    ).run()
  }

  /// Every paid claim's replay row again, from the claim records (their intake JSON) and the
  /// workers: what M016 filled the table with, and what the test compares the maintained
  /// rows with.
  static func rebuild(on database: any Database) async throws {
    try await database.sqlDatabase.raw("DELETE FROM claim_replays").run()
    // A page of claims at a time, by ID: a large fund's paid claims do not fit in memory whole.
    var after: UUID?
    while true {
      var page = ClaimModel.query(on: database).filter(\.$state == ClaimState.paid.rawValue)
      if let after { page = page.filter(\.$id > after) }
      let claims = try await page.sort(\.$id).limit(500).all()
      guard let last = claims.last else { return }
      for claim in claims {
        let record = try claim.domain()
        guard let paidOn = record.paidOn else { continue }
        try await Self.record(record, paidOn: paidOn, on: database)
      }
      after = try last.requireID()
    }
  }

  /// The replay rows of the claims paid in `period` under `schemeCode` within `nodes`, as the
  /// simulator's cases: one statement, one value a claim, decoded on the other cores while
  /// the statement still steps (``CaseAssembler``).
  static func cases(
    schemeCode: String, period: ReportPeriod, within nodes: SQLQueryString, on database: any Database
  ) async throws -> [SimulationCase] {
    let query: SQLQueryString = """
      SELECT r.facts FROM claim_replays r
      WHERE r.scheme_code = \(bind: schemeCode) AND r.paid_on >= \(bind: period.from.dayNumber)
        AND r.paid_on <= \(bind: period.to.dayNumber) AND \(nodes)
      """
    if let sqlite = database as? any SQLiteDatabase {
      return try await cases(query, on: sqlite, serializedBy: database.sqlDatabase)
    }
    let assembler = CaseAssembler<any SQLRow> { row in
      let facts: ByteBuffer
      do { facts = try row.decode(column: "facts", as: ByteBuffer.self) } catch { throw ReplayFacts.corrupt }
      return try ReplayFacts.decode(facts)
    }
    try await database.sqlDatabase.raw(query).run { assembler.append($0) }
    return try await assembler.cases()
  }

  /// The same on SQLite, straight from the driver's rows on the connection's own thread as
  /// the statement steps: the database's own `query` hands each row to the event loop as a
  /// task of its own, which was a large part of reading a province's year.
  static func cases(_ query: SQLQueryString, on sqlite: any SQLiteDatabase, serializedBy sql: any SQLDatabase)
    async throws -> [SimulationCase]
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
    try await sqlite.withConnection { connection in
      try await connection.query(statement, binds) { row in assembler.append(row.columns.first?.data ?? .null) }
    }
    return try await assembler.cases()
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
  /// Every paid claim's replay row again from the records (what M016 did for earlier claims).
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
