import FluentKit
import Foundation
import HuzhuCore
import SQLKit

/// The statistics as SQL aggregates (the facts of a report: `FluentStatisticsStore+Facts`),
/// the what-if's cases and the agencies' targets. Dates are `YYYY-MM-DD` text in every table,
/// so ranges compare as text and months are their first seven characters on both databases.
public struct FluentStatisticsStore: StatisticsStore {
  let database: any Database
  let scope: AccessScope

  public init(database: any Database, scope: AccessScope = .unrestricted) {
    self.database = database
    self.scope = scope
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
    let nodes = nodes(organisations)
    let paid: SQLQueryString = """
      c.state = 'paid' AND c.scheme_code = \(bind: schemeCode) \
      AND c.paid_on >= \(bind: period.from.description) AND c.paid_on <= \(bind: period.to.description) \
      AND \(Self.within("c.organisation_id", nodes))
      """
    // The claims with their members and units in one statement, the members' cover in another:
    // a year of a province's claims is hundreds of thousands of rows.
    struct Row: Decodable, Sendable {
      let number: String
      let worker_id: UUID
      let unit_id: UUID?
      let intake: String
      let paid_on: String
      let approved_total: Int64?
      let id_number: String
      let name: String
      let insurance_type: String
      let categories: String
      let unit_name: String?
    }
    let rows = try await sql.raw(
      """
      SELECT c.number, c.worker_id, c.unit_id, c.intake, c.paid_on, c.approved_total, w.id_number, w.name,
        w.insurance_type, w.categories, u.name AS unit_name
      FROM claims c JOIN workers w ON w.id = c.worker_id LEFT JOIN units u ON u.id = c.unit_id
      WHERE \(paid)
      """
    ).all(decoding: Row.self)
    var cover: [UUID: [Enrollment]] = [:]
    // Cover that starts after the period cannot hold a claim paid in it (an event comes
    // before its payment): a what-if over a past year reads none of the later years' cover.
    for row in try await sql.raw(
      """
      SELECT e.id, e.scheme_code, e.product_code, e.version_label, e.worker_id, e.unit_id, e.period_start,
        e.period_end, e.shares, e.status, e.cover_from, e.previous_cover_end, e.certificate_number, e.enrolled_on,
        e.bill_id
      FROM enrollments e
      WHERE e.scheme_code = \(bind: schemeCode) AND e.status = 'active'
        AND e.period_start <= \(bind: period.to.description)
        AND e.worker_id IN (SELECT c.worker_id FROM claims c WHERE \(paid))
      """
    ).all(decoding: EnrollmentRow.self) {
      cover[row.worker_id, default: []].append(try row.domain())
    }
    let known = cover
    // Reading the intakes' JSON is most of the work: spread over the cores.
    let parts = max(1, ProcessInfo.processInfo.activeProcessorCount)
    let size = (rows.count + parts - 1) / max(parts, 1)
    return try await withThrowingTaskGroup(of: (Int, [SimulationCase]).self) { group in
      for part in 0..<parts where part * size < rows.count {
        let slice = Array(rows[(part * size)..<min(rows.count, (part + 1) * size)])
        group.addTask {
          let decoder = JSONDecoder()
          return (
            part,
            try slice.map { row in
              guard let number = ResidentIDNumber(row.id_number), let paidOn = CalendarDate(row.paid_on),
                let intake = try? decoder.decode(ClaimIntake.self, from: Data(row.intake.utf8))
              else { throw CorruptRow(table: "claims", column: "intake") }
              let worker = Worker(
                id: .init(row.worker_id), name: row.name, idNumber: number,
                unitID: row.unit_id.map { .init($0) },
                insuranceType: InsuranceType(rawValue: row.insurance_type) ?? .urbanEmployee,
                categories: MemberCategories(
                  row.categories.split(separator: ",").compactMap { MemberCategory(rawValue: String($0)) }))
              return SimulationCase(
                claimNumber: row.number, worker: worker, unitID: row.unit_id.map { .init($0) }, unitName: row.unit_name,
                enrollments: known[row.worker_id] ?? [], intake: intake, paidOn: paidOn,
                paid: Money(fen: row.approved_total ?? 0))
            }
          )
        }
      }
      var results: [(Int, [SimulationCase])] = []
      for try await result in group { results.append(result) }
      return results.sorted { $0.0 < $1.0 }.flatMap(\.1)
    }
  }

  /// Money collected and persons insured in the period, without the rest of the facts (the
  /// what-if's ratios).
  func collectedAndInsured(schemeCode: String, period: ReportPeriod, organisations: Set<Organisation.ID>?)
    async throws -> (Money, Int)
  {
    let nodes = nodes(organisations)
    struct Total: Decodable { let total: Int64? }
    let inUnits: SQLQueryString =
      nodes == nil ? "1 = 1" : "u.id IS NOT NULL AND \(Self.within("u.organisation_id", nodes))"
    let collected =
      try await sql.raw(
        """
        SELECT CAST(SUM(p.amount) AS BIGINT) AS total
        FROM payments p JOIN bills b ON b.id = p.bill_id LEFT JOIN units u ON u.id = b.unit_id
        WHERE p.paid_on >= \(bind: period.from.description) AND p.paid_on <= \(bind: period.to.description)
          AND b.scheme_code = \(bind: schemeCode)
          AND \(inUnits)
        """
      ).first(decoding: Total.self)?.total ?? 0
    let insured =
      try await sql.raw(
        """
        SELECT CAST(SUM(c.persons) AS BIGINT) AS total FROM stat_cohort_persons c
        WHERE c.period_start <= \(bind: period.to.description) AND c.period_end >= \(bind: period.from.description)
          AND c.scheme_code = \(bind: schemeCode) AND \(Self.within("c.organisation_id", nodes))
        """
      ).first(decoding: Total.self)?.total ?? 0
    return (Money(fen: collected), Int(insured))
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
    try await database.transaction { transaction in
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
              AND \(Self.scheme("b.scheme_code", schemeCode)) AND \(inUnits)
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
