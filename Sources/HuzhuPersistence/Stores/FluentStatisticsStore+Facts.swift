import FluentKit
import Foundation
import HuzhuCore
import SQLKit

/// The facts of a report. Everything the area and sector tables need is added up by the
/// database per organisation node and sector, from the maintained rows where they exist
/// (cover: ``StatisticsAggregates``; paid claims by whole month: its claims part), so a
/// province's 20,000 units never travel to Swift; only the units listed one by one are
/// counted unit by unit.
extension FluentStatisticsStore {
  public func facts(_ query: StatisticsQuery) async throws -> StatisticsFacts {
    let nodes = nodes(query.organisations)
    var (facts, groups, unitWide): (StatisticsFacts, GroupTable, CoverAndHeadcountRows)
    if let other = others.first {
      // The area and sector tables' two statements over every unit are most of a province's
      // page: on another connection (``others``) they run beside the rest.
      async let rows = FluentStatisticsStore(database: other, scope: scope).onOneConnection {
        try await $0.coverAndHeadcountRows(query, nodes: nodes)
      }
      (facts, groups) = try await onOneConnection { try await $0.collectFacts(query, nodes: nodes) }
      unitWide = try await rows
    } else {
      (facts, groups, unitWide) = try await onOneConnection { store in
        let (facts, groups) = try await store.collectFacts(query, nodes: nodes)
        return (facts, groups, try await store.coverAndHeadcountRows(query, nodes: nodes))
      }
    }
    try unitWide.apply(to: &groups, facts: &facts)
    facts.groups = groups.sorted
    return facts
  }

  /// `work` on one connection for its dozen statements, its temporary B-trees (GROUP BY over
  /// 20,000 units; a distinct count of members where the period needs one) in memory on
  /// SQLite: in temporary files a province's year of distinct members took 1.8 s (0.8 s in
  /// memory). The setting stays with the pooled connection and only changes where temporary
  /// tables live.
  func onOneConnection<Result: Sendable>(_ work: @escaping @Sendable (FluentStatisticsStore) async throws -> Result)
    async throws -> Result
  {
    try await database.withConnection { connection in
      let sql = connection as! any SQLDatabase
      if sql.dialect.name == "sqlite" { try await sql.raw("PRAGMA temp_store = MEMORY").run() }
      return try await work(FluentStatisticsStore(database: connection, scope: scope))
    }
  }

  /// A single count (NULL when nothing was counted).
  struct CountRow: Decodable { let count: Int64? }

  /// Everything but the cover and headcounts by node and sector (``coverAndHeadcountRows(_:nodes:)``).
  func collectFacts(_ query: StatisticsQuery, nodes: Set<Organisation.ID>?) async throws
    -> (StatisticsFacts, GroupTable)
  {
    var facts = StatisticsFacts()
    var groups = GroupTable()
    try await money(query, nodes: nodes, into: &groups, facts: &facts)
    try await paidClaims(query, nodes: nodes, into: &groups, facts: &facts)
    try await claimsFromRows(query, nodes: nodes, facts: &facts)
    facts.units = try await listedUnits(query, nodes: nodes)
    return (facts, groups)
  }

  /// Figures per node and sector, filled by several statements.
  struct GroupTable {
    var byKey: [String: GroupFigures] = [:]

    mutating func update(_ organisation: UUID?, _ sector: String?, _ change: (inout StatisticsReport.Figures) -> Void)
      throws
    {
      guard let organisation, let code = sector, !code.isEmpty else { return }
      guard let sector = Sector(rawValue: code) else { throw CorruptRow(table: "units", column: "sector") }
      change(
        &byKey["\(organisation)/\(code)", default: GroupFigures(organisationID: .init(organisation), sector: sector)]
          .figures)
    }

    var sorted: [GroupFigures] { byKey.keys.sorted().compactMap { byKey[$0] } }
  }

  /// Cover overlapping the period, from the maintained counts.
  func overlapping(_ query: StatisticsQuery, nodes: Set<Organisation.ID>?, alias: String = "c") -> SQLQueryString {
    """
    \(unsafeRaw: alias).period_start <= \(bind: query.period.to.description) \
    AND \(unsafeRaw: alias).period_end >= \(bind: query.period.from.description) \
    AND \(Self.scheme("\(alias).scheme_code", query.schemeCode)) AND \(Self.within("\(alias).organisation_id", nodes))
    """
  }

  /// Person-products overlapping the period, those starting in it (first-time and renewing),
  /// and those that ended in it without a renewal, summed over the cohorts `c` in one pass:
  /// columns products, new_products, renewed_products, lapsed.
  func coverSums(_ query: StatisticsQuery) -> SQLQueryString {
    let from = query.period.from.description
    let to = query.period.to.description
    return """
      CAST(SUM(CASE WHEN c.period_start <= \(bind: to) AND c.period_end >= \(bind: from)
        THEN c.person_products ELSE 0 END) AS BIGINT) AS products,
      CAST(SUM(CASE WHEN c.period_start >= \(bind: from) AND c.period_start <= \(bind: to)
        THEN c.new_products ELSE 0 END) AS BIGINT) AS new_products,
      CAST(SUM(CASE WHEN c.period_start >= \(bind: from) AND c.period_start <= \(bind: to)
        THEN c.renewed_products ELSE 0 END) AS BIGINT) AS renewed_products,
      CAST(SUM(CASE WHEN c.period_end >= \(bind: from) AND c.period_end <= \(bind: to)
        THEN c.person_products - c.renewed_later ELSE 0 END) AS BIGINT) AS lapsed
      """
  }

  /// The units `u` (id, name, organisation_id, sector) with the latest headcount each
  /// reported by the period's end (`u.total`, `u.female`; kept on the unit when it is that
  /// report), and their insured persons `p`.
  func unitsWithCover(_ query: StatisticsQuery, nodes: Set<Organisation.ID>?) -> SQLQueryString {
    let to = query.period.to.description
    return """
      FROM (
        SELECT u.id, u.name, u.organisation_id, u.sector, \(StatisticsAggregates.headcount("total", on: to)) AS total,
          \(StatisticsAggregates.headcount("female", on: to)) AS female
        FROM units u WHERE \(Self.within("u.organisation_id", nodes))) u
      LEFT JOIN (\(insuredByUnit(query, nodes: nodes))) p ON p.unit_id = u.id
      WHERE u.total > 0 OR p.persons > 0
      """
  }

  /// Each unit's insured persons in the period, and of them women (`unit_id`, `persons`,
  /// `female`).
  func insuredByUnit(_ query: StatisticsQuery, nodes: Set<Organisation.ID>?) -> SQLQueryString {
    """
    SELECT c.unit_id, SUM(c.persons) AS persons, SUM(c.female_persons) AS female FROM stat_cohort_persons c
    WHERE \(overlapping(query, nodes: nodes)) GROUP BY c.unit_id
    """
  }

  /// Units, headcounts and insured persons, and cover, by node and sector: the two
  /// statements over every unit of the nodes, read apart from the rest of the facts.
  struct CoverAndHeadcountRows: Sendable {
    struct UnitsRow: Decodable {
      let organisation_id: UUID
      let sector: String
      let units: Int64
      let participating: Int64?
      let headcount: Int64?
      let female_headcount: Int64?
      let persons: Int64?
      let female: Int64?
    }

    struct CoverRow: Decodable {
      let organisation_id: UUID
      let sector: String
      let products: Int64?
      let new_products: Int64?
      let renewed_products: Int64?
      let lapsed: Int64?
    }

    let units: [UnitsRow]
    let cover: [CoverRow]

    func apply(to groups: inout GroupTable, facts: inout StatisticsFacts) throws {
      var female = 0
      for row in units {
        try groups.update(row.organisation_id, row.sector) {
          $0.units = Int(row.units)
          $0.participatingUnits = Int(row.participating ?? 0)
          $0.headcount = Int(row.headcount ?? 0)
          $0.femaleHeadcount = Int(row.female_headcount ?? 0)
          $0.insuredPersons = Int(row.persons ?? 0)
        }
        facts.insuredPersons += Int(row.persons ?? 0)
        female += Int(row.female ?? 0)
      }
      facts.insuredByGender = [.female: female, .male: facts.insuredPersons - female]
      for row in cover {
        try groups.update(row.organisation_id, row.sector) {
          $0.personProducts = Int(row.products ?? 0)
          $0.newPersonProducts = Int(row.new_products ?? 0)
          $0.renewedPersonProducts = Int(row.renewed_products ?? 0)
          $0.lapsedPersonProducts = Int(row.lapsed ?? 0)
        }
      }
    }
  }

  func coverAndHeadcountRows(_ query: StatisticsQuery, nodes: Set<Organisation.ID>?) async throws
    -> CoverAndHeadcountRows
  {
    let units = try await sql.raw(
      """
      SELECT u.organisation_id, u.sector, CAST(COUNT(*) AS BIGINT) AS units,
        CAST(SUM(CASE WHEN p.persons > 0 THEN 1 ELSE 0 END) AS BIGINT) AS participating,
        CAST(SUM(COALESCE(u.total, 0)) AS BIGINT) AS headcount,
        CAST(SUM(COALESCE(u.female, 0)) AS BIGINT) AS female_headcount,
        CAST(SUM(COALESCE(p.persons, 0)) AS BIGINT) AS persons, CAST(SUM(COALESCE(p.female, 0)) AS BIGINT) AS female
      \(unitsWithCover(query, nodes: nodes))
      GROUP BY u.organisation_id, u.sector
      """
    ).all(decoding: CoverAndHeadcountRows.UnitsRow.self)
    let cover = try await sql.raw(
      """
      SELECT c.organisation_id, u.sector,
        \(coverSums(query))
      FROM stat_cohorts c JOIN units u ON u.id = c.unit_id
      WHERE \(overlapping(query, nodes: nodes))
      GROUP BY c.organisation_id, u.sector
      """
    ).all(decoding: CoverAndHeadcountRows.CoverRow.self)
    return CoverAndHeadcountRows(units: units, cover: cover)
  }

  /// The maintained month rows for the period's whole months and the records for its other
  /// days (``MonthSplit``), narrowed to the query's scheme and nodes.
  func monthRows(_ table: StatisticsAggregates.MaintainedTable, _ query: StatisticsQuery, nodes: Set<Organisation.ID>?)
    -> SQLQueryString
  {
    MonthSplit(query.period).source(table) { scheme, organisation in
      "\(Self.scheme(scheme, query.schemeCode)) AND \(Self.within(organisation, nodes))"
    }
  }

  /// Money billed (by the bill's day) and collected (by the payment's day), by payer.
  func money(
    _ query: StatisticsQuery, nodes: Set<Organisation.ID>?, into groups: inout GroupTable,
    facts: inout StatisticsFacts
  ) async throws {
    struct MoneyRow: Decodable {
      let organisation_id: UUID?
      let sector: String
      let payer_type: String
      let amount: Int64?
    }
    for (table, collected) in [(StatisticsAggregates.dueMonths, false), (StatisticsAggregates.collectedMonths, true)] {
      for row in try await sql.raw(
        """
        SELECT x.organisation_id, x.sector, x.payer_type, CAST(SUM(x.amount) AS BIGINT) AS amount
        FROM (\(monthRows(table, query, nodes: nodes))) x
        GROUP BY x.organisation_id, x.sector, x.payer_type
        """
      ).all(decoding: MoneyRow.self) {
        guard let payer = PayerType(rawValue: row.payer_type) else {
          throw CorruptRow(table: table.name, column: "payer_type")
        }
        let money = Money(fen: row.amount ?? 0)
        if collected {
          facts.collectedByPayer[payer, default: .zero] += money
          try groups.update(row.organisation_id, row.sector) { $0.collected += money }
        } else {
          facts.dueByPayer[payer, default: .zero] += money
          try groups.update(row.organisation_id, row.sector) { $0.contributionsDue += money }
        }
      }
    }
  }

  /// Paid claims, their service times and benefits: whole months from the maintained rows,
  /// the days at either end from the claims.
  func paidClaims(
    _ query: StatisticsQuery, nodes: Set<Organisation.ID>?, into groups: inout GroupTable,
    facts: inout StatisticsFacts
  ) async throws {
    let paid = monthRows(StatisticsAggregates.paidMonths, query, nodes: nodes)
    struct PaidRow: Decodable {
      let organisation_id: UUID?
      let sector: String
      let claims: Int64?
      let amount: Int64?
      let largest: Int64?
    }
    for row in try await sql.raw(
      """
      SELECT x.organisation_id, x.sector, CAST(SUM(x.claims) AS BIGINT) AS claims,
        CAST(SUM(x.amount) AS BIGINT) AS amount, CAST(MAX(x.largest) AS BIGINT) AS largest
      FROM (\(paid)) x GROUP BY x.organisation_id, x.sector
      """
    ).all(decoding: PaidRow.self) {
      let claims = Int(row.claims ?? 0)
      let amount = Money(fen: row.amount ?? 0)
      facts.paidClaims += claims
      facts.paidAmount += amount
      facts.largestClaim = max(facts.largestClaim, Money(fen: row.largest ?? 0))
      try groups.update(row.organisation_id, row.sector) {
        $0.paidClaims += claims
        $0.paidAmount += amount
      }
    }

    struct ServiceRow: Decodable {
      let working_days: Int64
      let claims: Int64?
      let on_time: Int64?
    }
    let service = monthRows(StatisticsAggregates.serviceMonths, query, nodes: nodes)
    facts.service = try await sql.raw(
      """
      SELECT x.working_days, CAST(SUM(x.claims) AS BIGINT) AS claims, CAST(SUM(x.on_time) AS BIGINT) AS on_time
      FROM (\(service)) x GROUP BY x.working_days ORDER BY x.working_days
      """
    ).all(decoding: ServiceRow.self).map {
      ServiceSample(
        workingDays: $0.working_days < 0 ? nil : Int($0.working_days), claims: Int($0.claims ?? 0),
        onTime: Int($0.on_time ?? 0))
    }

    struct BenefitRow: Decodable {
      let product_code: String
      let benefit_code: String
      let claims: Int64?
      let amount: Int64?
    }
    let benefits = monthRows(StatisticsAggregates.benefitMonths, query, nodes: nodes)
    facts.benefits = try await sql.raw(
      """
      SELECT x.product_code, x.benefit_code, CAST(SUM(x.claims) AS BIGINT) AS claims,
        CAST(SUM(x.amount) AS BIGINT) AS amount
      FROM (\(benefits)) x GROUP BY x.product_code, x.benefit_code ORDER BY x.product_code, x.benefit_code
      """
    ).all(decoding: BenefitRow.self).map {
      BenefitFigures(
        product: $0.product_code, benefit: $0.benefit_code, claims: Int($0.claims ?? 0),
        amount: Money(fen: $0.amount ?? 0))
    }

    // The series: new cover from the cohorts, money from the payments, claims from the same
    // months as above.
    var months: [String: MonthFigures] = [:]
    struct MonthRow: Decodable {
      let month: String
      let count: Int64?
      let amount: Int64?
    }
    for row in try await sql.raw(
      """
      SELECT x.month, CAST(SUM(x.claims) AS BIGINT) AS count, CAST(SUM(x.amount) AS BIGINT) AS amount
      FROM (\(paid)) x GROUP BY x.month
      """
    ).all(decoding: MonthRow.self) {
      months[row.month, default: MonthFigures(month: row.month)].paidClaims = Int(row.count ?? 0)
      months[row.month, default: MonthFigures(month: row.month)].paidAmount = Money(fen: row.amount ?? 0)
    }
    let from = query.period.from.description
    let to = query.period.to.description
    for row in try await sql.raw(
      """
      SELECT SUBSTR(c.period_start, 1, 7) AS month, CAST(SUM(c.person_products) AS BIGINT) AS count,
        CAST(0 AS BIGINT) AS amount
      FROM stat_cohorts c
      WHERE c.period_start >= \(bind: from) AND c.period_start <= \(bind: to)
        AND \(Self.scheme("c.scheme_code", query.schemeCode)) AND \(Self.within("c.organisation_id", nodes))
      GROUP BY SUBSTR(c.period_start, 1, 7)
      """
    ).all(decoding: MonthRow.self) {
      months[row.month, default: MonthFigures(month: row.month)].newPersonProducts = Int(row.count ?? 0)
    }
    for row in try await sql.raw(
      """
      SELECT x.month, CAST(0 AS BIGINT) AS count, CAST(SUM(x.amount) AS BIGINT) AS amount
      FROM (\(monthRows(StatisticsAggregates.collectedMonths, query, nodes: nodes))) x GROUP BY x.month
      """
    ).all(decoding: MonthRow.self) {
      months[row.month, default: MonthFigures(month: row.month)].collected = Money(fen: row.amount ?? 0)
    }
    facts.monthly = months.values.sorted { $0.month < $1.month }
  }

  /// Distinct members paid in the period (受益人数), as the report counts them.
  public func personsPaid(_ query: StatisticsQuery) async throws -> Int {
    try await personsPaid(query, nodes: nodes(query.organisations))
  }

  /// Distinct members paid in the period: from the maintained first payments where the period
  /// allows (``PersonsPaidSpan``), otherwise counted from the claims.
  func personsPaid(_ query: StatisticsQuery, nodes: Set<Organisation.ID>?) async throws -> Int {
    struct DayRow: Decodable { let day: String? }
    // Only paid claims have a day paid; without a condition both databases read the minimum
    // off the paid_on index (with one, SQLite sorted every paid claim). Any earlier day would
    // only make the test stricter.
    // The condition lets the partial index of the days paid (M033) answer at once.
    let first = try await sql.raw("SELECT MIN(paid_on) AS day FROM claims WHERE paid_on IS NOT NULL")
      .first(decoding: DayRow.self)?.day.flatMap(CalendarDate.init)
    guard let span = PersonsPaidSpan(query.period, firstPaid: first) else {
      return try await personsPaidCounted(query, nodes: nodes)
    }
    let firsts =
      try await sql.raw(
        """
        SELECT CAST(SUM(x.\(unsafeRaw: span.column)) AS BIGINT) AS count
        FROM (\(monthRows(StatisticsAggregates.paidPersonMonths, query, nodes: nodes))) x
        """
      ).first(decoding: CountRow.self)?.count ?? 0
    let twice =
      try await sql.raw(
        """
        SELECT CAST(SUM(x.pairs - 1) AS BIGINT) AS count FROM (
          SELECT s.worker_id, COUNT(*) AS pairs FROM stat_paid_spread s
          WHERE s.span = \(bind: span.spread) AND s.first_paid_on <= \(bind: query.period.to.description)
            AND \(Self.scheme("s.scheme_code", query.schemeCode)) AND \(Self.within("s.organisation_id", nodes))
          GROUP BY s.worker_id) x
        """
      ).first(decoding: CountRow.self)?.count ?? 0
    return Int(firsts - twice)
  }

  /// Distinct members paid in the period, counted from the claims (any period).
  func personsPaidCounted(_ query: StatisticsQuery, nodes: Set<Organisation.ID>?) async throws -> Int {
    return Int(
      try await sql.raw(
        """
        SELECT CAST(COUNT(DISTINCT c.worker_id) AS BIGINT) AS count FROM claims c
        WHERE c.state = 'paid' AND c.paid_on >= \(bind: query.period.from.description)
          AND c.paid_on <= \(bind: query.period.to.description) AND \(Self.scheme("c.scheme_code", query.schemeCode))
          AND \(Self.within("c.organisation_id", nodes))
        """
      ).first(decoding: CountRow.self)?.count ?? 0)
  }

  /// What no maintained row holds: rejections by reason, overdue now.
  func claimsFromRows(_ query: StatisticsQuery, nodes: Set<Organisation.ID>?, facts: inout StatisticsFacts)
    async throws
  {
    let inClaims = Self.within("c.organisation_id", nodes)
    let scheme = Self.scheme("c.scheme_code", query.schemeCode)
    facts.personsPaid = try await personsPaid(query, nodes: nodes)

    // Rejections of claims filed in the period, by coded reason (older rows without one: other).
    struct ReasonRow: Decodable {
      let rejection_reason: String?
      let claims: Int
    }
    for row in try await sql.raw(
      """
      SELECT c.rejection_reason, COUNT(*) AS claims FROM claims c
      WHERE c.state = 'rejected' AND c.created_on >= \(bind: query.period.from.description)
        AND c.created_on <= \(bind: query.period.to.description) AND \(scheme) AND \(inClaims)
      GROUP BY c.rejection_reason
      """
    ).all(decoding: ReasonRow.self) {
      facts.rejections[row.rejection_reason.flatMap(RejectionReason.init) ?? .other, default: 0] += row.claims
    }
    let open = [ClaimState.submitted, .reviewed, .approved].map { "'\($0.rawValue)'" }.joined(separator: ", ")
    facts.overdueNow = Int(
      try await sql.raw(
        """
        SELECT CAST(COUNT(*) AS BIGINT) AS count FROM claims c
        WHERE c.state IN (\(unsafeRaw: open)) AND c.due_on < \(bind: query.today.description) AND \(scheme)
          AND \(inClaims)
        """
      ).first(decoding: CountRow.self)?.count ?? 0)
  }

  /// The units listed one by one, each counted on its own: the most insured first, as many as
  /// the query asks (all of them without a limit).
  func listedUnits(_ query: StatisticsQuery, nodes: Set<Organisation.ID>?) async throws -> [UnitFigures] {
    // The listed units by the records' own unit column, so each table is read through its
    // unit index (by the units' node, a year of the province's claims would be read).
    let chosen: (_ unitColumn: String) -> SQLQueryString
    if let limit = query.unitLimit {
      struct IDRow: Decodable { let id: UUID }
      let limit = max(limit, 0)
      // The most insured first: when at least `limit` units have members, those are the ones,
      // found among the units at or above the limit-th count (a province's 20,000 units are
      // never joined to their names and headcounts). Otherwise units with only a headcount
      // follow, from every unit's latest headcount.
      var ids = try await sql.raw(
        """
        WITH p AS (SELECT i.unit_id, i.persons FROM (\(insuredByUnit(query, nodes: nodes))) i WHERE i.persons > 0)
        SELECT u.id FROM p JOIN units u ON u.id = p.unit_id
        WHERE p.persons >= (SELECT MIN(t.persons) FROM (SELECT persons FROM p ORDER BY persons DESC LIMIT \(literal: limit)) t)
          AND \(Self.within("u.organisation_id", nodes))
        ORDER BY p.persons DESC, u.name, u.id LIMIT \(literal: limit)
        """
      ).all(decoding: IDRow.self).map(\.id)
      if ids.count < limit {
        ids = try await sql.raw(
          """
          SELECT u.id \(unitsWithCover(query, nodes: nodes))
          ORDER BY COALESCE(p.persons, 0) DESC, u.name, u.id LIMIT \(literal: limit)
          """
        ).all(decoding: IDRow.self).map(\.id)
      }
      guard !ids.isEmpty else { return [] }
      chosen = { "\(unsafeRaw: $0) IN (\(binds: ids))" }
    } else {
      chosen = { _ in Self.within("u.organisation_id", nodes) }
    }
    let from = query.period.from.description
    let to = query.period.to.description
    var units: [UUID: UnitFigures] = [:]

    struct UnitRow: Decodable {
      let id: UUID
      let name: String
      let organisation_id: UUID
      let sector: String
      let total: Int?
      let female: Int?
    }
    for row in try await sql.raw(
      """
      SELECT u.id, u.name, u.organisation_id, u.sector, \(StatisticsAggregates.headcount("total", on: to)) AS total,
        \(StatisticsAggregates.headcount("female", on: to)) AS female
      FROM units u WHERE \(chosen("u.id"))
      """
    ).all(decoding: UnitRow.self) {
      guard let sector = Sector(rawValue: row.sector) else { throw CorruptRow(table: "units", column: "sector") }
      var unit = UnitFigures(
        unitID: .init(row.id), name: row.name, organisationID: .init(row.organisation_id), sector: sector)
      unit.headcount = row.total ?? 0
      unit.femaleHeadcount = row.female ?? 0
      units[row.id] = unit
    }

    let scheme = Self.scheme("c.scheme_code", query.schemeCode)
    struct CoverRow: Decodable {
      let unit_id: UUID
      let products: Int64?
      let new_products: Int64?
      let renewed_products: Int64?
      let lapsed: Int64?
      let first_start: String?
    }
    for row in try await sql.raw(
      """
      SELECT c.unit_id,
        \(coverSums(query)),
        MIN(CASE WHEN c.period_start <= \(bind: to) AND c.period_end >= \(bind: from) THEN c.period_start END)
          AS first_start
      FROM stat_cohorts c JOIN units u ON u.id = c.unit_id
      WHERE c.period_start <= \(bind: to) AND c.period_end >= \(bind: from) AND \(scheme) AND \(chosen("c.unit_id"))
      GROUP BY c.unit_id
      """
    ).all(decoding: CoverRow.self) {
      units[row.unit_id]?.personProducts = Int(row.products ?? 0)
      units[row.unit_id]?.newPersonProducts = Int(row.new_products ?? 0)
      units[row.unit_id]?.renewedPersonProducts = Int(row.renewed_products ?? 0)
      units[row.unit_id]?.lapsedPersonProducts = Int(row.lapsed ?? 0)
      units[row.unit_id]?.firstEnrolledOn = row.first_start.flatMap(CalendarDate.init)
    }
    struct PersonsRow: Decodable {
      let unit_id: UUID
      let persons: Int64?
    }
    for row in try await sql.raw(
      """
      SELECT c.unit_id, CAST(SUM(c.persons) AS BIGINT) AS persons
      FROM stat_cohort_persons c JOIN units u ON u.id = c.unit_id
      WHERE c.period_start <= \(bind: to) AND c.period_end >= \(bind: from) AND \(scheme) AND \(chosen("c.unit_id"))
      GROUP BY c.unit_id
      """
    ).all(decoding: PersonsRow.self) {
      units[row.unit_id]?.insuredPersons = Int(row.persons ?? 0)
    }
    struct MoneyRow: Decodable {
      let unit_id: UUID
      let amount: Int64?
    }
    for row in try await sql.raw(
      """
      SELECT b.unit_id, CAST(SUM(p.amount) AS BIGINT) AS amount
      FROM payments p JOIN bills b ON b.id = p.bill_id JOIN units u ON u.id = b.unit_id
      WHERE p.paid_on >= \(bind: from) AND p.paid_on <= \(bind: to)
        AND \(Self.scheme("b.scheme_code", query.schemeCode)) AND \(chosen("b.unit_id")) AND \(unsafeRaw: StatisticsAggregates.standingPayment("p"))
      GROUP BY b.unit_id
      """
    ).all(decoding: MoneyRow.self) {
      units[row.unit_id]?.collected = Money(fen: row.amount ?? 0)
    }
    struct PaidRow: Decodable {
      let unit_id: UUID
      let claims: Int
      let amount: Int64?
    }
    for row in try await sql.raw(
      """
      SELECT c.unit_id, COUNT(*) AS claims, CAST(SUM(c.approved_total) AS BIGINT) AS amount
      FROM claims c JOIN units u ON u.id = c.unit_id
      WHERE c.state = 'paid' AND c.paid_on >= \(bind: from) AND c.paid_on <= \(bind: to) AND \(scheme)
        AND \(chosen("c.unit_id"))
      GROUP BY c.unit_id
      """
    ).all(decoding: PaidRow.self) {
      units[row.unit_id]?.paidClaims = row.claims
      units[row.unit_id]?.paidAmount = Money(fen: row.amount ?? 0)
    }
    // Two units of one name and size keep one order (by ID), so a report reads the same twice.
    return units.values.filter { $0.hasActivity || $0.headcount > 0 }.sorted {
      ($0.insuredPersons, $1.name, $1.unitID.rawValue.uuidString)
        > ($1.insuredPersons, $0.name, $0.unitID.rawValue.uuidString)
    }
  }
}
