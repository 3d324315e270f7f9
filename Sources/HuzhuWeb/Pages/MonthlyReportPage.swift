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
            // The title on paper (the page's heading is not printed; on screen it is the title).
            .p(.class("report-title print-only"), .strong(.text(title))),
            // Another month, and the print button (neither is printed).
            .form(
              .class("inline-form no-print"), .id("monthly-picker"), .method(.get),
              .action(SiteURL.monthlyReport.path),
              .unwrap(month.query.organisationID) { .input(.type(.hidden), .name("org"), .value($0.description)) },
              .unwrap(month.query.schemeCode) { .input(.type(.hidden), .name("scheme"), .value($0)) },
              .label(.for("month"), .text(text("月份", "Month"))),
              .input(
                .type(.month), .name("month"), .id("month"),
                .value("\(period.year)-\(period.month < 10 ? "0" : "")\(period.month)")),
              .button(.type(.submit), .text(text("查看", "Show"))),
              .button(
                .type(.button), .class("secondary"), .id("print-report"), .data(named: "print", value: "1"),
                .text(text("打印", "Print")))),
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
              .span(.class("muted"), .text(text("A4 纸打印。", "Prints on A4.")))),
            .p(
              .class("muted"),
              .text(text("制表：", "Prepared by: ") + viewer.displayName + " · " + Layout.timestamp(.now)))
          ))
      ).html()
    }

    private func comparison() -> Node<HTML.BodyContext> {
      let rows: [(String, String, String)] = [
        (
          text("新增参保人次", "New person-products"), month.report.totals.newPersonProducts.grouped,
          year.report.totals.newPersonProducts.grouped
        ),
        (
          text("参保人数（期内有效）", "Insured persons"), month.report.totals.insuredPersons.grouped,
          year.report.totals.insuredPersons.grouped
        ),
        (
          text("筹集金额（元）", "Collected (yuan)"), month.report.totals.collected.formatted,
          year.report.totals.collected.formatted
        ),
        (
          text("其中工会补贴（元）", "of which union subsidy"), month.report.unionSubsidy.formatted,
          year.report.unionSubsidy.formatted
        ),
        (text("赔付人次", "Claims paid"), month.report.totals.paidClaims.grouped, year.report.totals.paidClaims.grouped),
        (text("受益职工（人）", "Workers paid"), month.report.personsPaid.grouped, year.report.personsPaid.grouped),
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
