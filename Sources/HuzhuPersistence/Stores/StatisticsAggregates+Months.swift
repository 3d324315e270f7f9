import FluentKit
import Foundation
import HuzhuCore
import SQLKit

/// Maintained month-by-month counts per organisation node (M010), so that a province's
/// statistics read a few thousand rows rather than every claim and payment: paid claims (per
/// unit sector, '' for members without a unit), how long they took, under which benefit; and
/// contributions billed and collected by payer. The statistics read whole months from these
/// rows and count the days at either end of a period from the records themselves, with the
/// same statements (``paidCounts(where:)`` and its siblings), so both halves agree by
/// construction.
///
/// A write recounts the node-months it touched in its own transaction (a claim paid, a bill
/// issued, a payment recorded: ``refresh(_:of:on:)``); a test holds the rows equal to
/// ``rebuildMonths(on:)``.
extension StatisticsAggregates {
  /// One node's records of one scheme in one month (`YYYY-MM`). A record without a node (a
  /// gig worker's bill) has none.
  public struct MonthKey: Hashable, Sendable {
    public let organisationID: UUID?
    public let schemeCode: String
    public let month: String

    public init(organisationID: UUID?, schemeCode: String, day: CalendarDate) {
      self.organisationID = organisationID
      self.schemeCode = schemeCode
      self.month = ReportPeriod.monthKey(year: day.year, month: day.month)
    }
  }

  /// Paid claims counted by node, sector, scheme and month, narrowed by `condition` on the
  /// claims `c`. Columns: organisation_id, sector, scheme_code, month, claims, amount, largest,
  /// on_time.
  static func paidCounts(where condition: SQLQueryString) -> SQLQueryString {
    """
    SELECT c.organisation_id, COALESCE(u.sector, '') AS sector, c.scheme_code, SUBSTR(c.paid_on, 1, 7) AS month,
      CAST(COUNT(*) AS BIGINT) AS claims, CAST(SUM(COALESCE(c.approved_total, 0)) AS BIGINT) AS amount,
      CAST(MAX(COALESCE(c.approved_total, 0)) AS BIGINT) AS largest,
      CAST(SUM(CASE WHEN c.due_on IS NOT NULL AND c.paid_on <= c.due_on THEN 1 ELSE 0 END) AS BIGINT) AS on_time
    FROM claims c LEFT JOIN units u ON u.id = c.unit_id
    WHERE c.state = 'paid' AND c.paid_on IS NOT NULL AND \(condition)
    GROUP BY c.organisation_id, COALESCE(u.sector, ''), c.scheme_code, SUBSTR(c.paid_on, 1, 7)
    """
  }

  /// Paid claims with complete documents by their working days to payment (-1: uncounted).
  /// Columns: organisation_id, scheme_code, month, working_days, claims, on_time.
  static func serviceCounts(where condition: SQLQueryString) -> SQLQueryString {
    """
    SELECT c.organisation_id, c.scheme_code, SUBSTR(c.paid_on, 1, 7) AS month,
      COALESCE(c.paid_working_days, -1) AS working_days, CAST(COUNT(*) AS BIGINT) AS claims,
      CAST(SUM(CASE WHEN c.due_on IS NOT NULL AND c.paid_on <= c.due_on THEN 1 ELSE 0 END) AS BIGINT) AS on_time
    FROM claims c
    WHERE c.state = 'paid' AND c.paid_on IS NOT NULL AND c.documents_complete_on IS NOT NULL AND \(condition)
    GROUP BY c.organisation_id, c.scheme_code, SUBSTR(c.paid_on, 1, 7), COALESCE(c.paid_working_days, -1)
    """
  }

  /// Money paid by product and benefit. Columns: organisation_id, scheme_code, month,
  /// product_code, benefit_code, claims, amount. (A claim has one payout per benefit.)
  static func benefitCounts(where condition: SQLQueryString) -> SQLQueryString {
    """
    SELECT c.organisation_id, c.scheme_code, SUBSTR(c.paid_on, 1, 7) AS month, c.product_code, c.benefit_code,
      CAST(COUNT(*) AS BIGINT) AS claims, CAST(SUM(c.amount) AS BIGINT) AS amount
    FROM claim_payouts c
    WHERE \(condition)
    GROUP BY c.organisation_id, c.scheme_code, SUBSTR(c.paid_on, 1, 7), c.product_code, c.benefit_code
    """
  }

  /// Contributions billed (`bill_parts`, by the bill's day) or collected (`payments`, by the
  /// payment's day). Columns: organisation_id, sector, scheme_code, month, payer_type, amount.
  static func moneyCounts(_ table: String, amount: String, day: String, onlyStanding: Bool = false)
    -> @Sendable (SQLQueryString) -> SQLQueryString
  {
    { condition in
      """
      SELECT u.organisation_id, COALESCE(u.sector, '') AS sector, b.scheme_code, SUBSTR(\(unsafeRaw: day), 1, 7) AS month,
        p.payer_type, CAST(SUM(p.\(unsafeRaw: amount)) AS BIGINT) AS amount
      FROM \(unsafeRaw: table) p JOIN bills b ON b.id = p.bill_id LEFT JOIN units u ON u.id = b.unit_id
      WHERE \(condition)\(unsafeRaw: onlyStanding ? " AND " + standingPayment("p") : "")
      GROUP BY u.organisation_id, COALESCE(u.sector, ''), b.scheme_code, SUBSTR(\(unsafeRaw: day), 1, 7), p.payer_type
      """
    }
  }

  /// A payment not voided (a void applied takes its money out of every collected figure).
  static func standingPayment(_ alias: String) -> String {
    "NOT EXISTS (SELECT 1 FROM corrections v WHERE v.target_id = \(alias).id AND v.status = 'applied')"
  }

  /// A maintained table, its columns, the counting statement that fills it, and the columns of
  /// the counted records that hold the day, the scheme and the node.
  struct MaintainedTable: Sendable {
    let name: String
    let columns: String
    let counts: @Sendable (SQLQueryString) -> SQLQueryString
    let day: String
    let scheme: String
    let organisation: String
  }

  static let paidMonths = MaintainedTable(
    name: "stat_paid_months", columns: "organisation_id, sector, scheme_code, month, claims, amount, largest, on_time",
    counts: paidCounts, day: "c.paid_on", scheme: "c.scheme_code", organisation: "c.organisation_id")
  static let serviceMonths = MaintainedTable(
    name: "stat_service_months", columns: "organisation_id, scheme_code, month, working_days, claims, on_time",
    counts: serviceCounts, day: "c.paid_on", scheme: "c.scheme_code", organisation: "c.organisation_id")
  static let benefitMonths = MaintainedTable(
    name: "stat_benefit_months",
    columns: "organisation_id, scheme_code, month, product_code, benefit_code, claims, amount", counts: benefitCounts,
    day: "c.paid_on", scheme: "c.scheme_code", organisation: "c.organisation_id")
  static let dueMonths = MaintainedTable(
    name: "stat_due_months", columns: "organisation_id, sector, scheme_code, month, payer_type, amount",
    counts: moneyCounts("bill_parts", amount: "amount_due", day: "b.issued_on"), day: "b.issued_on",
    scheme: "b.scheme_code", organisation: "u.organisation_id")
  static let collectedMonths = MaintainedTable(
    name: "stat_collected_months", columns: "organisation_id, sector, scheme_code, month, payer_type, amount",
    counts: moneyCounts("payments", amount: "amount", day: "p.paid_on", onlyStanding: true), day: "p.paid_on",
    scheme: "b.scheme_code",
    organisation: "u.organisation_id")
  /// What a claim's payment changes.
  static let claimTables = [paidMonths, serviceMonths, benefitMonths]
  static let monthTables = claimTables + [dueMonths, collectedMonths]
  /// The month tables as M010 filled them: before corrections (M027) no payment could be void,
  /// and the table that says which are does not exist yet when M010 runs on an old database.
  static let monthTablesBeforeCorrections =
    claimTables + [
      dueMonths,
      MaintainedTable(
        name: collectedMonths.name, columns: collectedMonths.columns,
        counts: moneyCounts("payments", amount: "amount", day: "p.paid_on"), day: collectedMonths.day,
        scheme: collectedMonths.scheme, organisation: collectedMonths.organisation),
    ]

  /// Every month row from scratch.
  public static func rebuildMonths(on database: any Database) async throws {
    try await rebuild(monthTables, on: database)
  }

  /// These tables' rows from scratch.
  static func rebuild(_ tables: [MaintainedTable], on database: any Database) async throws {
    let sql = database.sqlDatabase
    for table in tables {
      try await sql.raw("DELETE FROM \(unsafeRaw: table.name)").run()
      try await sql.raw("INSERT INTO \(unsafeRaw: table.name) (\(unsafeRaw: table.columns)) \(table.counts("1 = 1"))")
        .run()
    }
  }

  /// Recounts these node-months of these tables.
  static func refresh(_ keys: Set<MonthKey>, of tables: [MaintainedTable], on database: any Database) async throws {
    let sql = database.sqlDatabase
    // Locks in one order, so two writers touching the same keys cannot deadlock.
    let ordered = keys.sorted {
      ($0.organisationID?.uuidString ?? "", $0.schemeCode, $0.month) < (
        $1.organisationID?.uuidString ?? "", $1.schemeCode, $1.month
      )
    }
    for key in ordered {
      for table in tables {
        try await lock(
          "\(table.name)/\(key.organisationID?.uuidString ?? "-")/\(key.schemeCode)/\(key.month)", on: sql)
      }
    }
    for key in ordered {
      let days = monthDays(key.month)
      for table in tables {
        let node = Self.node("organisation_id", is: key.organisationID)
        let nodeOfRecord = Self.node(table.organisation, is: key.organisationID)
        try await sql.raw(
          """
          DELETE FROM \(unsafeRaw: table.name)
          WHERE \(node) AND scheme_code = \(bind: key.schemeCode) AND month = \(bind: key.month)
          """
        ).run()
        let condition: SQLQueryString = """
          \(nodeOfRecord) AND \(unsafeRaw: table.scheme) = \(bind: key.schemeCode) \
          AND \(unsafeRaw: table.day) >= \(bind: days.from) AND \(unsafeRaw: table.day) <= \(bind: days.to)
          """
        try await sql.raw(
          "INSERT INTO \(unsafeRaw: table.name) (\(unsafeRaw: table.columns)) \(table.counts(condition))"
        ).run()
      }
    }
  }

  /// `column` holds this node, or none when there is none.
  static func node(_ column: String, is organisationID: UUID?) -> SQLQueryString {
    organisationID.map { "\(unsafeRaw: column) = \(bind: $0)" } ?? "\(unsafeRaw: column) IS NULL"
  }

  /// The node of a bill's unit (none for a gig worker's bill), for its month keys.
  static func organisation(ofUnit unit: UUID?, on database: any Database) async throws -> UUID? {
    guard let unit else { return nil }
    struct Row: Decodable { let organisation_id: UUID }
    return try await database.sqlDatabase.raw("SELECT organisation_id FROM units WHERE id = \(bind: unit)")
      .first(decoding: Row.self)?.organisation_id
  }

  /// The first and last day of a `YYYY-MM` month as text (the last as `-31`: dates compare as
  /// text, so it bounds every month).
  static func monthDays(_ month: String) -> (from: String, to: String) {
    ("\(month)-01", "\(month)-31")
  }
}

/// A report period as whole months, which the maintained rows hold, and the days at either end
/// that are not a whole month, which are counted from the records.
struct MonthSplit: Equatable {
  /// The first and last whole month (`YYYY-MM`), if any.
  let months: (first: String, last: String)?
  /// Day ranges (`YYYY-MM-DD`, both ends included) outside the whole months.
  let days: [(from: String, to: String)]

  init(_ period: ReportPeriod) {
    let firstOfFrom = CalendarDate(year: period.from.year, month: period.from.month, day: 1)!
    let firstFull = period.from == firstOfFrom ? firstOfFrom : firstOfFrom.adding(months: 1)
    let firstOfTo = CalendarDate(year: period.to.year, month: period.to.month, day: 1)!
    let lastOfTo = firstOfTo.adding(months: 1).adding(days: -1)
    let lastFull = period.to == lastOfTo ? firstOfTo : firstOfTo.adding(months: -1)
    guard firstFull <= lastFull else {
      months = nil
      days = [(period.from.description, period.to.description)]
      return
    }
    months = (
      ReportPeriod.monthKey(year: firstFull.year, month: firstFull.month),
      ReportPeriod.monthKey(year: lastFull.year, month: lastFull.month)
    )
    var edges: [(String, String)] = []
    if period.from < firstFull { edges.append((period.from.description, firstFull.adding(days: -1).description)) }
    let afterLast = lastFull.adding(months: 1)
    if afterLast <= period.to { edges.append((afterLast.description, period.to.description)) }
    days = edges
  }

  static func == (lhs: MonthSplit, rhs: MonthSplit) -> Bool {
    lhs.months?.first == rhs.months?.first && lhs.months?.last == rhs.months?.last
      && lhs.days.map(\.from) == rhs.days.map(\.from) && lhs.days.map(\.to) == rhs.days.map(\.to)
  }

  /// The rows of a maintained table for the whole months and the same counts made from the
  /// records for the other days, one after the other (`UNION ALL`), for a query to add up.
  /// `narrowing` is given the scheme and node columns of each half.
  func source(
    _ table: StatisticsAggregates.MaintainedTable,
    narrowing: (_ scheme: String, _ organisation: String) -> SQLQueryString
  ) -> SQLQueryString {
    var parts: [SQLQueryString] = []
    if let months {
      parts.append(
        """
        SELECT \(unsafeRaw: table.columns) FROM \(unsafeRaw: table.name) s
        WHERE s.month >= \(bind: months.first) AND s.month <= \(bind: months.last)
          AND \(narrowing("s.scheme_code", "s.organisation_id"))
        """)
    }
    if !days.isEmpty {
      var within: [SQLQueryString] = []
      for range in days {
        within.append(
          "(\(unsafeRaw: table.day) >= \(bind: range.from) AND \(unsafeRaw: table.day) <= \(bind: range.to))")
      }
      parts.append(
        table.counts("(\(within.joined(separator: " OR "))) AND \(narrowing(table.scheme, table.organisation))"))
    }
    return parts.joined(separator: " UNION ALL ")
  }
}
