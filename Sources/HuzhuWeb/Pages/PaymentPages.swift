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
          Pager(path: SiteURL.paymentBatches.path, page: model.batches, language: language).range,
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
          Pager(path: SiteURL.paymentBatches.path, page: model.batches, language: language).node)
      )
      .html()
    }
  }
}

enum PaymentBatchPage {
  /// A bank's answer file read against the batch, waiting for finance to record it.
  struct AnswerPreview: Sendable {
    let file: String
    let plan: BankAnswerPlan
  }

  struct View: LocalizedView {
    let batch: PaymentBatch
    let language: DisplayLanguage
    let viewer: Viewer
    var notice: LocalizedText? = nil
    var errors: [FieldError] = []
    var preview: AnswerPreview? = nil

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

    /// The bank's answers for many lines at once: every pending line paid, or the bank's
    /// answer file, read first and recorded after a look.
    func bankAnswers() -> Node<HTML.BodyContext> {
      let pending = batch.lines.filter { $0.status == .pending }
      guard !pending.isEmpty else { return .empty }
      let total = pending.reduce(Money.zero) { $0 + $1.amount }
      return .section(
        .class("actions bank-answers"), .id("bank-answers"),
        .h2(.text(text("登记银行结果", "The bank's answers"))),
        .p(
          .class("muted"),
          .text(
            text(
              "待回盘 \(pending.count.grouped) 笔，合计 \(total.formatted)。银行全部成功时一次登记；有失败的，上传银行回盘文件（按行核对金额和账号后再登记）。",
              "\(pending.count.grouped) lines wait, \(total.formatted) in all. Record them all paid when the bank paid every one; otherwise upload the bank's answer file (amounts and accounts are checked line by line before anything is recorded)."
            ))),
        .form(
          .class("inline-form"), .method(.post), .action(SiteURL.paymentBatchSettleAll(.value(batch.id)).path),
          .data(
            named: "confirm",
            value: text(
              "确认银行已全部到账？将把 \(pending.count) 笔（合计 \(total.formatted)）记入互助金台账。",
              "The bank paid all \(pending.count) lines (\(total.formatted))? They post to the fund.")),
          .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
          .button(
            .type(.submit), .class("primary"), .id("settle-all"),
            .text(text("全部已到账（\(pending.count.grouped) 笔）", "All paid (\(pending.count.grouped))")))),
        .form(
          .class("inline-form upload-form"), .method(.post),
          .action(SiteURL.paymentBatchAnswerUpload(.value(batch.id)).path), .enctype(.multipartData),
          .id("answer-upload"),
          .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
          .label(.for("answer-file"), .text(text("银行回盘文件", "Bank's answer file"))),
          .input(
            .type(.file), .name("file"), .id("answer-file"), .required(true),
            .attribute(named: "accept", value: ".xlsx,.csv")),
          .button(.type(.submit), .id("answer-try"), .text(text("上传并核对", "Upload and check")))),
        .p(
          .class("muted"),
          .text(
            text(
              "回盘文件即银行退回的代发文件，须有“金额”“处理结果”列，以及“申请编号”或“用途”列（代发文件的用途写有申请编号）；有“账号”列时一并核对，失败原因取“失败原因”或“备注”列。",
              "The answer file is the transfer file as the bank returns it: it needs amount and result columns, and a claim number or purpose column (the purpose of the file Huzhu sends names the claim); an account column is checked too, a failure's reason read from a reason or note column."
            ))))
    }

    func outcomeText(_ outcome: BankAnswerPlan.Outcome) -> Node<HTML.BodyContext> {
      switch outcome {
      case .paid: .span(.class("badge badge-paid"), .text(text("到账", "paid")))
      case .failed(let reason):
        .group(.span(.class("badge badge-failed"), .text(text("失败", "failed"))), .text(" " + reason))
      case .unchanged: .span(.class("muted"), .text(text("已登记，无变化", "already recorded")))
      case .error(let message): .span(.class("field-message"), .text(message.text(for: language)))
      }
    }

    func answerPreview(_ preview: AnswerPreview) -> Node<HTML.BodyContext> {
      let plan = preview.plan
      let paid = plan.count { $0 == .paid }
      let failed = plan.count { if case .failed = $0 { true } else { false } }
      let unchanged = plan.count { $0 == .unchanged }.lines
      var summary = [
        text(
          "到账 \(paid.lines.grouped) 笔 \(paid.total.formatted)", "\(paid.lines.grouped) paid, \(paid.total.formatted)")
      ]
      summary.append(text("失败 \(failed.lines.grouped) 笔", "\(failed.lines.grouped) failed"))
      if unchanged > 0 { summary.append(text("已登记 \(unchanged.grouped) 笔", "\(unchanged.grouped) already recorded")) }
      if plan.errorCount > 0 {
        summary.append(text("有误 \(plan.errorCount.grouped) 行", "\(plan.errorCount.grouped) rows in error"))
      }
      return .section(
        .class("actions bank-answers"), .id("answer-preview"),
        .h2(.text(text("核对银行回盘文件", "Checking the bank's answer file"))),
        .p(.id("answer-summary"), .text(summary.joined(separator: text("；", "; ")))),
        .if(
          !plan.confirmedWithFile.isEmpty,
          .p(
            .class("muted"),
            .text(
              text(
                "另有 \(plan.confirmedWithFile.count) 笔全额抵扣追回款、无需转账，随本文件确认。",
                "\(plan.confirmedWithFile.count) more lines, wholly withheld towards recoveries, transfer nothing and are confirmed with this file."
              )))),
        .if(
          !plan.unanswered.isEmpty,
          .p(
            .class("notice"), .id("answer-unanswered"),
            .text(
              text(
                "文件未回复 \(plan.unanswered.count) 笔，仍待回盘：",
                "The file does not answer \(plan.unanswered.count) lines; they stay pending: ")
                + plan.unanswered.prefix(20).map(\.claimNumber).joined(separator: text("、", ", "))
                + (plan.unanswered.count > 20 ? text(" 等", " …") : "")))),
        .table(
          .class("data-table"), .id("answer-rows"),
          .thead(
            .tr(
              .th(.text(text("行", "Row"))), .th(.text(text("申请编号", "Claim"))), .th(.text(text("收款人", "Payee"))),
              .th(.class("number"), .text(text("金额（元）", "Amount (yuan)"))), .th(.text(text("结果", "Answer"))))),
          .tbody(
            .forEach(plan.rows) { row in
              .tr(
                .td(.text(String(row.number))), .td(.text(row.claimNumber ?? "")), .td(.text(row.payee ?? "")),
                .td(.class("number"), .text(row.amount?.formatted ?? "")), .td(outcomeText(row.outcome)))
            })),
        plan.canApply
          ? .form(
            .class("inline-form"), .method(.post), .action(SiteURL.paymentBatchAnswers(.value(batch.id)).path),
            .data(
              named: "confirm",
              value: text(
                "确认按回盘文件登记 \(plan.answers.count) 笔结果？到账的记入互助金台账，失败的回到待支付。",
                "Record the file's \(plan.answers.count) answers? Paid lines post to the fund, failed ones wait for payment again."
              )),
            .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
            .input(.type(.hidden), .name("file"), .value(preview.file)),
            .button(
              .type(.submit), .class("primary"), .id("answer-apply"),
              .text(text("确认登记 \(plan.answers.count) 笔", "Record \(plan.answers.count) answers"))),
            .text(" "),
            .a(.href(SiteURL.paymentBatchPage(.value(batch.id)).path), .text(text("取消", "Cancel"))))
          : .p(
            .class("notice notice-bad"), .id("answer-blocked"),
            .text(
              plan.errorCount > 0
                ? text(
                  "文件有 \(plan.errorCount) 行有误，不能登记。请核对后重新上传，或逐笔登记。",
                  "\(plan.errorCount) rows are in error, so nothing can be recorded: put the file right and upload it again, or record lines one by one."
                )
                : text("文件中的结果都已登记过，无需再登记。", "Every answer in the file is already recorded."))))
    }

    func html() -> HTML {
      let settle = SiteURL.paymentBatchSettle(.value(batch.id)).path
      let export = SiteURL.api(.paymentBatchExport(.value(batch.id))).path
      return Layout(
        title: text("支付批次 ", "Payment batch ") + batch.number, language: language,
        currentPath: SiteURL.paymentBatchPage(.value(batch.id)).path, viewer: viewer,
        content: .group(
          .nav(.class("breadcrumbs"), .a(.href(SiteURL.paymentBatches.path), .text(text("支付批次", "Payment batches")))),
          .unwrap(notice) {
            .p(
              .class("notice notice-good"), .id("batch-notice"), .attribute(named: "role", value: "status"),
              .text($0.text(for: language)))
          },
          .if(
            !errors.isEmpty,
            .ul(
              .class("notice notice-bad errors"), .id("batch-errors"), .attribute(named: "role", value: "alert"),
              .forEach(errors.prefix(RegistryImportPage.problemRowsShown)) {
                .li(.text($0.message.text(for: language)))
              }
            )),
          .p(
            .a(.class("button"), .href(export + "?format=xlsx"), .text(text("下载银行代发文件（Excel）", "Bank file (Excel)"))),
            .text(" "),
            .a(.class("button"), .href(export + "?format=csv"), .text(text("下载银行代发文件（CSV）", "Bank file (CSV)")))),
          preview.map(answerPreview) ?? bankAnswers(),
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
