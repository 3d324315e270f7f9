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

    // Paid cover overlapping the period, per unit.
    let cover: SQLQueryString = """
      e.status = 'active' AND e.period_start <= \(bind: to) AND e.period_end >= \(bind: from) \
      AND \(Self.scheme("e.scheme_code", query.schemeCode))
      """
    struct CoverRow: Decodable {
      let unit_id: UUID
      let persons: Int
      let products: Int
      let new_products: Int64?
      let renewed_products: Int64?
      let first_start: String?
    }
    for row in try await sql.raw(
      """
      SELECT e.unit_id, COUNT(DISTINCT e.worker_id) AS persons, COUNT(*) AS products,
        CAST(SUM(CASE WHEN e.period_start >= \(bind: from) AND e.previous_cover_end IS NULL THEN 1 ELSE 0 END) AS BIGINT)
          AS new_products,
        CAST(SUM(CASE WHEN e.period_start >= \(bind: from) AND e.previous_cover_end IS NOT NULL THEN 1 ELSE 0 END)
          AS BIGINT) AS renewed_products,
        MIN(e.period_start) AS first_start
      FROM enrollments e JOIN units u ON u.id = e.unit_id
      WHERE \(cover) AND \(inUnits)
      GROUP BY e.unit_id
      """
    ).all(decoding: CoverRow.self) {
      units[row.unit_id]?.insuredPersons = row.persons
      units[row.unit_id]?.personProducts = row.products
      units[row.unit_id]?.newPersonProducts = Int(row.new_products ?? 0)
      units[row.unit_id]?.renewedPersonProducts = Int(row.renewed_products ?? 0)
      units[row.unit_id]?.firstEnrolledOn = row.first_start.flatMap(CalendarDate.init)
    }

    // Cover that ended in the period and was not renewed for the same product.
    struct CountRow: Decodable {
      let unit_id: UUID
      let count: Int
    }
    for row in try await sql.raw(
      """
      SELECT e.unit_id, COUNT(*) AS count FROM enrollments e JOIN units u ON u.id = e.unit_id
      WHERE e.status = 'active' AND e.period_end >= \(bind: from) AND e.period_end <= \(bind: to)
        AND \(Self.scheme("e.scheme_code", query.schemeCode)) AND \(inUnits)
        AND NOT EXISTS (SELECT 1 FROM enrollments r WHERE r.worker_id = e.worker_id
          AND r.product_code = e.product_code AND r.period_start > e.period_start)
      GROUP BY e.unit_id
      """
    ).all(decoding: CountRow.self) {
      units[row.unit_id]?.lapsedPersonProducts = row.count
    }

    // Distinct insured persons over every unit (and members without one when nothing narrows).
    struct GenderRow: Decodable {
      let gender: String
      let persons: Int
    }
    // Members without a unit count only when nothing narrows the query.
    let anyUnit: SQLQueryString = nodes == nil ? "1 = 1" : "u.id IS NOT NULL AND \(inUnits)"
    for row in try await sql.raw(
      """
      SELECT w.gender, COUNT(DISTINCT e.worker_id) AS persons
      FROM enrollments e JOIN workers w ON w.id = e.worker_id LEFT JOIN units u ON u.id = e.unit_id
      WHERE \(cover) AND \(anyUnit)
      GROUP BY w.gender
      """
    ).all(decoding: GenderRow.self) {
      guard let gender = Gender(rawValue: row.gender) else { throw CorruptRow(table: "workers", column: "gender") }
      facts.insuredByGender[gender] = row.persons
      facts.insuredPersons += row.persons
    }

    // Contributions billed and collected, per unit and payer.
    struct MoneyRow: Decodable {
      let unit_id: UUID?
      let payer_type: String
      let amount: Int64?
    }
    let billScheme = Self.scheme("b.scheme_code", query.schemeCode)
    for row in try await sql.raw(
      """
      SELECT b.unit_id, bp.payer_type, CAST(SUM(bp.amount_due) AS BIGINT) AS amount
      FROM bill_parts bp JOIN bills b ON b.id = bp.bill_id LEFT JOIN units u ON u.id = b.unit_id
      WHERE b.issued_on >= \(bind: from) AND b.issued_on <= \(bind: to) AND \(billScheme) AND \(anyUnit)
      GROUP BY b.unit_id, bp.payer_type
      """
    ).all(decoding: MoneyRow.self) {
      guard let payer = PayerType(rawValue: row.payer_type) else {
        throw CorruptRow(table: "bill_parts", column: "payer_type")
      }
      let amount = Money(fen: row.amount ?? 0)
      facts.dueByPayer[payer, default: .zero] += amount
      if let unit = row.unit_id { units[unit]?.contributionsDue += amount }
    }
    for row in try await sql.raw(
      """
      SELECT b.unit_id, p.payer_type, CAST(SUM(p.amount) AS BIGINT) AS amount
      FROM payments p JOIN bills b ON b.id = p.bill_id LEFT JOIN units u ON u.id = b.unit_id
      WHERE p.paid_on >= \(bind: from) AND p.paid_on <= \(bind: to) AND \(billScheme) AND \(anyUnit)
      GROUP BY b.unit_id, p.payer_type
      """
    ).all(decoding: MoneyRow.self) {
      guard let payer = PayerType(rawValue: row.payer_type) else {
        throw CorruptRow(table: "payments", column: "payer_type")
      }
      let amount = Money(fen: row.amount ?? 0)
      facts.collectedByPayer[payer, default: .zero] += amount
      if let unit = row.unit_id { units[unit]?.collected += amount }
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
      let due_on: String?
      let paid_on: String
    }
    facts.service = try await sql.raw(
      "SELECT c.documents_complete_on, c.due_on, c.paid_on FROM claims c WHERE \(paid)"
    ).all(decoding: ServiceRow.self).compactMap { row in
      guard let complete = row.documents_complete_on.flatMap(CalendarDate.init), let paidOn = CalendarDate(row.paid_on)
      else { return nil }
      return ServiceSample(documentsCompleteOn: complete, dueOn: row.due_on.flatMap(CalendarDate.init), paidOn: paidOn)
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
    var months: [String: MonthFigures] = [:]
    for row in try await sql.raw(
      """
      SELECT SUBSTR(e.period_start, 1, 7) AS month, COUNT(*) AS count, CAST(0 AS BIGINT) AS amount
      FROM enrollments e LEFT JOIN units u ON u.id = e.unit_id
      WHERE e.status = 'active' AND e.period_start >= \(bind: from) AND e.period_start <= \(bind: to)
        AND \(Self.scheme("e.scheme_code", query.schemeCode)) AND \(anyUnit)
      GROUP BY SUBSTR(e.period_start, 1, 7)
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
    struct Row: Decodable {
      let number: String
      let worker_id: UUID
      let unit_id: UUID?
      let intake: String
      let paid_on: String
      let approved_total: Int64?
    }
    let rows = try await sql.raw(
      """
      SELECT c.number, c.worker_id, c.unit_id, c.intake, c.paid_on, c.approved_total FROM claims c
      WHERE c.state = 'paid' AND c.scheme_code = \(bind: schemeCode)
        AND c.paid_on >= \(bind: period.from.description) AND c.paid_on <= \(bind: period.to.description)
        AND \(Self.within("c.organisation_id", nodes))
      """
    ).all(decoding: Row.self)
    // The members, their cover in the scheme and their units, a few thousand ids per query.
    let workerIDs = Array(Set(rows.map(\.worker_id)))
    var workers: [UUID: WorkerModel] = [:]
    var cover: [UUID: [Enrollment]] = [:]
    for start in stride(from: 0, to: workerIDs.count, by: FluentEnrollmentStore.chunkSize) {
      let chunk = Array(workerIDs[start..<min(start + FluentEnrollmentStore.chunkSize, workerIDs.count)])
      for worker in try await WorkerModel.query(on: database).filter(\.$id ~~ chunk).all() {
        workers[try worker.requireID()] = worker
      }
      for enrollment in try await EnrollmentModel.query(on: database).filter(\.$workerID ~~ chunk)
        .filter(\.$schemeCode == schemeCode).all()
      {
        cover[enrollment.workerID, default: []].append(try enrollment.domain())
      }
    }
    let unitIDs = Array(Set(rows.compactMap(\.unit_id)))
    var unitNames: [UUID: String] = [:]
    for start in stride(from: 0, to: unitIDs.count, by: FluentEnrollmentStore.chunkSize) {
      let chunk = Array(unitIDs[start..<min(start + FluentEnrollmentStore.chunkSize, unitIDs.count)])
      for unit in try await UnitModel.query(on: database).filter(\.$id ~~ chunk).all() {
        unitNames[try unit.requireID()] = unit.name
      }
    }
    return try rows.map { row in
      guard let worker = workers[row.worker_id], let paidOn = CalendarDate(row.paid_on) else {
        throw CorruptRow(table: "claims", column: "worker_id")
      }
      return SimulationCase(
        claimNumber: row.number, worker: try worker.domain(unitID: row.unit_id ?? row.worker_id),
        unitID: row.unit_id.map { .init($0) }, unitName: row.unit_id.flatMap { unitNames[$0] },
        enrollments: cover[row.worker_id] ?? [],
        intake: try JSON.value(ClaimIntake.self, row.intake, table: "claims", column: "intake"), paidOn: paidOn,
        paid: Money(fen: row.approved_total ?? 0))
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
