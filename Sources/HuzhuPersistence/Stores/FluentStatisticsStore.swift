import FluentKit
import Foundation
import HuzhuCore
import SQLKit

/// The statistics as SQL aggregates, one statement per kind of record, grouped by unit. Dates
/// are `YYYY-MM-DD` text in every table, so ranges compare as text and months are their first
/// seven characters on both databases.
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

  public func facts(_ query: StatisticsQuery) async throws -> StatisticsFacts {
    let nodes = nodes(query.organisations)
    let from = query.period.from.description
    let to = query.period.to.description
    let inUnits = Self.within("u.organisation_id", nodes)
    let inClaims = Self.within("c.organisation_id", nodes)
    var facts = StatisticsFacts()
    var units: [UUID: UnitFigures] = [:]

    struct UnitRow: Decodable {
      let id: UUID
      let name: String
      let organisation_id: UUID
      let sector: String
    }
    for row in try await sql.raw("SELECT u.id, u.name, u.organisation_id, u.sector FROM units u WHERE \(inUnits)")
      .all(decoding: UnitRow.self)
    {
      guard let sector = Sector(rawValue: row.sector) else { throw CorruptRow(table: "units", column: "sector") }
      units[row.id] = UnitFigures(
        unitID: .init(row.id), name: row.name, organisationID: .init(row.organisation_id), sector: sector)
    }

    struct HeadcountRow: Decodable {
      let unit_id: UUID
      let total: Int
      let female: Int
    }
    for row in try await sql.raw(
      """
      SELECT h.unit_id, h.total, h.female FROM unit_headcounts h JOIN units u ON u.id = h.unit_id
      WHERE \(inUnits) AND h.as_of = (
        SELECT MAX(l.as_of) FROM unit_headcounts l WHERE l.unit_id = h.unit_id AND l.as_of <= \(bind: to))
      """
    ).all(decoding: HeadcountRow.self) {
      units[row.unit_id]?.headcount = row.total
      units[row.unit_id]?.femaleHeadcount = row.female
    }

    // Cover overlapping the period, from the maintained counts (``StatisticsAggregates``).
    let inCohorts = Self.within("c.organisation_id", nodes)
    let overlapping: SQLQueryString = """
      c.period_start <= \(bind: to) AND c.period_end >= \(bind: from) \
      AND \(Self.scheme("c.scheme_code", query.schemeCode)) AND \(inCohorts)
      """
    struct CoverRow: Decodable {
      let unit_id: UUID
      let products: Int64?
      let new_products: Int64?
      let renewed_products: Int64?
      let first_start: String?
    }
    for row in try await sql.raw(
      """
      SELECT c.unit_id, CAST(SUM(c.person_products) AS BIGINT) AS products,
        CAST(SUM(CASE WHEN c.period_start >= \(bind: from) THEN c.new_products ELSE 0 END) AS BIGINT) AS new_products,
        CAST(SUM(CASE WHEN c.period_start >= \(bind: from) THEN c.renewed_products ELSE 0 END) AS BIGINT)
          AS renewed_products,
        MIN(c.period_start) AS first_start
      FROM stat_cohorts c WHERE \(overlapping)
      GROUP BY c.unit_id
      """
    ).all(decoding: CoverRow.self) {
      units[row.unit_id]?.personProducts = Int(row.products ?? 0)
      units[row.unit_id]?.newPersonProducts = Int(row.new_products ?? 0)
      units[row.unit_id]?.renewedPersonProducts = Int(row.renewed_products ?? 0)
      units[row.unit_id]?.firstEnrolledOn = row.first_start.flatMap(CalendarDate.init)
    }
    struct PersonsRow: Decodable {
      let unit_id: UUID
      let persons: Int64?
      let female: Int64?
    }
    var female = 0
    for row in try await sql.raw(
      """
      SELECT c.unit_id, CAST(SUM(c.persons) AS BIGINT) AS persons, CAST(SUM(c.female_persons) AS BIGINT) AS female
      FROM stat_cohort_persons c WHERE \(overlapping)
      GROUP BY c.unit_id
      """
    ).all(decoding: PersonsRow.self) {
      units[row.unit_id]?.insuredPersons = Int(row.persons ?? 0)
      facts.insuredPersons += Int(row.persons ?? 0)
      female += Int(row.female ?? 0)
    }
    facts.insuredByGender = [.female: female, .male: facts.insuredPersons - female]

    // Cover that ended in the period and was not renewed for the same product.
    struct CountRow: Decodable {
      let unit_id: UUID
      let count: Int64?
    }
    for row in try await sql.raw(
      """
      SELECT c.unit_id, CAST(SUM(c.person_products - c.renewed_later) AS BIGINT) AS count FROM stat_cohorts c
      WHERE c.period_end >= \(bind: from) AND c.period_end <= \(bind: to)
        AND \(Self.scheme("c.scheme_code", query.schemeCode)) AND \(inCohorts)
      GROUP BY c.unit_id
      """
    ).all(decoding: CountRow.self) {
      units[row.unit_id]?.lapsedPersonProducts = Int(row.count ?? 0)
    }
    let anyUnit: SQLQueryString = nodes == nil ? "1 = 1" : "u.id IS NOT NULL AND \(inUnits)"

    // Money billed (by the bill's day) and collected (by the payment's day), per unit and payer.
    struct MoneyRow: Decodable {
      let unit_id: UUID?
      let payer_type: String
      let amount: Int64?
    }
    let billScheme = Self.scheme("b.scheme_code", query.schemeCode)
    for (table, amount, day, collected) in [
      ("bill_parts", "amount_due", "b.issued_on", false), ("payments", "amount", "p.paid_on", true),
    ] {
      for row in try await sql.raw(
        """
        SELECT b.unit_id, p.payer_type, CAST(SUM(p.\(unsafeRaw: amount)) AS BIGINT) AS amount
        FROM \(unsafeRaw: table) p JOIN bills b ON b.id = p.bill_id LEFT JOIN units u ON u.id = b.unit_id
        WHERE \(unsafeRaw: day) >= \(bind: from) AND \(unsafeRaw: day) <= \(bind: to) AND \(billScheme) AND \(anyUnit)
        GROUP BY b.unit_id, p.payer_type
        """
      ).all(decoding: MoneyRow.self) {
        guard let payer = PayerType(rawValue: row.payer_type) else {
          throw CorruptRow(table: table, column: "payer_type")
        }
        let money = Money(fen: row.amount ?? 0)
        if collected {
          facts.collectedByPayer[payer, default: .zero] += money
          if let unit = row.unit_id { units[unit]?.collected += money }
        } else {
          facts.dueByPayer[payer, default: .zero] += money
          if let unit = row.unit_id { units[unit]?.contributionsDue += money }
        }
      }
    }

    // Claims paid in the period.
    let paid: SQLQueryString = """
      c.state = 'paid' AND c.paid_on >= \(bind: from) AND c.paid_on <= \(bind: to) \
      AND \(Self.scheme("c.scheme_code", query.schemeCode)) AND \(inClaims)
      """
    struct PaidRow: Decodable {
      let unit_id: UUID?
      let claims: Int
      let amount: Int64?
    }
    for row in try await sql.raw(
      """
      SELECT c.unit_id, COUNT(*) AS claims, CAST(SUM(c.approved_total) AS BIGINT) AS amount
      FROM claims c WHERE \(paid) GROUP BY c.unit_id
      """
    ).all(decoding: PaidRow.self) {
      facts.paidClaims += row.claims
      facts.paidAmount += Money(fen: row.amount ?? 0)
      if let unit = row.unit_id {
        units[unit]?.paidClaims = row.claims
        units[unit]?.paidAmount = Money(fen: row.amount ?? 0)
      }
    }
    struct PaidTotalsRow: Decodable {
      let persons: Int
      let largest: Int64?
    }
    if let row = try await sql.raw(
      """
      SELECT COUNT(DISTINCT c.worker_id) AS persons, CAST(MAX(c.approved_total) AS BIGINT) AS largest
      FROM claims c WHERE \(paid)
      """
    ).first(decoding: PaidTotalsRow.self) {
      facts.personsPaid = row.persons
      facts.largestClaim = Money(fen: row.largest ?? 0)
    }
    struct BenefitRow: Decodable {
      let product_code: String
      let benefit_code: String
      let claims: Int
      let amount: Int64?
    }
    facts.benefits = try await sql.raw(
      """
      SELECT p.product_code, p.benefit_code, COUNT(DISTINCT p.claim_id) AS claims,
        CAST(SUM(p.amount) AS BIGINT) AS amount
      FROM claim_payouts p
      WHERE p.paid_on >= \(bind: from) AND p.paid_on <= \(bind: to) AND \(Self.scheme("p.scheme_code", query.schemeCode))
        AND \(Self.within("p.organisation_id", nodes))
      GROUP BY p.product_code, p.benefit_code
      """
    ).all(decoding: BenefitRow.self).map {
      BenefitFigures(
        product: $0.product_code, benefit: $0.benefit_code, claims: $0.claims, amount: Money(fen: $0.amount ?? 0))
    }
    struct ServiceRow: Decodable {
      let documents_complete_on: String?
      let paid_on: String
      let claims: Int
      let on_time: Int64?
    }
    facts.service = try await sql.raw(
      """
      SELECT c.documents_complete_on, c.paid_on, COUNT(*) AS claims,
        CAST(SUM(CASE WHEN c.due_on IS NOT NULL AND c.paid_on <= c.due_on THEN 1 ELSE 0 END) AS BIGINT) AS on_time
      FROM claims c WHERE \(paid)
      GROUP BY c.documents_complete_on, c.paid_on
      """
    ).all(decoding: ServiceRow.self).compactMap { row in
      guard let complete = row.documents_complete_on.flatMap(CalendarDate.init), let paidOn = CalendarDate(row.paid_on)
      else { return nil }
      return ServiceSample(
        documentsCompleteOn: complete, paidOn: paidOn, claims: row.claims, onTime: Int(row.on_time ?? 0))
    }

    // Rejections of claims filed in the period, by coded reason (older rows without one: other).
    struct ReasonRow: Decodable {
      let rejection_reason: String?
      let claims: Int
    }
    for row in try await sql.raw(
      """
      SELECT c.rejection_reason, COUNT(*) AS claims FROM claims c
      WHERE c.state = 'rejected' AND c.created_on >= \(bind: from) AND c.created_on <= \(bind: to)
        AND \(Self.scheme("c.scheme_code", query.schemeCode)) AND \(inClaims)
      GROUP BY c.rejection_reason
      """
    ).all(decoding: ReasonRow.self) {
      facts.rejections[row.rejection_reason.flatMap(RejectionReason.init) ?? .other, default: 0] += row.claims
    }
    struct OverdueRow: Decodable { let claims: Int }
    let open = [ClaimState.submitted, .reviewed, .approved].map { "'\($0.rawValue)'" }.joined(separator: ", ")
    facts.overdueNow =
      try await sql.raw(
        """
        SELECT COUNT(*) AS claims FROM claims c
        WHERE c.state IN (\(unsafeRaw: open)) AND c.due_on < \(bind: query.today.description)
          AND \(Self.scheme("c.scheme_code", query.schemeCode)) AND \(inClaims)
        """
      ).first(decoding: OverdueRow.self)?.claims ?? 0

    facts.monthly = try await monthly(query, nodes: nodes)
    facts.units = units.values.filter { $0.hasActivity || $0.headcount > 0 }.sorted { $0.name < $1.name }
    return facts
  }

  /// New person-products, money collected and claims paid, month by month.
  func monthly(_ query: StatisticsQuery, nodes: Set<Organisation.ID>?) async throws -> [MonthFigures] {
    let from = query.period.from.description
    let to = query.period.to.description
    let anyUnit: SQLQueryString = nodes == nil ? "1 = 1" : "\(Self.within("u.organisation_id", nodes))"
    struct Row: Decodable {
      let month: String
      let count: Int
      let amount: Int64?
    }
    // New cover from the maintained counts; money and claims from their own rows.
    var months: [String: MonthFigures] = [:]
    for row in try await sql.raw(
      """
      SELECT SUBSTR(c.period_start, 1, 7) AS month, CAST(SUM(c.person_products) AS BIGINT) AS count,
        CAST(0 AS BIGINT) AS amount
      FROM stat_cohorts c
      WHERE c.period_start >= \(bind: from) AND c.period_start <= \(bind: to)
        AND \(Self.scheme("c.scheme_code", query.schemeCode)) AND \(Self.within("c.organisation_id", nodes))
      GROUP BY SUBSTR(c.period_start, 1, 7)
      """
    ).all(decoding: Row.self) {
      months[row.month, default: MonthFigures(month: row.month)].newPersonProducts = row.count
    }
    for row in try await sql.raw(
      """
      SELECT SUBSTR(p.paid_on, 1, 7) AS month, COUNT(*) AS count, CAST(SUM(p.amount) AS BIGINT) AS amount
      FROM payments p JOIN bills b ON b.id = p.bill_id LEFT JOIN units u ON u.id = b.unit_id
      WHERE p.paid_on >= \(bind: from) AND p.paid_on <= \(bind: to)
        AND \(Self.scheme("b.scheme_code", query.schemeCode)) AND \(anyUnit)
      GROUP BY SUBSTR(p.paid_on, 1, 7)
      """
    ).all(decoding: Row.self) {
      months[row.month, default: MonthFigures(month: row.month)].collected = Money(fen: row.amount ?? 0)
    }
    for row in try await sql.raw(
      """
      SELECT SUBSTR(c.paid_on, 1, 7) AS month, COUNT(*) AS count, CAST(SUM(c.approved_total) AS BIGINT) AS amount
      FROM claims c
      WHERE c.state = 'paid' AND c.paid_on >= \(bind: from) AND c.paid_on <= \(bind: to)
        AND \(Self.scheme("c.scheme_code", query.schemeCode)) AND \(Self.within("c.organisation_id", nodes))
      GROUP BY SUBSTR(c.paid_on, 1, 7)
      """
    ).all(decoding: Row.self) {
      months[row.month, default: MonthFigures(month: row.month)].paidClaims = row.count
      months[row.month, default: MonthFigures(month: row.month)].paidAmount = Money(fen: row.amount ?? 0)
    }
    return months.values.sorted { $0.month < $1.month }
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
    for row in try await sql.raw(
      """
      SELECT e.id, e.scheme_code, e.product_code, e.version_label, e.worker_id, e.unit_id, e.period_start,
        e.period_end, e.shares, e.status, e.cover_from, e.previous_cover_end, e.certificate_number, e.enrolled_on,
        e.bill_id
      FROM enrollments e
      WHERE e.scheme_code = \(bind: schemeCode) AND e.status = 'active'
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
                unitID: .init(row.unit_id ?? row.worker_id),
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
