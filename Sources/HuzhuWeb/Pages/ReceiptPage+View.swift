import HuzhuCore
import Plot

extension ReceiptPage {
  struct View: LocalizedView {
    let model: Model
    let language: DisplayLanguage
    var viewer: Viewer? = nil
    var notice: LocalizedText? = nil
    var error: LocalizedText? = nil

    func html() -> HTML {
      let payment = model.payment
      let bill = model.bill
      let number = model.askedNumber.isEmpty ? payment.receiptNumber : model.askedNumber
      return Layout(
        title: text("缴费收据", "Receipt"), language: language,
        currentPath: SiteURL.receipt(.value(number)).path, viewer: viewer,
        content: .group(
          .unwrap(notice) {
            .div(.class("notice notice-good no-print"), .id("receipt-notice"), .text($0.text(for: language)))
          },
          .unwrap(error) {
            .div(
              .class("notice notice-bad no-print"), .id("receipt-error"), .attribute(named: "role", value: "alert"),
              .text($0.text(for: language)))
          },
          .unwrap(model.replacement) { reissue in
            .div(
              .class("notice notice-bad"), .id("receipt-replaced"),
              .text(text("本收据已作废，已重开为 ", "This receipt was replaced by ")),
              .a(.href(SiteURL.receipt(.value(reissue.number)).path), .text(reissue.number)),
              .text("：\(reissue.reason)（\(reissue.reissuedBy) \(reissue.reissuedOn)）"))
          },
          .article(
            .class("certificate receipt"),
            .header(
              .class("certificate-head"),
              .p(.class("certificate-scheme"), .text(model.schemeName)),
              .h2(.text(text("缴费收据", "Receipt"))),
              .p(.class("certificate-number"), .text(text("收据号：", "No. ") + number)),
              .unwrap(model.reissue) {
                .p(
                  .class("certificate-number"), .id("receipt-reissue"),
                  .text(text("重开收据，替代 \($0.replaces)", "Reissued, replacing \($0.replaces)")))
              }),
            .dl(
              .class("certificate-fields"),
              field(text("交款人", "Paid by"), "\(model.payerDisplayName)（\(payment.payer.label.text(for: language))）"),
              field(text("参保单位", "Unit"), model.unitName ?? text("个人参保", "Individual enrollment")),
              field(text("缴费单", "Bill"), "\(bill.number) · \(bill.memberCount) \(text("人", "members"))"),
              field(
                text("保障期间", "Period"),
                text("\(bill.period.start) 至 \(bill.period.end)", "\(bill.period.start) to \(bill.period.end)")),
              field(text("金额（小写）", "Amount"), payment.amount.formatted),
              field(text("金额（大写）", "In words"), "人民币" + payment.amount.chineseCapitals),
              field(text("缴费日期", "Paid on"), payment.paidOn.description),
              field(text("凭证号", "Reference"), payment.reference),
              field(
                text("缴费单状态", "Bill status"),
                "\(bill.status.label.text(for: language))（\(text("已缴", "paid")) \(bill.totalPaid.formatted) / \(text("应缴", "due")) \(bill.totalDue.formatted)）"
              )),
            .footer(
              .class("certificate-foot"),
              .p(.class("muted"), .text(text("经办人：", "Recorded by: ") + model.recordedByName))
            ),
            correction(),
            reissueForm()
          ))
      ).html()
    }

    /// Whoever records payments reissues the receipt in force (not a void one) under a new number.
    private func reissueForm() -> Node<HTML.BodyContext> {
      guard let viewer, viewer.may(.recordPayments), !model.payment.voided, model.correction == nil,
        model.askedNumber.isEmpty || model.askedNumber == model.currentNumber
      else { return .empty }
      return .details(
        .class("no-print"), .id("reissue-form"),
        .summary(.text(text("收据遗失或开错？重开收据", "Receipt lost or wrong? Reissue it"))),
        .form(
          .class("inline-form"), .method(.post), .action(SiteURL.receiptReissue(.value(model.currentNumber)).path),
          .data(
            named: "confirm",
            value: text(
              "重开收据？本收据将作废，另开新号收据，金额不变。", "Reissue? This receipt is replaced by a new number; no money moves.")),
          .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
          .input(
            .type(.text), .name("reason"), .required(true), .attribute(named: "maxlength", value: "200"),
            .placeholder(text("重开原因（如：收据遗失）", "Why (e.g. the receipt was lost)"))),
          .button(.type(.submit), .id("request-reissue"), .text(text("重开收据", "Reissue")))))
    }

    /// The void's mark, or (for whoever records payments) the form asking for one.
    private func correction() -> Node<HTML.BodyContext> {
      if let correction = model.correction {
        let mark =
          correction.status == .applied
          ? text("本收据已作废", "This receipt is void") : text("作废申请待复核", "A void awaits a second person")
        return .div(
          .class("notice notice-bad"), .id("receipt-void"),
          .text("\(mark)：\(correction.reason)（\(correction.requestedBy) \(correction.requestedOn)）"))
      }
      guard let viewer, viewer.may(.recordPayments) else { return .empty }
      return .details(
        .class("no-print"), .id("void-form"),
        .summary(.text(text("缴费登记有误？申请作废", "Recorded in error? Ask for a void"))),
        .form(
          .class("inline-form"), .method(.post),
          .action(SiteURL.receiptVoid(.value(model.payment.receiptNumber)).path),
          .data(
            named: "confirm",
            value: text(
              "申请作废这笔缴费？经财务复核后冲减互助金台账，缴费单恢复为未缴。",
              "Ask for a void? Once finance approves, the fund is debited and the bill owes again.")),
          .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
          .input(
            .type(.text), .name("reason"), .required(true), .attribute(named: "maxlength", value: "200"),
            .placeholder(text("作废原因（如：记错缴费单）", "Why (e.g. recorded on the wrong bill)"))),
          .button(.type(.submit), .id("request-void"), .text(text("申请作废", "Ask for a void")))))
    }

    private func field(_ label: String, _ value: String) -> Node<HTML.DescriptionListContext> {
      .group(.dt(.text(label)), .dd(.text(value)))
    }
  }
}
