import FluentKit
import FluentSQLiteDriver
import Foundation
import HuzhuCore
import SQLKit

/// What the what-if replays of a paid claim, as plain columns (M012 `claim_replays`): the
/// member's facts as the claim was judged, the event's dates and figures, what was paid.
/// Written in the transaction that pays the claim (``record(_:paidOn:on:)``), by the
/// province generator in bulk, and from scratch by ``rebuild(on:)``, which a test holds equal.
///
/// Why a table of its own: a year of a province's claims is 300,000 rows whose records carry
/// the intake and the explanation as JSON, several kilobytes each. The replay needs a hundred
/// bytes of each, and decoding the JSON was most of the what-if's time. Unlike the rest of the
/// schema, dates here are day numbers (days since 1970-01-01, ``CalendarDate/dayNumber``):
/// reading a text column costs a string per value, and these rows are read by the 100,000.
enum ClaimReplays {
  static let table = "claim_replays"

  /// The claim's own columns, then the event's (``eventValues(_:)``), then the member's, which
  /// the payment reads from the worker row.
  static let claimColumns = [
    "id", "number", "scheme_code", "organisation_id", "worker_id", "unit_id", "paid_on", "paid",
  ]
  static let eventColumns =
    [
      "claim_date", "admission_date", "discharge_date", "settlement_date", "diagnosis_date", "accident_date",
      "hospital_days",
    ] + SettlementFigure.allCases.map(\.rawValue) + ["treatment_category", "diagnoses", "accident"]
  /// The cover the claim was judged under (``ClaimCaseBuilder/coverInForce(_:on:)``): the first
  /// as columns, any further ones (a member holding two products) as JSON.
  static let coverColumns = [
    "cover_product", "cover_period_start", "cover_period_end", "cover_from", "cover_shares", "cover_previous_end",
    "more_cover",
  ]
  static let memberColumns = ["birth_date", "gender", "insurance_type", "categories"]
  static var columns: [String] { claimColumns + eventColumns + coverColumns + memberColumns }
  /// The event as column values, in ``eventColumns``' order. Diagnoses and accident facts are
  /// rare and nested, so they stay JSON (null for most claims).
  static func eventValues(_ event: ClaimEvent) throws -> [LiteralInserter.Value] {
    func date(_ day: CalendarDate?) -> LiteralInserter.Value { day.map(LiteralInserter.Value.day) ?? .null }
    func json(_ value: (some Encodable)?) throws -> LiteralInserter.Value {
      guard let value else { return .null }
      return .text(String(decoding: try JSONEncoder.sorted.encode(value), as: UTF8.self))
    }
    return [
      date(event.claimDate), date(event.admissionDate), date(event.dischargeDate), date(event.settlementDate),
      date(event.diagnosisDate), date(event.accidentDate), event.hospitalDays.map { .int(Int64($0)) } ?? .null,
    ] + SettlementFigure.allCases.map { figure in event.figures?[figure].map { .int($0.fen) } ?? .null } + [
      event.treatmentCategory.map { .text($0) } ?? .null, try json(event.diagnoses), try json(event.accident),
    ]
  }

  static func coverValues(_ cover: [HeldCover]) throws -> [LiteralInserter.Value] {
    guard let first = cover.first else { return coverColumns.map { _ in .null } }
    return [
      .text(first.facts.product), .day(first.period.start), .day(first.period.end), .day(first.facts.start),
      first.facts.shares.map { .int(Int64($0)) } ?? .null,
      first.facts.previousCoverEnd.map(LiteralInserter.Value.day) ?? .null,
      cover.count > 1
        ? .text(String(decoding: try JSONEncoder.sorted.encode(Array(cover.dropFirst())), as: UTF8.self)) : .null,
    ]
  }

  static func claimValues(_ record: ClaimRecord, paidOn: CalendarDate) -> [LiteralInserter.Value] {
    [
      .uuid(record.id.rawValue), .text(record.number), .text(record.schemeCode),
      record.organisationID.map { .uuid($0.rawValue) } ?? .null, .uuid(record.workerID.rawValue),
      record.unitID.map { .uuid($0.rawValue) } ?? .null, .day(paidOn),
      .int(record.approvedTotal?.fen ?? 0),
    ]
  }

  /// The replay row of a claim being paid: its member's facts from the worker row, the cover
  /// in force on the event's day from their enrollments.
  static func record(_ record: ClaimRecord, paidOn: CalendarDate, on database: any Database) async throws {
    let sql = sql(database)
    struct Member: Decodable {
      let birth_date: String
      let gender: String
      let insurance_type: String
      let categories: String
    }
    guard
      let member = try await sql.raw(
        "SELECT birth_date, gender, insurance_type, categories FROM workers WHERE id = \(bind: record.workerID.rawValue)"
      ).first(decoding: Member.self)
    else { throw CorruptRow(table: "claims", column: "worker_id") }
    let cover = try await sql.raw(
      """
      SELECT product_code, period_start, period_end, shares, cover_from, previous_cover_end FROM enrollments
      WHERE worker_id = \(bind: record.workerID.rawValue) AND scheme_code = \(bind: record.schemeCode)
        AND status = 'active'
      ORDER BY period_start, product_code
      """
    ).all().map(heldCover)
    let event = record.intake.event
    let birth = CalendarDate(member.birth_date)
    guard birth != nil else { throw CorruptRow(table: "workers", column: "birth_date") }
    let values =
      try claimValues(record, paidOn: paidOn) + eventValues(event)
      + coverValues(ClaimCaseBuilder.coverInForce(cover, on: event.eventDate ?? event.claimDate)) + [
        birth.map(LiteralInserter.Value.day) ?? .null, .text(member.gender), .text(member.insurance_type),
        .text(member.categories),
      ]
    try await sql.raw(
      """
      INSERT INTO claim_replays (\(unsafeRaw: columns.joined(separator: ", "))) VALUES (\(SQLList(values.map(\.bound))))
      """
    ).run()
  }

  /// Every paid claim's replay row again, from the claim records (their intake JSON) and the
  /// workers: the backfill of M012 and what the test compares the maintained rows with.
  static func rebuild(on database: any Database) async throws {
    try await sql(database).raw("DELETE FROM claim_replays").run()
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
  /// simulator's cases: one statement, one narrow row a claim.
  static func cases(
    schemeCode: String, period: ReportPeriod, within nodes: SQLQueryString, on database: any Database
  ) async throws -> [SimulationCase] {
    let query: SQLQueryString = """
      SELECT \(unsafeRaw: ReplayColumn.allCases.map { "r." + $0.name }.joined(separator: ", ")) FROM claim_replays r
      WHERE r.scheme_code = \(bind: schemeCode) AND r.paid_on >= \(bind: period.from.dayNumber)
        AND r.paid_on <= \(bind: period.to.dayNumber) AND \(nodes)
      """
    if let sqlite = database as? any SQLiteDatabase {
      return try await cases(query, on: sqlite, serializedBy: sql(database))
    }
    let assembler = CaseAssembler<any SQLRow> { try simulationCase(ColumnReader(row: $0, table: table)) }
    try await sql(database).raw(query).run { assembler.append($0) }
    return try await assembler.cases()
  }

  /// The same on SQLite, each value read by position from the driver's rows, on the
  /// connection's own thread as the statement steps. SQLKit's rows decode every column through
  /// `Decodable` by name, and the database's own `query` hands each row to the event loop as
  /// a task of its own: together most of the time of reading a province's year (300,000 rows
  /// of 32 columns).
  static func cases(_ query: SQLQueryString, on sqlite: any SQLiteDatabase, serializedBy sql: any SQLDatabase)
    async throws -> [SimulationCase]
  {
    var serializer = SQLSerializer(database: sql)
    query.serialize(to: &serializer)
    let encoder = SQLiteDataEncoder()
    let binds = try serializer.binds.map { try encoder.encode($0) }
    let statement = serializer.sql
    let assembler = CaseAssembler<SQLiteRow> { try simulationCase(SQLiteColumnReader(row: $0, table: table)) }
    try await sqlite.withConnection { connection in
      try await connection.query(statement, binds) { assembler.append($0) }
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

  static func simulationCase(_ reader: some ReplayColumns) throws -> SimulationCase {
    let worker = try reader.uuid(.workerID)
    var figures = SettlementFigures()
    var anyFigure = false
    for figure in SettlementFigure.allCases {
      if let fen = try reader.optionalInteger(ReplayColumn(figure)) {
        figures[figure] = Money(fen: fen)
        anyFigure = true
      }
    }
    let event = ClaimEvent(
      admissionDate: try reader.optionalDay(.admissionDate), dischargeDate: try reader.optionalDay(.dischargeDate),
      settlementDate: try reader.optionalDay(.settlementDate), diagnosisDate: try reader.optionalDay(.diagnosisDate),
      accidentDate: try reader.optionalDay(.accidentDate), claimDate: try reader.day(.claimDate),
      hospitalDays: try reader.optionalInteger(.hospitalDays).map(Int.init), figures: anyFigure ? figures : nil,
      diagnoses: try reader.json(.diagnoses), treatmentCategory: try reader.optionalText(.treatmentCategory),
      accident: try reader.json(.accident))
    guard let gender = Gender(rawValue: try reader.text(.gender)) else {
      throw CorruptRow(table: table, column: ReplayColumn.gender.name)
    }
    let categories = try reader.text(.categories)
    var cover: [HeldCover] = []
    if let product = try reader.optionalText(.coverProduct) {
      let end = try reader.day(.coverPeriodEnd)
      cover.append(
        HeldCover(
          period: CoveragePeriod(start: try reader.day(.coverPeriodStart), end: end),
          facts: CoverFacts(
            product: product, start: try reader.day(.coverFrom), end: end,
            shares: try reader.optionalInteger(.coverShares).map(Int.init),
            previousCoverEnd: try reader.optionalDay(.coverPreviousEnd))))
      cover += try reader.json(.moreCover) as [HeldCover]? ?? []
    }
    return SimulationCase(
      claimNumber: try reader.text(.number), memberID: .init(worker),
      unitID: try reader.optionalUUID(.unitID).map { .init($0) },
      member: MemberFacts(
        birthDate: try reader.day(.birthDate), gender: gender,
        insuranceType: InsuranceType(rawValue: try reader.text(.insuranceType)) ?? .urbanEmployee,
        categories: categories.isEmpty
          ? MemberCategories()
          : MemberCategories(categories.split(separator: ",").compactMap { MemberCategory(rawValue: String($0)) }),
        cover: []),
      cover: cover, event: event, paidOn: try reader.day(.paidOn), paid: Money(fen: try reader.integer(.paid)))
  }

  static func sql(_ database: any Database) -> any SQLDatabase { database as! any SQLDatabase }
}

extension StatisticsAggregates {
  /// Every paid claim's replay row again from the records (what M012 did for earlier claims).
  public static func rebuildReplays(on database: any Database) async throws {
    try await ClaimReplays.rebuild(on: database)
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
    case .written(let literal): SQLRaw(literal)
    }
  }
}
