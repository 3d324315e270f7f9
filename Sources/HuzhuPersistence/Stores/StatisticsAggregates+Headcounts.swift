import FluentKit
import Foundation
import HuzhuCore
import SQLKit

/// Each unit's latest headcount report, kept on the unit row (M014: `headcount_as_of`,
/// `headcount_total`, `headcount_female`), so that a province's statistics read 20,000 units'
/// headcounts with the units rather than looking each one up among the reports. A report
/// ending before the latest one still looks up that unit's report in force then.
///
/// Written with every report (``FluentRegistryStore/record(_:for:)``) and by the bulk writers;
/// a test holds the columns equal to a recount (``rebuildLatestHeadcounts(on:)``).
extension StatisticsAggregates {
  /// Recounts the columns of the units `condition` (on `units`) selects.
  static func refreshLatestHeadcounts(where condition: SQLQueryString, on database: any Database) async throws {
    let sql = database.sqlDatabase
    try await sql.raw(
      """
      UPDATE units SET headcount_as_of = (SELECT MAX(h.as_of) FROM unit_headcounts h WHERE h.unit_id = units.id)
      WHERE \(condition)
      """
    ).run()
    try await sql.raw(
      """
      UPDATE units SET
        headcount_total = (SELECT h.total FROM unit_headcounts h
          WHERE h.unit_id = units.id AND h.as_of = units.headcount_as_of),
        headcount_female = (SELECT h.female FROM unit_headcounts h
          WHERE h.unit_id = units.id AND h.as_of = units.headcount_as_of)
      WHERE \(condition)
      """
    ).run()
  }

  /// One unit's columns, after a report of it was written in the same transaction.
  static func refreshLatestHeadcount(ofUnit unit: UUID, on database: any Database) async throws {
    try await refreshLatestHeadcounts(where: "id = \(bind: unit)", on: database)
  }

  /// Every unit's columns from scratch.
  public static func rebuildLatestHeadcounts(on database: any Database) async throws {
    try await refreshLatestHeadcounts(where: "1 = 1", on: database)
  }

  /// A unit's headcount (`total` or `female`) in force on `day`: the kept latest report when
  /// it is not later than the day, else the latest report on or before it. For `units u`.
  static func headcount(_ column: String, on day: String) -> SQLQueryString {
    """
    CASE WHEN u.headcount_as_of IS NULL THEN NULL
      WHEN u.headcount_as_of <= \(bind: day) THEN u.headcount_\(unsafeRaw: column)
      ELSE (SELECT h.\(unsafeRaw: column) FROM unit_headcounts h WHERE h.unit_id = u.id AND h.as_of = (
        SELECT MAX(l.as_of) FROM unit_headcounts l WHERE l.unit_id = u.id AND l.as_of <= \(bind: day))) END
    """
  }
}
