import HuzhuApp
import HuzhuCore
import Plot

/// Payment batches for finance: make a batch of every approved claim of a scheme, download
/// the bank file, and record the bank's answer line by line.
enum PaymentBatchesPage {
  struct View: LocalizedView {
    let model: Payments.Overview
    let language: DisplayLanguage
    let viewer: Viewer
    var notice: LocalizedText? = nil

    func html() -> HTML {
      Layout(
        title: text("支付批次", "Payment batches"), language: language, currentPath: SiteURL.paymentBatches.path,
        viewer: viewer,
        content: .group(
          .unwrap(notice) { .div(.class("notice notice-bad"), .id("batch-notice"), .text($0.text(for: language))) },
          .p(.text(text("待支付（已审批）申请：\(model.approved) 件", "Approved claims waiting: \(model.approved)"))),
          .form(
            .class("inline-form"), .method(.post), .action(SiteURL.paymentBatches.path),
            .data(named: "confirm", value: text("将所有已审批申请生成支付批次？", "Put every approved claim into a batch?")),
            .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
            .namedSelect(
              "scheme", id: "batch-scheme",
              model.schemes.map { .choice($0.code, $0.definition.scheme.name) }),
            .button(.type(.submit), .class("primary"), .id("create-batch"), .text(text("生成支付批次", "Make a batch")))),
          .table(
            .class("data-table"), .id("batches"),
            .thead(
              .tr(
                .th(.text(text("批次号", "Batch"))), .th(.text(text("日期", "Date"))), .th(.text(text("笔数", "Lines"))),
                .th(.class("number"), .text(text("金额（元）", "Amount (yuan)"))), .th(.text(text("已到账", "Paid"))))),
            .tbody(
              .forEach(model.batches.items) { batch in
                .tr(
                  .td(.a(.href(SiteURL.paymentBatchPage(.value(batch.id)).path), .text(batch.number))),
                  .td(.text(batch.createdOn.description)),
                  .td(.text(String(batch.lines.count))),
                  .td(.class("number"), .text(batch.lines.reduce(Money.zero) { $0 + $1.amount }.formatted)),
                  .td(.text("\(batch.lines.filter { $0.status == .paid }.count)/\(batch.lines.count)")))
              })),
          .p(
            .class("muted"), .id("batches-total"),
            .text(text("共 \(model.batches.total) 个批次", "\(model.batches.total) batches in all"))),
          Pager(path: SiteURL.paymentBatches.path, page: model.batches, language: language).node)
      )
      .html()
    }
  }
}

enum PaymentBatchPage {
  struct View: LocalizedView {
    let batch: PaymentBatch
    let language: DisplayLanguage
    let viewer: Viewer

    /// A settled line's outcome; a paid one keeps a form for the bank's return (退汇), which
    /// reverses the fund's entry and puts the claim back in the payment queue.
    func outcome(of line: PaymentBatch.Line) -> Node<HTML.BodyContext> {
      let badge = Node<HTML.BodyContext>.span(
        .class("badge badge-\(line.returned == nil ? line.status.rawValue : "returned")"),
        .id("outcome-\(line.claimNumber)"), .text(line.outcome.text(for: language)))
      if let returned = line.returned {
        return .group(badge, .text(" \(returned.returnedOn) \(returned.reason)"))
      }
      guard line.status == .paid else { return badge }
      return .group(
        badge,
        .form(
          .class("inline-form"), .method(.post), .action(SiteURL.paymentBatchReturn(.value(batch.id)).path),
          .data(
            named: "confirm",
            value: text(
              "确认银行已退回这笔款项？将冲回互助金台账，申请回到待支付。",
              "The bank sent this money back? The fund is credited and the claim waits for payment again.")),
          .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
          .input(.type(.hidden), .name("claimId"), .value(line.claimID.description)),
          .input(
            .type(.text), .name("reason"), .required(true), .attribute(named: "maxlength", value: "200"),
            .placeholder(text("退汇原因", "The bank's reason"))),
          .button(.type(.submit), .id("return-\(line.claimNumber)"), .text(text("登记退汇", "Returned")))))
    }

    func html() -> HTML {
      let settle = SiteURL.paymentBatchSettle(.value(batch.id)).path
      let export = SiteURL.api(.paymentBatchExport(.value(batch.id))).path
      return Layout(
        title: text("支付批次 ", "Payment batch ") + batch.number, language: language,
        currentPath: SiteURL.paymentBatchPage(.value(batch.id)).path, viewer: viewer,
        content: .group(
          .nav(.class("breadcrumbs"), .a(.href(SiteURL.paymentBatches.path), .text(text("支付批次", "Payment batches")))),
          .p(
            .a(.class("button"), .href(export + "?format=xlsx"), .text(text("下载银行代发文件（Excel）", "Bank file (Excel)"))),
            .text(" "),
            .a(.class("button"), .href(export + "?format=csv"), .text(text("下载银行代发文件（CSV）", "Bank file (CSV)")))),
          .table(
            .class("data-table"), .id("batch-lines"),
            .thead(
              .tr(
                .th(.text(text("申请编号", "Claim"))), .th(.text(text("收款人", "Payee"))),
                .th(.text(text("账号", "Account"))), .th(.class("number"), .text(text("金额（元）", "Amount (yuan)"))),
                .th(.text(text("银行结果", "Bank's answer"))))),
            .tbody(
              .forEach(batch.lines) { line in
                .tr(
                  .td(.a(.href(SiteURL.claimPage(.value(line.claimID)).path), .text(line.claimNumber))),
                  .td(.text(line.payeeName)),
                  .td(.text("\(line.bankName) \(BankAccountMask.masked(line.bankAccount))")),
                  .td(
                    .class("number"), .text(line.amount.formatted),
                    .if(
                      line.offset.fen > 0,
                      .small(
                        .class("muted"),
                        .text(
                          text(
                            "（另抵扣追回款 \(line.offset.formatted)\(line.amount.fen == 0 ? "，无需转账" : "")）",
                            " (\(line.offset.formatted) withheld towards a recovery\(line.amount.fen == 0 ? "; nothing to transfer" : ""))"
                          ))))),
                  .td(
                    line.status == .pending
                      ? .group(
                        .form(
                          .class("inline-form"), .method(.post), .action(settle),
                          .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
                          .input(.type(.hidden), .name("claimId"), .value(line.claimID.description)),
                          .input(.type(.hidden), .name("paid"), .value("true")),
                          .data(
                            named: "confirm", value: text("确认银行已到账？将记入互助金台账。", "The bank paid? This posts to the fund.")
                          ),
                          .button(
                            .type(.submit), .class("primary"), .id("paid-\(line.claimNumber)"),
                            .text(text("已到账", "Paid")))),
                        .form(
                          .class("inline-form"), .method(.post), .action(settle),
                          .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
                          .input(.type(.hidden), .name("claimId"), .value(line.claimID.description)),
                          .input(.type(.hidden), .name("paid"), .value("false")),
                          .input(
                            .type(.text), .name("note"), .required(true), .placeholder(text("退票原因", "Why it failed"))),
                          .button(.type(.submit), .text(text("退票", "Failed")))))
                      : outcome(of: line)))
              })))
      )
      .html()
    }
  }
}
