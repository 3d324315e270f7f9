import HuzhuCore
import Plot

extension FundPage {
  struct View: LocalizedView {
    let model: Model
    let language: DisplayLanguage
    var viewer: Viewer? = nil

    func html() -> HTML {
      Layout(
        title: text("互助金台账与对账", "Fund ledger and reconciliation"), language: language,
        currentPath: SiteURL.funds.path, viewer: viewer,
        content: .group(
          .p(
            .class("muted"),
            .text(
              text(
                "每个方案、每个期间（规则版本）：缴费 + 工会补贴 − 已支付互助金 = 结余。台账只增不改，更正以冲正记录。",
                "Per scheme and period (rule version): contributions + subsidies − claims paid = balance. The ledger is append-only; corrections are reversals."
              ))),
          .table(
            .class("data-table"),
            .thead(
              .tr(
                .th(.text(text("方案", "Scheme"))), .th(.text(text("期间", "Period"))),
                .th(.class("number"), .text(text("缴费", "Contributions"))),
                .th(.class("number"), .text(text("工会补贴", "Subsidies"))),
                .th(.class("number"), .text(text("已支付", "Claims paid"))),
                .th(.class("number"), .text(text("冲正", "Reversals"))),
                .th(.class("number"), .text(text("结余", "Balance"))),
                .th(.class("number"), .text(text("记录数", "Entries"))))),
            .tbody(
              .forEach(model.balances) { balance in
                row(model.schemeNames[balance.schemeCode] ?? balance.schemeCode, balance.versionLabel, balance)
              },
              .if(model.balances.count > 1, row(text("合计", "Total"), "", model.total, isTotal: true))))
        )
      ).html()
    }

    private func row(_ scheme: String, _ period: String, _ balance: FundBalance, isTotal: Bool = false)
      -> Node<HTML.TableContext>
    {
      .tr(
        .class(isTotal ? "total-row" : ""),
        .td(.text(scheme)), .td(.text(period)),
        .td(.class("number"), .text(balance.contributions.formatted)),
        .td(.class("number"), .text(balance.subsidies.formatted)),
        .td(.class("number"), .text(balance.claimsPaid.formatted)),
        .td(.class("number"), .text(balance.reversals.formatted)),
        .td(.class("number"), .strong(.text(balance.balance.formatted))),
        .td(.class("number"), .text(String(balance.entryCount))))
    }
  }
}
