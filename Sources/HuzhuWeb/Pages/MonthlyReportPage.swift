import HuzhuCore
import Plot

/// The monthly report to print (A4): the month's figures beside the year to date, the areas
/// for the month, and the month's claims by benefit. Built from the same statistics model as
/// the page, for two periods.
enum MonthlyReportPage {
  struct View: LocalizedView {
    let month: StatisticsPage.Model
    let year: StatisticsPage.Model
    let language: DisplayLanguage
    let viewer: Viewer

    func html() -> HTML {
      let period = month.period.from
      let title =
        month.root.displayName(language)
        + text(
          " 职工互助保障月报 \(period.year)年\(period.month)月", " — mutual aid monthly report, \(period.year)-\(period.month)")
      let english = language == .en
      return Layout(
        title: title, language: language, currentPath: SiteURL.statistics.path, viewer: viewer,
        content: .group(
          .div(
            .class("monthly-report"),
            .p(.class("report-title"), .strong(.text(title))),
            .p(
              .class("muted"),
              .text(
                text("本月 ", "Month ") + month.period.description + text("；本年累计 ", "; year to date ")
                  + year.period.description)),
            comparison(),
            .h2(.text(text("本月分区域", "The month by area"))),
            .reportTable(month.report.areaTable(english: english) { _ in nil }, language: language),
            .h2(.text(text("本月分保障项目", "The month by benefit"))),
            .reportTable(month.report.benefitTable(english: english, names: month.names), language: language),
            .p(
              .class("no-print"),
              .a(
                .class("button"), .href(SiteURL.statistics.path + month.query.string()),
                .text(text("返回统计分析", "Back to the statistics"))),
              .text(" "),
              .span(.class("muted"), .text(text("用浏览器打印本页（A4）。", "Print this page from the browser (A4).")))),
            .p(
              .class("muted"),
              .text(text("制表：", "Prepared by: ") + viewer.displayName + " · " + Layout.timestamp(.now)))
          ))
      ).html()
    }

    private func comparison() -> Node<HTML.BodyContext> {
      let rows: [(String, String, String)] = [
        (
          text("新增参保人次", "New person-products"), String(month.report.totals.newPersonProducts),
          String(year.report.totals.newPersonProducts)
        ),
        (
          text("参保人数（期内有效）", "Insured persons"), String(month.report.totals.insuredPersons),
          String(year.report.totals.insuredPersons)
        ),
        (
          text("筹集金额（元）", "Collected (yuan)"), month.report.totals.collected.formatted,
          year.report.totals.collected.formatted
        ),
        (
          text("其中工会补贴（元）", "of which union subsidy"), month.report.unionSubsidy.formatted,
          year.report.unionSubsidy.formatted
        ),
        (text("赔付人次", "Claims paid"), String(month.report.totals.paidClaims), String(year.report.totals.paidClaims)),
        (text("受益职工（人）", "Workers paid"), String(month.report.personsPaid), String(year.report.personsPaid)),
        (
          text("赔付金额（元）", "Amount paid (yuan)"), month.report.totals.paidAmount.formatted,
          year.report.totals.paidAmount.formatted
        ),
        (
          text("赔付率", "Loss ratio"), month.report.totals.lossRatio.percentText(),
          year.report.totals.lossRatio.percentText()
        ),
        (text("平均办结（工作日）", "Average working days"), month.report.service.averageText, year.report.service.averageText),
        (
          text("按时办结率", "Paid within the deadline"), month.report.service.withinDeadline.percentText(),
          year.report.service.withinDeadline.percentText()
        ),
      ]
      return .table(
        .class("data-table"),
        .thead(
          .tr(
            .th(.text(text("指标", "Indicator"))), .th(.class("number"), .text(text("本月", "Month"))),
            .th(.class("number"), .text(text("本年累计", "Year to date"))))),
        .tbody(
          .forEach(rows) { label, monthValue, yearValue in
            .tr(.td(.text(label)), .td(.class("number"), .text(monthValue)), .td(.class("number"), .text(yearValue)))
          }))
    }

  }
}
