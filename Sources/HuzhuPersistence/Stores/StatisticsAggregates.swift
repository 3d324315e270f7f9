import FluentKit
import Foundation
import HuzhuCore
import SQLKit

/// Maintained counts of cover, so that the statistics never count millions of enrollments:
/// one row per unit, scheme, product and coverage period (`stat_cohorts`: person-products,
/// first-time and renewing, how many renewed later) and one per unit, scheme and coverage
/// period (`stat_cohort_persons`: distinct members, how many women).
///
/// Every row is a recount of the enrollments it stands for, by the same statement that
/// rebuilds the whole table: a write that changes cover recounts the rows it touched
/// (``refresh(_:on:)``), and a test holds the maintained rows equal to a rebuild from
/// scratch (``rebuildAll(on:)``).
///
/// A member counts once per coverage period: someone whose cover in two periods both overlap
/// a report's dates counts in each (the articles' figures are each within one period).
public enum StatisticsAggregates {
  /// One coverage period of one unit's cover in one product.
  public struct Key: Hashable, Sendable {
    public let unitID: UUID
    public let schemeCode: String
    public let productCode: String
    public let periodStart: String
  }

  /// Holds the recount of one key to the end of the transaction. Two transactions recounting
  /// the same rows would otherwise each delete what the other cannot yet see and insert their
  /// own count (twice the rows, or a unique-key failure). On PostgreSQL a transaction-scoped
  /// advisory lock on the key makes the second wait and then count both; SQLite has one
  /// writer at a time already.
  static func lock(_ key: String, on sql: any SQLDatabase) async throws {
    guard sql.dialect.name == "postgresql" else { return }
    try await sql.raw("SELECT pg_advisory_xact_lock(hashtextextended(\(bind: key), 0))").run()
  }

  /// The recount, narrowed by `condition` on the enrollments `e`.
  static func recountCohorts(where condition: SQLQueryString) -> SQLQueryString {
    """
    INSERT INTO stat_cohorts (unit_id, organisation_id, scheme_code, product_code, period_start, period_end,
      person_products, new_products, renewed_products, renewed_later)
    SELECT e.unit_id, u.organisation_id, e.scheme_code, e.product_code, e.period_start, MAX(e.period_end),
      COUNT(*),
      SUM(CASE WHEN e.previous_cover_end IS NULL THEN 1 ELSE 0 END),
      SUM(CASE WHEN e.previous_cover_end IS NULL THEN 0 ELSE 1 END),
      SUM(CASE WHEN EXISTS (SELECT 1 FROM enrollments r WHERE r.worker_id = e.worker_id
        AND r.product_code = e.product_code AND r.status = 'active' AND r.period_start > e.period_start)
        THEN 1 ELSE 0 END)
    FROM enrollments e JOIN units u ON u.id = e.unit_id
    WHERE e.status = 'active' AND \(condition)
    GROUP BY e.unit_id, u.organisation_id, e.scheme_code, e.product_code, e.period_start
    """
  }

  static func recountPersons(where condition: SQLQueryString) -> SQLQueryString {
    """
    INSERT INTO stat_cohort_persons (unit_id, organisation_id, scheme_code, period_start, period_end, persons,
      female_persons)
    SELECT x.unit_id, x.organisation_id, x.scheme_code, x.period_start, MAX(x.period_end), COUNT(*),
      SUM(CASE WHEN w.gender = 'female' THEN 1 ELSE 0 END)
    FROM (
      SELECT e.unit_id, u.organisation_id, e.scheme_code, e.period_start, MAX(e.period_end) AS period_end, e.worker_id
      FROM enrollments e JOIN units u ON u.id = e.unit_id
      WHERE e.status = 'active' AND \(condition)
      GROUP BY e.unit_id, u.organisation_id, e.scheme_code, e.period_start, e.worker_id
    ) AS x JOIN workers w ON w.id = x.worker_id
    GROUP BY x.unit_id, x.organisation_id, x.scheme_code, x.period_start
    """
  }

  /// Every maintained row (cover, months, persons paid, units' latest headcounts) from scratch.
  public static func rebuildAll(on database: any Database) async throws {
    try await rebuildCover(on: database)
    try await rebuildMonths(on: database)
    try await rebuildPersonsPaid(on: database)
    try await rebuildLatestHeadcounts(on: database)
  }

  /// Every row of cover from scratch.
  public static func rebuildCover(on database: any Database) async throws {
    let sql = database.sqlDatabase
    try await sql.raw("DELETE FROM stat_cohorts").run()
    try await sql.raw("DELETE FROM stat_cohort_persons").run()
    try await sql.raw(recountCohorts(where: "1 = 1")).run()
    try await sql.raw(recountPersons(where: "1 = 1")).run()
  }

  /// Recounts the rows of these cohorts, and of the earlier cohorts their members renewed
  /// from (whose "renewed later" just changed).
  public static func refresh(_ keys: Set<Key>, on database: any Database) async throws {
    guard !keys.isEmpty else { return }
    let sql = database.sqlDatabase
    var all = keys
    struct Previous: Decodable {
      let unit_id: UUID
      let scheme_code: String
      let product_code: String
      let period_start: String
    }
    for key in keys {
      for row in try await sql.raw(
        """
        SELECT DISTINCT p.unit_id, p.scheme_code, p.product_code, p.period_start
        FROM enrollments e JOIN enrollments p ON p.worker_id = e.worker_id AND p.product_code = e.product_code
          AND p.period_end = e.previous_cover_end
        WHERE e.unit_id = \(bind: key.unitID) AND e.scheme_code = \(bind: key.schemeCode)
          AND e.product_code = \(bind: key.productCode) AND e.period_start = \(bind: key.periodStart)
          AND e.previous_cover_end IS NOT NULL AND p.unit_id IS NOT NULL
        """
      ).all(decoding: Previous.self) {
        all.insert(
          Key(
            unitID: row.unit_id, schemeCode: row.scheme_code, productCode: row.product_code,
            periodStart: row.period_start))
      }
    }
    for key in all.sorted(by: { "\($0)" < "\($1)" }) {
      try await lock("cohort/\(key.unitID)/\(key.schemeCode)/\(key.periodStart)", on: sql)
    }
    for key in all {
      let cohort: SQLQueryString = """
        e.unit_id = \(bind: key.unitID) AND e.scheme_code = \(bind: key.schemeCode) \
        AND e.product_code = \(bind: key.productCode) AND e.period_start = \(bind: key.periodStart)
        """
      try await sql.raw(
        """
        DELETE FROM stat_cohorts WHERE unit_id = \(bind: key.unitID) AND scheme_code = \(bind: key.schemeCode)
          AND product_code = \(bind: key.productCode) AND period_start = \(bind: key.periodStart)
        """
      ).run()
      try await sql.raw(recountCohorts(where: cohort)).run()
    }
    for person in Set(
      all.map { Key(unitID: $0.unitID, schemeCode: $0.schemeCode, productCode: "", periodStart: $0.periodStart) })
    {
      try await sql.raw(
        """
        DELETE FROM stat_cohort_persons WHERE unit_id = \(bind: person.unitID)
          AND scheme_code = \(bind: person.schemeCode) AND period_start = \(bind: person.periodStart)
        """
      ).run()
      try await sql.raw(
        recountPersons(
          where: """
            e.unit_id = \(bind: person.unitID) AND e.scheme_code = \(bind: person.schemeCode) \
            AND e.period_start = \(bind: person.periodStart)
            """)
      ).run()
    }
  }

  /// The cohorts a bill's enrollments belong to.
  static func keys(ofBill bill: UUID, on database: any Database) async throws -> Set<Key> {
    struct Row: Decodable {
      let unit_id: UUID
      let scheme_code: String
      let product_code: String
      let period_start: String
    }
    let rows = try await database.sqlDatabase.raw(
      """
      SELECT DISTINCT unit_id, scheme_code, product_code, period_start FROM enrollments
      WHERE bill_id = \(bind: bill) AND unit_id IS NOT NULL
      """
    ).all(decoding: Row.self)
    return Set(
      rows.map {
        Key(unitID: $0.unit_id, schemeCode: $0.scheme_code, productCode: $0.product_code, periodStart: $0.period_start)
      })
  }
}
