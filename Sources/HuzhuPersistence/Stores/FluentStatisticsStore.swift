import FluentKit
import FluentSQLiteDriver
import Foundation
import HuzhuCore
import SQLKit
import Synchronization

/// The statistics as SQL aggregates (the facts of a report: `FluentStatisticsStore+Facts`),
/// the what-if's cases and the agencies' targets. Dates are `YYYY-MM-DD` text in every table,
/// so ranges compare as text and months are their first seven characters on both databases.
public struct FluentStatisticsStore: StatisticsStore {
  let database: any Database
  let scope: AccessScope
  /// The same database on the other event loops (`Databases.others(than:)`): a page's long
  /// statements run on them beside the rest.
  let others: [any Database]

  public init(database: any Database, scope: AccessScope = .unrestricted, alongside others: [any Database] = []) {
    self.database = database
    self.scope = scope
    self.others = others
  }

  var sql: any SQLDatabase {
    guard let sql = database as? any SQLDatabase else { preconditionFailure("Huzhu runs on SQL databases") }
    return sql
  }

  /// The organisation nodes a query may count: the asked subtree within the store's scope
  /// (nil: no restriction). A unit-only scope counts nothing here; units read their own page.
  func nodes(_ asked: Set<Organisation.ID>?) -> Set<Organisation.ID>? {
    switch scope {
    case .unrestricted: asked
    case .organisations(let visible): asked.map { $0.intersection(visible) } ?? visible
    case .unit, .nothing: []
    }
  }

  /// `<column> IN (…)`, or always true when every node counts.
  static func within(_ column: String, _ nodes: Set<Organisation.ID>?) -> SQLQueryString {
    guard let nodes else { return "1 = 1" }
    guard !nodes.isEmpty else { return "1 = 0" }
    return "\(unsafeRaw: column) IN (\(binds: nodes.map(\.rawValue)))"
  }

  static func scheme(_ column: String, _ code: String?) -> SQLQueryString {
    guard let code else { return "1 = 1" }
    return "\(unsafeRaw: column) = \(bind: code)"
  }

  // MARK: What-if

  public func simulationCases(schemeCode: String, period: ReportPeriod, organisations: Set<Organisation.ID>?)
    async throws -> [SimulationCase]
  {
    try await ClaimReplays.cases(
      schemeCode: schemeCode, period: period, within: Self.within("r.organisation_id", nodes(organisations)),
      on: database)
  }

  /// The same, on SQLite the period read in consecutive parts at once, one on this store's
  /// database and one on each of `others` (each database of its own event loop is a connection
  /// of its own, and a connection steps one statement at a time, on one core). In payment-day
  /// order of the parts; the replay orders the cases itself. PostgreSQL reads in one part: its
  /// server shares the cores here, and two parts were slower (8.2 s against 6.7 s for a
  /// province's year).
  public func simulationCases(
    schemeCode: String, period: ReportPeriod, organisations: Set<Organisation.ID>?, alongside others: [any Database]
  ) async throws -> [SimulationCase] {
    try await simulationCases(
      schemeCode: schemeCode, period: period, organisations: organisations, alongside: others, kept: nil)
  }

  /// The same, `kept`'s cases when they were read at the scheme's current version of its
  /// replay rows. The version is read first: rows changed while the cases are read make the
  /// next what-if read them again.
  public func simulationCases(
    schemeCode: String, period: ReportPeriod, organisations: Set<Organisation.ID>?, alongside others: [any Database],
    kept: KeptReplayCases?
  ) async throws -> [SimulationCase] {
    guard let kept else {
      return try await readSimulationCases(
        schemeCode: schemeCode, period: period, organisations: organisations, alongside: others)
    }
    let version = try await ClaimReplays.version(scheme: schemeCode, on: database)
    return try await kept.cases(
      for: .init(scheme: schemeCode, period: period, nodes: nodes(organisations)), version: version
    ) {
      try await readSimulationCases(
        schemeCode: schemeCode, period: period, organisations: organisations, alongside: others)
    }
  }

  func readSimulationCases(
    schemeCode: String, period: ReportPeriod, organisations: Set<Organisation.ID>?, alongside others: [any Database]
  ) async throws -> [SimulationCase] {
    let readers = database is any SQLiteDatabase ? [database] + others : [database]
    let parts = period.parts(readers.count)
    guard parts.count > 1 else {
      return try await simulationCases(schemeCode: schemeCode, period: period, organisations: organisations)
    }
    let within = Self.within("r.organisation_id", nodes(organisations))
    // Each part's chunks, moved into one array at the end; when a part fails, the chunks of
    // the parts already read are let go (a part cancelled by the failure lets its own go).
    final class Parts: Sendable {
      let chunks: Mutex<[[CaseChunk]]>
      init(_ count: Int) { chunks = Mutex(Array(repeating: [], count: count)) }
    }
    let read = Parts(parts.count)
    do {
      try await withThrowingTaskGroup(of: Void.self) { group in
        for (index, part) in parts.enumerated() {
          let reader = readers[index]
          group.addTask {
            let chunks = try await ClaimReplays.caseChunks(
              schemeCode: schemeCode, period: part, within: within, on: reader)
            read.chunks.withLock { $0[index] = chunks }
          }
        }
        try await group.waitForAll()
      }
    } catch {
      read.chunks.withLock { parts in parts.forEach(CaseChunk.release) }
      throw error
    }
    let chunks = read.chunks.withLock { Array($0.joined()) }
    return CaseChunk.assemble(chunks)
  }

  /// The names of the units under the asked nodes (every unit when nil), for the what-if's
  /// lines: one statement, even for a province's 20,000 (by ID, in chunks, it took 0.45 s).
  func unitNames(organisations: Set<Organisation.ID>?) async throws -> [WorkUnit.ID: String] {
    var names: [WorkUnit.ID: String] = [:]
    for row in try await sql.raw(
      "SELECT id, name FROM units WHERE \(Self.within("organisation_id", nodes(organisations)))"
    ).all(decoding: UnitName.self) {
      names[.init(row.id)] = row.name
    }
    return names
  }

  /// Money collected and persons insured in the period, without the rest of the facts (the
  /// what-if's ratios).
  func collectedAndInsured(schemeCode: String, period: ReportPeriod, organisations: Set<Organisation.ID>?)
    async throws -> (Money, Int)
  {
    let nodes = nodes(organisations)
    let query = StatisticsQuery(organisations: organisations, period: period, schemeCode: schemeCode, today: period.to)
    // One statement, from the maintained rows, as the statistics page counts the same: the
    // what-if issues it before replaying and finds the answer waiting.
    struct Totals: Decodable {
      let collected: Int64?
      let insured: Int64?
    }
    let totals = try await sql.raw(
      """
      SELECT
        (SELECT CAST(SUM(x.amount) AS BIGINT)
          FROM (\(monthRows(StatisticsAggregates.collectedMonths, query, nodes: nodes))) x) AS collected,
        (SELECT CAST(SUM(c.persons) AS BIGINT) FROM stat_cohort_persons c
          WHERE c.period_start <= \(bind: period.to.description) AND c.period_end >= \(bind: period.from.description)
            AND c.scheme_code = \(bind: schemeCode) AND \(Self.within("c.organisation_id", nodes))) AS insured
      """
    ).first(decoding: Totals.self)
    return (Money(fen: totals?.collected ?? 0), Int(totals?.insured ?? 0))
  }

  /// Persons covered in the period by product and coverage period (from the maintained
  /// cohorts), for what changed contributions would have brought in.
  func coverByProduct(schemeCode: String, period: ReportPeriod, organisations: Set<Organisation.ID>?)
    async throws -> [ContributionProjection.Cover]
  {
    struct Row: Decodable {
      let product_code: String
      let period_start: String
      let persons: Int64?
      let renewing: Int64?
    }
    return try await sql.raw(
      """
      SELECT c.product_code, c.period_start, CAST(SUM(c.person_products) AS BIGINT) AS persons,
        CAST(SUM(c.renewed_products) AS BIGINT) AS renewing
      FROM stat_cohorts c
      WHERE c.scheme_code = \(bind: schemeCode) AND c.period_start <= \(bind: period.to.description)
        AND c.period_end >= \(bind: period.from.description) AND \(Self.within("c.organisation_id", nodes(organisations)))
      GROUP BY c.product_code, c.period_start
      """
    ).all(decoding: Row.self).map { row in
      guard let start = CalendarDate(row.period_start) else {
        throw CorruptRow(table: "stat_cohorts", column: "period_start")
      }
      return ContributionProjection.Cover(
        product: row.product_code, periodStart: start, persons: Int(row.persons ?? 0),
        renewing: Int(row.renewing ?? 0))
    }
  }

  // MARK: Targets

  public func targets(on day: CalendarDate) async throws -> [AgencyTarget] {
    let visible = nodes(nil)
    return try await AgencyTargetModel.query(on: database).filter(\.$periodStart <= day.description)
      .filter(\.$periodEnd >= day.description).all().compactMap { row in
        guard visible?.contains(.init(row.organisationID)) ?? true else { return nil }
        return try row.domain()
      }
  }

  public func save(_ target: AgencyTarget, by: String) async throws {
    let problems = target.validate()
    guard problems.isEmpty else { throw ValidationFailure(problems) }
    guard nodes(nil)?.contains(target.organisationID) ?? true else {
      throw ValidationFailure([
        FieldError(
          field: "organisationID", code: "not_found",
          message: LocalizedText(zh: "没有这个机构", en: "no such organisation"))
      ])
    }
    try await database.writeTransaction { transaction in
      if let row = try await AgencyTargetModel.query(on: transaction)
        .filter(\.$organisationID == target.organisationID.rawValue).filter(
          \.$periodStart == target.period.from.description
        )
        .filter(\.$measure == target.measure.rawValue).first()
      {
        row.target = target.target
        row.periodEnd = target.period.to.description
        row.setBy = by
        row.setAt = Date()
        try await row.update(on: transaction)
      } else {
        try await AgencyTargetModel(target, by: by).create(on: transaction)
      }
    }
  }

  public func achievements(of targets: [AgencyTarget], asOf: CalendarDate, schemeCode: String?) async throws
    -> [TargetAchievement]
  {
    guard !targets.isEmpty else { return [] }
    let organisations = try await OrganisationModel.query(on: database).all().map { try $0.domain() }
    var result: [TargetAchievement] = []
    struct DayRow: Decodable {
      let day: String
      let amount: Int64?
    }
    for target in targets {
      let subtree = OrganisationTree.subtreeIDs(of: target.organisationID, in: organisations)
      let from = target.period.from.description
      let to = min(target.period.to, asOf).description
      let inUnits = Self.within("u.organisation_id", subtree)
      let rows: [DayRow] =
        switch target.measure {
        case .collected:
          try await sql.raw(
            """
            SELECT p.paid_on AS day, CAST(SUM(p.amount) AS BIGINT) AS amount
            FROM payments p JOIN bills b ON b.id = p.bill_id JOIN units u ON u.id = b.unit_id
            WHERE p.paid_on >= \(bind: from) AND p.paid_on <= \(bind: to)
              AND \(Self.scheme("b.scheme_code", schemeCode)) AND \(inUnits) AND \(unsafeRaw: StatisticsAggregates.standingPayment("p"))
            GROUP BY p.paid_on
            """
          ).all(decoding: DayRow.self)
        case .members:
          // A member counts on the day their first paid cover of the year starts.
          try await sql.raw(
            """
            SELECT first_day AS day, CAST(COUNT(*) AS BIGINT) AS amount FROM (
              SELECT e.worker_id, MIN(e.period_start) AS first_day
              FROM enrollments e JOIN units u ON u.id = e.unit_id
              WHERE e.status = 'active' AND e.period_start >= \(bind: from) AND e.period_start <= \(bind: to)
                AND \(Self.scheme("e.scheme_code", schemeCode)) AND \(inUnits)
              GROUP BY e.worker_id) AS firsts
            GROUP BY first_day
            """
          ).all(decoding: DayRow.self)
        }
      result.append(
        TargetAchievement(
          target: target,
          daily: try rows.map { row in
            guard let date = CalendarDate(row.day) else { throw CorruptRow(table: "payments", column: "paid_on") }
            return (date, row.amount ?? 0)
          }))
    }
    return result
  }
}
