import HuzhuCore
import Plot

extension StatisticsPage {
  struct View: LocalizedView {
    let model: Model
    let language: DisplayLanguage
    let viewer: Viewer
    let today: CalendarDate

    var english: Bool { language == .en }

    func html() -> HTML {
      let report = model.report
      return Layout(
        title: text("统计分析", "Statistics") + " · " + model.root.displayName(language), language: language,
        currentPath: SiteURL.statistics.path, viewer: viewer,
        content: .group(
          breadcrumbs(),
          filters(),
          .p(
            .class("muted"),
            .text(
              text("统计期间 ", "Period ") + model.period.description
                + (model.query.schemeCode.map { " · " + schemeName($0) } ?? text(" · 全部方案", " · all schemes")))),
          headline(report),
          charts(report),
          .forEach(model.tables(english: english).filter { $0.id != "indicators" }) { table(self.model, $0) },
          table(model, model.report.indicatorTable(fund: model.fund)),
          .p(
            .class("muted no-print"),
            .text(
              text(
                "参保人数为统计期内有效（已缴费）保障的不同职工人数；参保率 = 参保人数 ÷ 单位申报的在职职工人数；赔付率 = 赔付金额 ÷ 筹集金额；办结工作日自材料齐全之日起按法定节假日与调休计算。",
                "Insured persons are distinct members with paid cover in the period; participation = insured ÷ the units' reported headcount; loss ratio = paid ÷ collected; working days run from complete documents, counting public holidays and adjusted working days."
              )))
        )
      ).html()
    }

    private func schemeName(_ code: String) -> String {
      model.schemes.first { $0.code == code }.map {
        english ? ($0.definition.scheme.nameEn ?? code) : $0.definition.scheme.name
      }
        ?? code
    }

    private func breadcrumbs() -> Node<HTML.BodyContext> {
      .nav(
        .class("breadcrumbs"),
        .forEach(Array(model.path.enumerated())) { index, node in
          .group(
            .if(index > 0, .text(" › ")),
            .a(
              .href(SiteURL.statistics.path + model.query.string(organisation: node.id)),
              .text(node.displayName(language))))
        })
    }

    private func filters() -> Node<HTML.BodyContext> {
      let errors = model.query.problems
      return .group(
        .form(
          .class("filters no-print"), .method(.get), .action(SiteURL.statistics.path),
          .labelled(
            text("机构", "Organisation"), for: "org", errors: errors.filter { $0.field == "org" }, language: language,
            .organisationSelect(
              "org", nodes: model.nodes, selected: model.root.id.description, language: language)),
          .labelled(
            text("方案", "Scheme"), for: "scheme", errors: [], language: language,
            .namedSelect(
              "scheme", id: "scheme",
              [.choice("", text("全部方案", "All schemes"), selected: model.query.schemeCode == nil)]
                + model.schemes.map { scheme in
                  .choice(scheme.code, schemeName(scheme.code), selected: scheme.code == model.query.schemeCode)
                })),
          .labelled(
            text("起始日期", "From"), for: "from", errors: errors.filter { $0.field == "from" }, language: language,
            .input(.type(.date), .name("from"), .id("from"), .value(model.query.from.description))),
          .labelled(
            text("截止日期", "To"), for: "to", errors: errors.filter { $0.field == "to" }, language: language,
            .input(.type(.date), .name("to"), .id("to"), .value(model.query.to.description))),
          .div(.class("actions"), .button(.type(.submit), .text(text("统计", "Show"))))
        ),
        .p(
          .class("presets no-print"),
          .text(text("快捷期间：", "Quick periods: ")),
          .forEach(model.presets(today: today)) { preset in
            var query = model.query
            query.from = preset.from
            query.to = preset.to
            return .group(
              .a(.href(SiteURL.statistics.path + query.string()), .text(preset.label.text(for: language))), .text(" "))
          },
          .a(
            .href(
              SiteURL.monthlyReport.path
                + model.query.string(extra: [
                  ("month", ReportPeriod.monthKey(year: model.period.to.year, month: model.period.to.month))
                ])),
            .text(text("打印月报", "Printable monthly report")))
        )
      )
    }

    private func headline(_ report: StatisticsReport) -> Node<HTML.BodyContext> {
      let totals = report.totals
      return .group(
        .h2(.text(text("主要指标", "Key figures"))),
        .div(
          .class("figures stat-figures"),
          .statistic(totals.participatingUnits.grouped, text("参保单位（家）", "Participating units"), id: "stat-units"),
          .statistic(totals.insuredPersons.grouped, text("参保人数", "Insured persons"), id: "stat-insured"),
          .statistic(totals.personProducts.grouped, text("参保人次", "Person-products"), id: "stat-person-products"),
          .statistic(totals.participation.percentText(), text("参保率", "Participation"), id: "stat-participation"),
          .statistic(totals.collected.formatted, text("筹集金额（元）", "Collected (yuan)"), id: "stat-collected"),
          .statistic(report.unionSubsidy.formatted, text("工会补贴（元）", "Union subsidy (yuan)"), id: "stat-subsidy"),
          .statistic(totals.paidClaims.grouped, text("赔付人次", "Claims paid"), id: "stat-paid-claims"),
          .statistic(report.personsPaid.grouped, text("受益职工（人）", "Workers paid"), id: "stat-persons-paid"),
          .statistic(totals.paidAmount.formatted, text("赔付金额（元）", "Amount paid (yuan)"), id: "stat-paid-amount"),
          .statistic(report.averagePerClaim.formatted, text("件均赔付（元）", "Average per claim"), id: "stat-average"),
          .statistic(totals.lossRatio.percentText(), text("赔付率", "Loss ratio"), id: "stat-loss-ratio"),
          .unwrap(model.fund) {
            .statistic($0.balance.formatted, text("基金结余（元，全方案）", "Fund balance (whole scheme)"), id: "stat-fund")
          },
          .statistic(report.service.averageText, text("平均办结（工作日）", "Average working days to pay"), id: "stat-days"),
          .statistic(
            report.service.withinDeadline.percentText(), text("按时办结率", "Paid within the deadline"), id: "stat-on-time"),
          .statistic(report.service.overdueNow.grouped, text("当前超期", "Overdue now"), id: "stat-overdue")
        )
      )
    }

    private func charts(_ report: StatisticsReport) -> Node<HTML.BodyContext> {
      // A long period shows its last 24 months; the table below has them all.
      let months = Array(report.monthly.suffix(24))
      let collected = months.map {
        SVGChart.Datum(label: String($0.month.suffix(5)), value: $0.collected.fen, display: $0.collected.formatted)
      }
      let paid = months.map {
        SVGChart.Datum(label: String($0.month.suffix(5)), value: $0.paidAmount.fen, display: $0.paidAmount.formatted)
      }
      var running = 0
      let growth = report.monthly.map { month -> SVGChart.Datum in
        running += month.newPersonProducts
        return SVGChart.Datum(label: String(month.month.suffix(5)), value: Int64(running), display: String(running))
      }.suffix(24)
      let areas = report.byArea.filter { $0.figures.headcount > 0 }.map {
        SVGChart.Datum(
          label: $0.label.text(for: language), value: Int64($0.figures.participation.fraction * 10_000),
          display: $0.figures.participation.percentText())
      }
      return .group(
        .h2(.text(text("图表", "Charts"))),
        .div(
          .class("charts"),
          chart(
            .raw(SVGChart.columns(collected, title: text("每月筹集金额", "Collected each month"))),
            text("每月筹集金额（元）", "Collected each month (yuan)")),
          chart(
            .raw(SVGChart.columns(paid, title: text("每月赔付金额", "Paid each month"), color: SVGChart.palette.secondary)),
            text("每月赔付金额（元）", "Paid each month (yuan)")),
          chart(
            .raw(SVGChart.line(Array(growth), title: text("累计新增参保人次", "New person-products, cumulative"))),
            text("累计新增参保人次", "New person-products, cumulative")),
          .if(
            !areas.isEmpty,
            chart(
              .raw(SVGChart.rows(areas, title: text("各区域参保率", "Participation by area"))),
              text("各区域参保率", "Participation by area")))
        )
      )
    }

    /// A chart with its caption (Plot has no `<figure>` for body content).
    private func chart(_ svg: Node<HTML.BodyContext>, _ caption: String) -> Node<HTML.BodyContext> {
      .element(
        named: "figure",
        nodes: [.attribute(named: "class", value: "chart-box"), svg, .element(named: "figcaption", text: caption)])
    }

    private func table(_ model: Model, _ table: ReportTable) -> Node<HTML.BodyContext> {
      let export = SiteURL.statisticsExport.path
      return .section(
        .class("report-table"), .id("table-\(table.id)"),
        .h2(
          .text(table.title.text(for: language)),
          .if(
            table.id == "units" && model.report.unitSums.units > table.rows.count,
            .span(
              .class("muted"),
              .text(
                text(
                  "（参保人数最多的 \(table.rows.count) 家，共 \(model.report.unitSums.units) 家，全部见导出）",
                  " (the \(table.rows.count) largest of \(model.report.unitSums.units); the export has all)")))),
          .if(
            viewer.may(.export),
            .span(
              .class("exports no-print"),
              .a(.href(export + model.query.string(extra: [("table", table.id), ("format", "csv")])), .text("CSV")),
              .text(" "),
              .a(.href(export + model.query.string(extra: [("table", table.id), ("format", "xlsx")])), .text("Excel"))))
        ),
        .reportTable(table, language: language))
    }
  }
}
