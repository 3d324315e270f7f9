/// Counts for the statistics pages, reports and exports, and the provincial office's targets.
/// Every figure is counted from the records (enrollments, payments, claims) by the database;
/// ``StatisticsReport`` does the arithmetic on top.
public protocol StatisticsStore: Sendable {
  func facts(_ query: StatisticsQuery) async throws -> StatisticsFacts
  /// The targets whose period contains `day`, for every agency the store's scope shows.
  func targets(on day: CalendarDate) async throws -> [AgencyTarget]
  /// Sets (or replaces) an agency's target for a period and measure.
  func save(_ target: AgencyTarget, by: String) async throws
  /// Each target with what its agency collected or enrolled in its period up to `asOf`, day
  /// by day.
  /// Every claim of the scheme paid in the period under the given nodes (nil: all the scope
  /// shows), with its member and their cover in the scheme: what the what-if replays.
  func simulationCases(schemeCode: String, period: ReportPeriod, organisations: Set<Organisation.ID>?) async throws
    -> [SimulationCase]
  func achievements(of targets: [AgencyTarget], asOf: CalendarDate, schemeCode: String?) async throws
    -> [TargetAchievement]
}
