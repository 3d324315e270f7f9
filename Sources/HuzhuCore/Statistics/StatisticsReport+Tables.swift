/// The report's tables, as shown and as exported.
extension StatisticsReport {
  /// Names for product and benefit codes (from the scheme), for the benefits table.
  public typealias Names = [String: LocalizedText]

  static func text(_ zh: String, _ en: String) -> LocalizedText { LocalizedText(zh: zh, en: en) }

  /// The headline indicators as one two-column table; `fund`, the schemes' funds (a fund is
  /// the whole scheme's, not an area's nor a period's) with their corrections, for readers who
  /// see funds.
  public func indicatorTable(fund: FundBalance?) -> ReportTable {
    let t = Self.text
    var rows: [[ReportTable.Cell]] = [
      [.text("参保单位 / participating units"), .count(totals.participatingUnits)],
      [.text("职工人数 / headcount"), .count(totals.headcount)],
      [.text("参保人数 / insured persons"), .count(totals.insuredPersons)],
      [.text("参保人次 / person-products"), .count(totals.personProducts)],
      [.text("参保率 / participation"), .share(totals.participation)],
      [.text("新参保人次 / new"), .count(totals.newPersonProducts)],
      [.text("续保人次 / renewed"), .count(totals.renewedPersonProducts)],
      [.text("未续保人次 / lapsed"), .count(totals.lapsedPersonProducts)],
      [.text("续保率 / renewal ratio"), .share(totals.renewal)],
      [.text("应缴金额 / contributions due"), .money(totals.contributionsDue)],
      [.text("筹集金额 / collected"), .money(totals.collected)],
      [.text("工会补贴 / union subsidy"), .money(unionSubsidy)],
      [.text("赔付人次 / claims paid"), .count(totals.paidClaims)],
      [.text("受益人数 / persons paid"), .count(personsPaid)],
      [.text("赔付金额 / amount paid"), .money(totals.paidAmount)],
      [.text("件均赔付 / average per claim"), .money(averagePerClaim)],
      [.text("最大单笔 / largest claim"), .money(largestClaim)],
      [.text("赔付率 / loss ratio"), .share(totals.lossRatio)],
      [.text("平均办结工作日 / average working days"), .text(service.averageText)],
      [.text("90%办结工作日 / 90th percentile"), .text(service.percentile90.map(String.init) ?? "—")],
      [.text("按时办结率 / paid within the deadline"), .share(service.withinDeadline)],
      [.text("当前超期件数 / overdue now"), .count(service.overdueNow)],
    ]
    if let fund {
      rows += [
        [.text("基金冲正 / fund reversals"), .money(fund.reversals)],
        [.text("基金退费 / fund refunds"), .money(fund.refunds)],
        [.text("基金追回 / fund recoveries"), .money(fund.recoveries)],
        [.text("基金结余 / fund balance"), .money(fund.balance)],
      ]
    }
    return ReportTable(
      id: "indicators", title: t("主要指标", "Key figures"), columns: [t("指标", "Indicator"), t("数值", "Value")], rows: rows)
  }

  static let groupColumns = [
    text("名称", "Name"), text("参保单位", "Units"), text("职工人数", "Headcount"), text("参保人数", "Insured"),
    text("参保人次", "Person-products"), text("参保率", "Participation"), text("筹集金额", "Collected"),
    text("赔付人次", "Claims paid"), text("赔付金额", "Amount paid"), text("赔付率", "Loss ratio"),
  ]

  static func cells(_ figures: Figures) -> [ReportTable.Cell] {
    [
      .count(figures.participatingUnits), .count(figures.headcount), .count(figures.insuredPersons),
      .count(figures.personProducts), .share(figures.participation), .money(figures.collected),
      .count(figures.paidClaims), .money(figures.paidAmount), .share(figures.lossRatio),
    ]
  }

  /// By area (the report node's children), each linking to its own report.
  public func areaTable(english: Bool, link: (Group) -> String?) -> ReportTable {
    ReportTable(
      id: "areas", title: Self.text("分区域", "By area"), columns: Self.groupColumns,
      rows: byArea.map { [.text(english ? $0.label.en : $0.label.zh)] + Self.cells($0.figures) },
      totals: [.text(english ? "Total" : "合计")] + Self.cells(unitSums), links: byArea.map(link))
  }

  public func sectorTable(english: Bool) -> ReportTable {
    ReportTable(
      id: "sectors", title: Self.text("分单位性质", "By sector"), columns: Self.groupColumns,
      rows: bySector.map { [.text(english ? $0.label.en : $0.label.zh)] + Self.cells($0.figures) },
      totals: [.text(english ? "Total" : "合计")] + Self.cells(unitSums))
  }

  public func genderTable(english: Bool) -> ReportTable {
    let t = Self.text
    let female = totals.femaleHeadcount
    return ReportTable(
      id: "gender", title: t("分性别", "By gender"),
      columns: [t("性别", "Gender"), t("参保人数", "Insured"), t("职工人数", "Headcount"), t("参保率", "Participation")],
      rows: [Gender.female, .male].map { gender in
        [
          .text(english ? (gender == .female ? "Women" : "Men") : (gender == .female ? "女" : "男")),
          .count(insuredByGender[gender] ?? 0), .count(gender == .female ? female : totals.headcount - female),
          .share(participation(of: gender)),
        ]
      })
  }

  public func payerTable(english: Bool) -> ReportTable {
    let t = Self.text
    let payers = PayerType.allCases.filter { payer in
      collectedByPayer.contains { $0.payer == payer } || dueByPayer.contains { $0.payer == payer }
    }
    func amount(_ list: [(payer: PayerType, amount: Money)], _ payer: PayerType) -> Money {
      list.first { $0.payer == payer }?.amount ?? .zero
    }
    return ReportTable(
      id: "payers", title: t("分缴费方", "By payer"),
      columns: [t("缴费方", "Payer"), t("应缴", "Due"), t("实缴", "Collected"), t("占实缴", "Share")],
      rows: payers.map { payer in
        [
          .text(english ? payer.label.en : payer.label.zh), .money(amount(dueByPayer, payer)),
          .money(amount(collectedByPayer, payer)), .share(Share(amount(collectedByPayer, payer), of: totals.collected)),
        ]
      },
      totals: [
        .text(english ? "Total" : "合计"), .money(totals.contributionsDue), .money(totals.collected),
        .share(Share(totals.collected, of: totals.collected)),
      ])
  }

  public func benefitTable(english: Bool, names: Names) -> ReportTable {
    let t = Self.text
    func name(_ code: String) -> String { names[code].map { english ? $0.en : $0.zh } ?? code }
    return ReportTable(
      id: "benefits", title: t("分产品与保障项目", "By product and benefit"),
      columns: [t("产品", "Product"), t("保障项目", "Benefit"), t("赔付人次", "Claims"), t("金额", "Amount"), t("件均", "Average")],
      rows: benefits.map { row in
        let average =
          row.claims == 0 ? Money.zero : Money(fen: (row.amount.fen * 2 + Int64(row.claims)) / Int64(row.claims * 2))
        return [
          .text(name(row.product)), .text(name(row.benefit)), .count(row.claims), .money(row.amount), .money(average),
        ]
      },
      totals: [
        .text(english ? "Total" : "合计"), .text(""), .count(totals.paidClaims),
        .money(benefits.reduce(.zero) { $0 + $1.amount }), .money(averagePerClaim),
      ])
  }

  public func rejectionTable(english: Bool) -> ReportTable {
    let t = Self.text
    return ReportTable(
      id: "rejections", title: t("不予给付原因", "Rejections by reason"),
      columns: [t("原因", "Reason"), t("件数", "Claims")],
      rows: rejections.map { [.text(english ? $0.reason.label.en : $0.reason.label.zh), .count($0.count)] },
      totals: [.text(english ? "Total" : "合计"), .count(rejections.reduce(0) { $0 + $1.count })])
  }

  /// Every unit "since enrollment", in the articles' own form: enrolled N on date, M claims
  /// paid, total amount.
  public func unitTable(english: Bool, limit: Int? = nil, link: (UnitFigures) -> String?) -> ReportTable {
    let t = Self.text
    let shown = limit.map { Array(units.prefix($0)) } ?? units
    return ReportTable(
      id: "units", title: t("参保单位明细", "Units"),
      columns: [
        t("单位", "Unit"), t("入保日期", "Enrolled on"), t("参保人数", "Insured"), t("职工人数", "Headcount"),
        t("参保率", "Participation"), t("筹集金额", "Collected"), t("赔付人次", "Claims paid"), t("赔付金额", "Amount paid"),
      ],
      rows: shown.map { unit in
        [
          .text(unit.name), .date(unit.firstEnrolledOn), .count(unit.insuredPersons), .count(unit.headcount),
          .share(Share(unit.insuredPersons, of: unit.headcount)), .money(unit.collected), .count(unit.paidClaims),
          .money(unit.paidAmount),
        ]
      },
      totals: [
        .text(english ? "Total (all units)" : "合计（全部单位）"), .text(""), .count(unitSums.insuredPersons),
        .count(unitSums.headcount), .share(unitSums.participation), .money(unitSums.collected),
        .count(unitSums.paidClaims), .money(unitSums.paidAmount),
      ], links: shown.map(link))
  }

  public func monthTable(english: Bool) -> ReportTable {
    let t = Self.text
    return ReportTable(
      id: "months", title: t("月度", "By month"),
      columns: [
        t("月份", "Month"), t("新增参保人次", "New person-products"), t("筹集金额", "Collected"), t("赔付人次", "Claims paid"),
        t("赔付金额", "Amount paid"),
      ],
      rows: monthly.map {
        [
          .text($0.month), .count($0.newPersonProducts), .money($0.collected), .count($0.paidClaims),
          .money($0.paidAmount),
        ]
      },
      totals: [
        .text(english ? "Total" : "合计"), .count(monthly.reduce(0) { $0 + $1.newPersonProducts }),
        .money(monthly.reduce(.zero) { $0 + $1.collected }), .count(monthly.reduce(0) { $0 + $1.paidClaims }),
        .money(monthly.reduce(.zero) { $0 + $1.paidAmount }),
      ])
  }
}

/// The agencies' targets as a ranked table.
extension TargetRanking {
  public static func table(
    _ ranked: [TargetAchievement], names: [Organisation.ID: LocalizedText], english: Bool
  ) -> ReportTable {
    let t = StatisticsReport.text
    return ReportTable(
      id: "targets", title: t("目标完成与排名", "Targets and ranking"),
      columns: [
        t("名次", "Rank"), t("机构", "Agency"), t("指标", "Measure"), t("目标", "Target"), t("完成", "Achieved"),
        t("完成率", "Share"), t("达成日期", "Reached on"),
      ],
      rows: ranked.enumerated().map { index, achievement in
        func amount(_ value: Int64) -> ReportTable.Cell {
          achievement.target.measure == .collected ? .money(Money(fen: value)) : .count(Int(value))
        }
        let name = names[achievement.target.organisationID].map { english ? $0.en : $0.zh } ?? ""
        return [
          .count(index + 1), .text(name),
          .text(english ? achievement.target.measure.label.en : achievement.target.measure.label.zh),
          amount(achievement.target.target), amount(achievement.achieved), .share(achievement.share),
          .date(achievement.reachedOn),
        ]
      })
  }
}
