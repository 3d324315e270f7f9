import Foundation
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
          .unwrap(model.notice) {
            .p(.class("notice"), .attribute(named: "role", value: "status"), .text($0.text(for: language)))
          },
          .p(
            .class("muted"),
            .text(
              text(
                "每个方案、每个期间（规则版本）：期初 + 缴费 + 工会补贴 − 退费（保障撤销后退还付款方）− 已支付互助金 + 冲正（如银行退汇、缴费作废）+ 追回（查实多付、重复支付后收回）− 结转下期 = 结余。台账只增不改，更正以冲正记录；已结账的期间不再记入，其更正记入下一个未结账期间。",
                "Per scheme and period (rule version): opening + contributions + subsidies − refunds (paid back when a cover was withdrawn) − claims paid + reversals (a transfer the bank returned, a payment voided…) + recovered (claims found wrong, paid back) − carried forward = balance. The ledger is append-only; corrections are reversals; a closed period takes nothing more, its corrections go to the next open one."
              ))),
          .p(
            .a(
              .class("button"), .id("corrections-link"), .href(SiteURL.corrections.path + "?status=requested"),
              .text(text("更正与作废（待复核）", "Corrections (awaiting a second person)"))),
            .text(" "),
            .a(
              .class("button"), .id("recoveries-link"), .href(SiteURL.recoveries.path + "?status=open"),
              .text(text("追回（未收回）", "Recoveries (still owed)"))),
            .text(" "),
            .a(
              .class("button"), .id("refunds-link"), .href(SiteURL.refunds.path + "?status=due"),
              .text(text("退费（待退款）", "Refunds (due)")))),
          // Fourteen columns: wider than a laptop's content, so the table scrolls, not the page.
          .div(
            .class("table-scroll"),
            .table(
              .class("data-table"), .id("fund-balances"),
              .thead(
                .tr(
                  .th(.text(text("方案", "Scheme"))), .th(.text(text("期间", "Period"))),
                  .th(.class("number"), .text(text("期初/上期结转", "Opening"))),
                  .th(.class("number"), .text(text("缴费", "Contributions"))),
                  .th(.class("number"), .text(text("工会补贴", "Subsidies"))),
                  .th(.class("number"), .text(text("退费", "Refunds"))),
                  .th(.class("number"), .text(text("已支付", "Claims paid"))),
                  .th(.class("number"), .text(text("冲正", "Reversals"))),
                  .th(.class("number"), .text(text("追回", "Recovered"))),
                  .th(.class("number"), .text(text("结转下期", "Carried forward"))),
                  .th(.class("number"), .text(text("结余", "Balance"))),
                  .th(.class("number"), .text(text("记录数", "Entries"))),
                  .th(.text(text("状态", "State"))),
                  .if(exports, .th(.text(text("台账", "Ledger")))))),
              .tbody(
                .forEach(model.balances) { balance in
                  row(model.schemeNames[balance.schemeCode] ?? balance.schemeCode, balance.versionLabel, balance)
                },
                .if(model.balances.count > 1, row(text("合计", "Total"), "", model.total, isTotal: true))))),
          ledgerForms()
        )
      ).html()
    }

    /// Whether the viewer may take the ledger away as a file.
    private var exports: Bool { viewer?.may(.export) ?? false }

    /// The period's ledger as CSV and Excel.
    private func exportLinks(_ balance: FundBalance) -> Node<HTML.BodyContext> {
      let path = SiteURL.fundExport.path
      func link(_ format: String, _ label: String) -> Node<HTML.BodyContext> {
        var components = URLComponents()
        components.path = path
        components.queryItems = [
          URLQueryItem(name: "scheme", value: balance.schemeCode),
          URLQueryItem(name: "version", value: balance.versionLabel), URLQueryItem(name: "format", value: format),
        ]
        return .a(
          .class("ledger-export"), .href(components.string ?? path), .text(label))
      }
      return .group(link("csv", "CSV"), .text(" "), link("xlsx", "Excel"))
    }

    private func row(_ scheme: String, _ period: String, _ balance: FundBalance, isTotal: Bool = false)
      -> Node<HTML.TableContext>
    {
      let close = isTotal ? nil : model.overview.close(scheme: balance.schemeCode, version: balance.versionLabel)
      return .tr(
        .class(isTotal ? "total-row" : ""),
        .td(.class("name"), .text(scheme)), .td(.text(period)),
        .td(.class("number"), .text(balance.opening.formatted)),
        .td(.class("number"), .text(balance.contributions.formatted)),
        .td(.class("number"), .text(balance.subsidies.formatted)),
        .td(.class("number"), .text(balance.refunds.formatted)),
        .td(.class("number"), .text(balance.claimsPaid.formatted)),
        .td(.class("number"), .text(balance.reversals.formatted)),
        .td(.class("number"), .text(balance.recoveries.formatted)),
        .td(.class("number"), .text(balance.carriedForward.formatted)),
        .td(.class("number"), .strong(.text(balance.balance.formatted))),
        .td(.class("number"), .text(String(balance.entryCount))),
        .td(
          .text(
            isTotal
              ? ""
              : close.map { text("\($0.closedOn) 已结账（\($0.reference)）", "closed \($0.closedOn) (\($0.reference))") }
                ?? text("未结账", "open"))),
        .if(exports, .td(isTotal ? .empty : exportLinks(balance))))
    }

    /// Finance's forms, for the schemes whose ledger the viewer keeps.
    private func ledgerForms() -> Node<HTML.BodyContext> {
      guard let viewer, viewer.may(.keepFundLedger), !model.overview.kept.isEmpty else { return .empty }
      let opening = FormControls(errors: model.form == .opening ? model.errors : [], language: language)
      let general = model.errors.filter { !["amount", "reference"].contains($0.field) }
      func value(_ name: String, _ form: Model.Form) -> String { model.form == form ? model.values[name] ?? "" : "" }
      return .group(
        .h2(.text(text("期初结余", "Opening balance"))),
        .p(
          .class("muted"),
          .text(
            text(
              "上线时登记各产品资金的期初结余（原台账的期末余额），每个产品、每个期间只登记一次，记账日期为今天。",
              "At go-live, post each product's opening balance (the old ledger's closing balance): once per product and period, dated today."
            ))),
        .if(model.form == .opening, errorList(general)),
        .form(
          .class("stacked-form"), .method(.post), .action(SiteURL.fundOpening.path), .id("opening-form"),
          .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
          .labelled(
            text("产品与期间", "Product and period"), for: "opening-choice", errors: [], language: language,
            .namedSelect(
              "choice", id: "opening-choice",
              model.openingChoices.map {
                .choice($0.value, $0.label.text(for: language), selected: value("choice", .opening) == $0.value)
              })),
          opening.field("amount", text("金额（元）", "Amount (yuan)"), opening.input("amount", value("amount", .opening))),
          opening.field(
            "reference", text("凭证号", "Voucher reference"), opening.input("reference", value("reference", .opening))),
          .button(
            .type(.submit), .class("primary"), .id("post-opening"), .text(text("登记期初结余", "Post the opening balance")))),
        .h2(.text(text("期间结账", "Period close"))),
        .p(
          .class("muted"),
          .text(
            text(
              "对账无误后结账：本期余额按产品结转到下一规则版本，本期不再记入。须先办结本期已受理的申请。请先试算，确认后结账。",
              "Once reconciled, close the period: each product's balance moves to its next rule version and the period takes nothing more. Lodged claims of the period must be settled first. Preview, then confirm."
            ))),
        .if(model.form == .close, errorList(general)),
        .unwrap(model.preview) { preview in
          .div(
            .class("preview"), .id("close-preview"),
            .table(
              .class("data-table"),
              .thead(
                .tr(
                  .th(.text(text("产品", "Product"))), .th(.text(text("转入期间", "Into"))),
                  .th(.class("number"), .text(text("结转金额", "Amount"))))),
              .tbody(
                .forEach(preview.entries.filter { $0.kind == .broughtForward }) { entry in
                  .tr(
                    .td(.text(entry.productCode)), .td(.text(entry.versionLabel)),
                    .td(.class("number"), .text(entry.amount.formatted)))
                })),
            .if(
              preview.entries.isEmpty,
              .p(.text(text("本期余额为零，结账不产生结转记录。", "The balance is zero: the close posts nothing.")))),
            .form(
              .method(.post), .action(SiteURL.fundClose.path),
              .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
              .input(.type(.hidden), .name("choice"), .value(value("choice", .close))),
              .input(.type(.hidden), .name("reference"), .value(value("reference", .close))),
              .input(.type(.hidden), .name("action"), .value("close")),
              .button(
                .type(.submit), .class("primary"), .id("confirm-close"),
                .text(text("确认结账：\(preview.close.versionLabel)", "Close \(preview.close.versionLabel)")))))
        },
        .form(
          .class("stacked-form"), .method(.post), .action(SiteURL.fundClose.path), .id("close-form"),
          .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
          .input(.type(.hidden), .name("action"), .value("preview")),
          .labelled(
            text("期间", "Period"), for: "close-choice", errors: [], language: language,
            .namedSelect(
              "choice", id: "close-choice",
              model.closeChoices.map {
                .choice($0.value, $0.label, selected: value("choice", .close) == $0.value)
              })),
          .labelled(
            text("结账凭证号", "Reference of the close"), for: "close-reference",
            errors: model.form == .close ? model.errors.filter { $0.field == "reference" } : [], language: language,
            .input(.type(.text), .name("reference"), .id("close-reference"), .value(value("reference", .close)))),
          .button(.type(.submit), .id("preview-close"), .text(text("试算结转", "Preview the close")))))
    }

    private func errorList(_ errors: [FieldError]) -> Node<HTML.BodyContext> {
      .if(
        !errors.isEmpty,
        .ul(
          .class("notice notice-bad errors"), .attribute(named: "role", value: "alert"),
          .forEach(errors) { .li(.text($0.message.text(for: language))) }))
    }
  }
}
