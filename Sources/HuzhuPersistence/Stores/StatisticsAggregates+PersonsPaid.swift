import FluentKit
import Foundation
import HuzhuCore
import SQLKit

/// Persons paid (受益人数) without a distinct count over a year's claims (M013): a province's
/// year is 280,000 distinct members, and `COUNT(DISTINCT)` over them took most of a second.
///
/// Each node-month row of `stat_paid_person_months` counts the paid claims that are their
/// member's first paid claim at that node in that scheme, in the calendar year
/// (`year_firsts`) and ever (`ever_firsts`). Summed over a report's nodes and schemes up to
/// its last day, they count each member once per (node, scheme) they were paid at. The few
/// members paid at more than one (node, scheme) pair (a transfer, a second scheme) are listed
/// in `stat_paid_spread`, one row per pair with its first payment, so the report subtracts
/// exactly what was counted twice:
///
///     persons = Σ firsts − Σ over spread members (pairs in the report − 1)
///
/// This holds for periods that start on 1 January and end in the same year, and for periods
/// that start no later than the first paid claim on record; any other period is counted
/// from the claims (``FluentStatisticsStore/personsPaid(_:nodes:)``).
extension StatisticsAggregates {
  static let paidPersonMonths = MaintainedTable(
    name: "stat_paid_person_months", columns: "organisation_id, scheme_code, month, year_firsts, ever_firsts",
    counts: firstPaidCounts, day: "c.paid_on", scheme: "c.scheme_code", organisation: "c.organisation_id")

  /// No earlier paid claim of the same member at the same node (NULL matching NULL) in the
  /// same scheme, since `since` when given. Claims paid the same day are ordered by id.
  static func earlierPaid(since: SQLQueryString?) -> SQLQueryString {
    let from: SQLQueryString = since.map { " AND o.paid_on >= \($0)" } ?? ""
    return """
      NOT EXISTS (SELECT 1 FROM claims o WHERE o.worker_id = c.worker_id AND o.scheme_code = c.scheme_code \
      AND o.state = 'paid' AND (o.organisation_id = c.organisation_id \
      OR (o.organisation_id IS NULL AND c.organisation_id IS NULL)) \
      AND (o.paid_on < c.paid_on OR (o.paid_on = c.paid_on AND o.id < c.id))\(from))
      """
  }

  /// First paid claims by node, scheme and month, narrowed by `condition` on the claims `c`.
  /// Columns: organisation_id, scheme_code, month, year_firsts, ever_firsts.
  static func firstPaidCounts(where condition: SQLQueryString) -> SQLQueryString {
    """
    SELECT c.organisation_id, c.scheme_code, SUBSTR(c.paid_on, 1, 7) AS month,
      CAST(SUM(CASE WHEN \(earlierPaid(since: "SUBSTR(c.paid_on, 1, 4) || '-01-01'")) THEN 1 ELSE 0 END) AS BIGINT)
        AS year_firsts,
      CAST(SUM(CASE WHEN \(earlierPaid(since: nil)) THEN 1 ELSE 0 END) AS BIGINT) AS ever_firsts
    FROM claims c
    WHERE c.state = 'paid' AND c.paid_on IS NOT NULL AND \(condition)
    GROUP BY c.organisation_id, c.scheme_code, SUBSTR(c.paid_on, 1, 7)
    """
  }

  /// The members paid at two or more (node, scheme) pairs in a year (`span` `YYYY`) or ever
  /// (`span` `ever`), one row per pair with its first payment, narrowed by `condition` on the
  /// claims `c` (whole members only: a member's rows are recounted together).
  static func spreadCounts(where condition: SQLQueryString) -> SQLQueryString {
    // `span` is also grouped by when it is a column (PostgreSQL refuses a constant there).
    func spread(_ span: SQLQueryString, isColumn: Bool) -> SQLQueryString {
      let byYear: SQLQueryString = isColumn ? "\(span), " : ""
      return """
        SELECT s.worker_id, s.span, s.scheme_code, s.organisation_id, s.first_paid_on FROM (
          SELECT g.worker_id, g.span, g.scheme_code, g.organisation_id, g.first_paid_on,
            COUNT(*) OVER (PARTITION BY g.worker_id, g.span) AS pairs
          FROM (
            SELECT c.worker_id, \(span) AS span, c.scheme_code, c.organisation_id, MIN(c.paid_on) AS first_paid_on
            FROM claims c WHERE c.state = 'paid' AND c.paid_on IS NOT NULL AND \(condition)
            GROUP BY c.worker_id, \(byYear)c.scheme_code, c.organisation_id) g) s
        WHERE s.pairs >= 2
        """
    }
    return "\(spread("SUBSTR(c.paid_on, 1, 4)", isColumn: true)) UNION ALL \(spread("'ever'", isColumn: false))"
  }

  static let spreadColumns = "worker_id, span, scheme_code, organisation_id, first_paid_on"

  /// Both tables from scratch.
  public static func rebuildPersonsPaid(on database: any Database) async throws {
    let sql = database.sqlDatabase
    try await sql.raw("DELETE FROM stat_paid_person_months").run()
    try await sql.raw(
      "INSERT INTO stat_paid_person_months (\(unsafeRaw: paidPersonMonths.columns)) \(firstPaidCounts(where: "1 = 1"))"
    ).run()
    try await sql.raw("DELETE FROM stat_paid_spread").run()
    try await sql.raw("INSERT INTO stat_paid_spread (\(unsafeRaw: spreadColumns)) \(spreadCounts(where: "1 = 1"))")
      .run()
  }

  /// What paying a member's claim at a node in a scheme on a day changes: the claim tables'
  /// month, the months of the member's later paid claims there (a payment recorded with an
  /// earlier day makes them no longer the first of their year, or ever), and the member's
  /// spread rows.
  static func refreshPaid(
    worker: UUID, organisationID: UUID?, schemeCode: String, day: CalendarDate, on database: any Database
  ) async throws {
    let sql = database.sqlDatabase
    let key = MonthKey(organisationID: organisationID, schemeCode: schemeCode, day: day)
    try await refresh([key], of: claimTables, on: database)
    struct Month: Decodable { let month: String }
    let node = node("c.organisation_id", is: organisationID)
    let later = try await sql.raw(
      """
      SELECT DISTINCT SUBSTR(c.paid_on, 1, 7) AS month FROM claims c
      WHERE c.worker_id = \(bind: worker) AND c.scheme_code = \(bind: schemeCode) AND \(node) AND c.state = 'paid'
        AND c.paid_on > \(bind: day.description)
      """
    ).all(decoding: Month.self)
    var months: Set<MonthKey> = [key]
    for row in later {
      guard let first = CalendarDate("\(row.month)-01") else { continue }
      months.insert(MonthKey(organisationID: organisationID, schemeCode: schemeCode, day: first))
    }
    try await refresh(months, of: [paidPersonMonths], on: database)
    try await lock("stat_paid_spread/\(worker)", on: sql)
    try await sql.raw("DELETE FROM stat_paid_spread WHERE worker_id = \(bind: worker)").run()
    try await sql.raw(
      "INSERT INTO stat_paid_spread (\(unsafeRaw: spreadColumns)) \(spreadCounts(where: "c.worker_id = \(bind: worker)"))"
    ).run()
  }
}

/// Which first-payment count answers a period, if one does.
enum PersonsPaidSpan: Equatable {
  /// From 1 January to a day of the same year.
  case year(Int)
  /// From no later than the first paid claim on record (or with none on record).
  case ever

  init?(_ period: ReportPeriod, firstPaid: CalendarDate?) {
    if firstPaid.map({ period.from <= $0 }) ?? true {
      self = .ever
    } else if period.from.month == 1, period.from.day == 1, period.to.year == period.from.year {
      self = .year(period.from.year)
    } else {
      return nil
    }
  }

  /// The column of `stat_paid_person_months` and the `span` of `stat_paid_spread`.
  var column: String {
    switch self {
    case .year: "year_firsts"
    case .ever: "ever_firsts"
    }
  }

  var spread: String {
    switch self {
    case .year(let year): String(format: "%04d", year)
    case .ever: "ever"
    }
  }
}
