import Foundation
import HuzhuApp
import HuzhuCore
import HuzhuSpreadsheet
import Vapor

/// Statistics, their exports, the monthly report, targets and the what-if simulator.
extension PagesController {
  @Sendable func statistics(_ request: Request) async throws -> Response {
    let today = request.today
    let query = StatisticsPage.Query.parse(request, today: today, years: request.services.limits.reportYears)
    let model = try await StatisticsPage.Model.load(request, query: query, today: today)
    return StatisticsPage.View(
      model: model, language: request.displayLanguage, viewer: try request.requireViewer(), today: today
    )
    .html().response()
  }

  /// One table of the statistics page as CSV or Excel, exactly as the page shows it; every
  /// export is written to the audit log.
  @Sendable func exportStatistics(_ request: Request) async throws -> Response {
    try request.require(.export)
    let today = request.today
    let query = StatisticsPage.Query.parse(request, today: today, years: request.services.limits.reportYears)
    guard let format = request.query[String.self, at: "format"], ["csv", "xlsx"].contains(format) else {
      throw APIError.invalidQuery("format", expected: LocalizedText(zh: "应为 csv 或 xlsx", en: "takes csv or xlsx"))
    }
    let english = request.displayLanguage == .en
    let id = request.query[String.self, at: "table"] ?? ""
    let model = try await StatisticsPage.Model.load(
      request, query: query, today: today, unitLimit: id == "units" ? nil : StatisticsPage.Model.unitsOnPage)
    guard let table = model.tables(english: english, whole: true).first(where: { $0.id == id }) else {
      throw APIError.invalidQuery(
        "table", expected: LocalizedText(zh: "没有这个统计表", en: "names no table of the statistics page"))
    }
    let data = format == "csv" ? ReportFile.csv(table, english: english) : try ReportFile.xlsx(table, english: english)
    try await request.reports.recordExport(
      table: table.id, format: format, node: model.root, period: model.period, scheme: query.schemeCode)
    return Response.spreadsheet(
      data, excel: format == "xlsx",
      name: "huzhu-\(table.id)-\(model.root.code)-\(model.period.from)-\(model.period.to)")
  }

  /// The printable monthly report: the month and the year to its end, side by side.
  @Sendable func monthlyReport(_ request: Request) async throws -> Response {
    let today = request.today
    var query = StatisticsPage.Query.parse(request, today: today, years: request.services.limits.reportYears)
    let monthText = request.query[String.self, at: "month"] ?? ""
    let parts = monthText.split(separator: "-").compactMap { Int($0) }
    guard parts.count == 2, let first = CalendarDate(year: parts[0], month: parts[1], day: 1) else {
      throw APIError.invalidQuery(
        "month", expected: LocalizedText(zh: "月份格式应为 2020-11", en: "a month is written 2020-11"))
    }
    query.from = first
    query.fromGiven = true
    query.to = first.adding(months: 1).adding(days: -1)
    let month = try await StatisticsPage.Model.load(request, query: query, today: today)
    query.from = CalendarDate(year: first.year, month: 1, day: 1)!
    let year = try await StatisticsPage.Model.load(request, query: query, today: today)
    return MonthlyReportPage.View(
      month: month, year: year, language: request.displayLanguage, viewer: try request.requireViewer()
    ).html().response()
  }
}

extension Request {
  /// The signed-in operator as the pages show them (the route already required a sign-in).
  func requireViewer() throws -> Viewer {
    guard let viewer else { throw APIError.unauthorized }
    return viewer
  }
}
