import Foundation
import HuzhuCore
import Plot

/// Bills with what each payer owes and has paid, and, for finance and the window, the form
/// that records a payment: on a unit's page and on the page of someone enrolled on their own.
struct BillsTable: LocalizedView {
  let bills: [Bill]
  /// Each bill's payments, whose receipts the table links to.
  var payments: [Bill.ID: [Payment]] = [:]
  /// The section's heading.
  var title: LocalizedText = LocalizedText(zh: "缴费单", en: "Bills")
  let today: CalendarDate
  let language: DisplayLanguage
  let viewer: Viewer?

  /// The form that records one payment towards a bill: the payer, the amount outstanding by
  /// default, the date and the bank's reference. A key made when the page was drawn makes
  /// a second press (or a refresh) replay the first payment instead of paying twice.
  private func paymentForm(_ bill: Bill) -> Node<HTML.BodyContext> {
    guard let viewer, viewer.may(.recordPayments), bill.status != .paid, let first = bill.outstanding.first else {
      return .empty
    }
    return .form(
      .class("inline-form payment-form"), .method(.post), .action(SiteURL.billPay(.value(bill.id)).path),
      .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
      .input(.type(.hidden), .name("idempotencyKey"), .value(UUID().uuidString)),
      .namedSelect(
        "payer", id: "payer-\(bill.number)",
        bill.outstanding.map { part in
          .choice(
            part.payer.rawValue + "|" + (part.payerName ?? ""),
            "\(part.payerName ?? part.payer.label.text(for: language)) \(part.amount.formatted)")
        }),
      .input(
        .type(.text), .name("amount"), .id("amount-\(bill.number)"), .value(first.amount.decimalString),
        .attribute(named: "inputmode", value: "decimal"), .attribute(named: "aria-label", value: text("金额", "Amount"))
      ),
      // The payment is recorded on the day it is entered; finance, booking a transfer by the
      // bank's value date, may give an earlier day with a reason.
      .if(
        viewer.permissions.contains(.recordEarlierDates),
        .group(
          .input(
            .type(.date), .name("paidOn"), .id("paid-on-\(bill.number)"), .value(today.description),
            .attribute(named: "aria-label", value: text("缴费日期", "Paid on"))),
          .input(
            .type(.text), .name("paidOnReason"), .id("paid-on-reason-\(bill.number)"),
            .placeholder(text("早于今天时写明原因", "Why, when before today")),
            .attribute(named: "aria-label", value: text("补录日期原因", "Why an earlier date"))))),
      .input(
        .type(.text), .name("reference"), .id("reference-\(bill.number)"), .required(true),
        .placeholder(text("银行流水号或收据号", "Bank reference"))),
      .button(.type(.submit), .class("primary"), .id("pay-\(bill.number)"), .text(text("登记缴费", "Record payment"))))
  }

  /// The table, or a line saying there is none.
  func node() -> Node<HTML.BodyContext> {
    .section(
      .h2(.text(title.text(for: language))),
      .if(
        bills.isEmpty,
        .p(.class("muted"), .text(text("暂无缴费单。", "No bills yet."))),
        else: .table(
          .class("data-table"),
          .thead(
            .tr(
              .th(.text(text("编号", "Number"))), .th(.text(text("保障期间", "Period"))),
              .th(.class("number"), .text(text("人数", "Members"))), .th(.text(text("应缴（按付款方）", "Due by payer"))),
              .th(.class("number"), .text(text("应缴合计", "Total due"))),
              .th(.class("number"), .text(text("已缴", "Paid"))), .th(.text(text("状态", "Status"))))),
          .tbody(
            .forEach(bills) { bill in
              .tr(
                .td(
                  .text(bill.number),
                  .if(
                    bill.unitID != nil && bill.memberCount > 0 && viewer?.may(.viewPersonalData) == true,
                    .div(
                      .a(
                        .href(SiteURL.billCertificates(.value(bill.id)).path), .id("print-\(bill.number)"),
                        .text(
                          text(
                            "打印保障书（\(bill.memberCount.grouped) 张）", "Print certificates (\(bill.memberCount.grouped))"))
                      )
                    ))),
                .td(.text("\(bill.period.start) – \(bill.period.end)")),
                .td(.class("number"), .text(String(bill.memberCount))),
                .td(
                  .text(
                    bill.due.map { part in
                      "\(part.payerName ?? part.payer.label.text(for: language)) \(part.amount.formatted)"
                    }.joined(separator: "；"))),
                .td(.class("number"), .text(bill.totalDue.formatted)),
                .td(
                  .class("number"), .text(bill.totalPaid.formatted),
                  .forEach(payments[bill.id] ?? []) { payment in
                    .div(
                      .class("receipt-link"),
                      .a(.href(SiteURL.receipt(.value(payment.receiptNumber)).path), .text(payment.receiptNumber)),
                      .if(
                        payment.voided,
                        .span(.class("badge badge-returned"), .text(text(" 已作废", " void")))))
                  }),
                .td(
                  .span(.class("badge badge-\(bill.status.rawValue)"), .text(bill.status.label.text(for: language))),
                  paymentForm(bill)))
            }))))
  }
}
