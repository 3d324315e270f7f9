import HuzhuApp
import HuzhuCore
import Plot
import Vapor

/// Refunds of contributions for finance: what is still to transfer (with the bank file) and
/// what was transferred, each due one with the form that records the bank's reference.
enum RefundsPage {
  struct View: LocalizedView {
    let refunds: PagedResult<Refund>
    let status: Refund.Status?
    let language: DisplayLanguage
    let viewer: Viewer
    var notice: LocalizedText? = nil
    var error: LocalizedText? = nil

    func html() -> HTML {
      let path = SiteURL.refunds.path
      let pager = Pager(
        path: path, page: refunds, language: language, query: status.map { [("status", $0.rawValue)] } ?? [])
      return Layout(
        title: text("退费", "Refunds"), language: language, currentPath: path, viewer: viewer,
        content: .group(
          .nav(
            .class("breadcrumbs"), .a(.href(SiteURL.funds.path), .text(text("资金对账", "Fund"))), .text(" · "),
            .a(.href(SiteURL.corrections.path), .text(text("更正与作废", "Corrections")))),
          .unwrap(notice) { .div(.class("notice notice-good"), .id("refunds-notice"), .text($0.text(for: language))) },
          .unwrap(error) {
            .div(
              .class("notice notice-bad"), .id("refunds-error"), .attribute(named: "role", value: "alert"),
              .text($0.text(for: language)))
          },
          .p(
            .class("muted"),
            .text(
              text(
                "保障撤销（参保作废或退保）经复核生效后，各付款方多缴的部分在此退还：导出银行文件办理转账，再逐笔登记银行流水号。工会补贴退回工会，不在银行文件中。",
                "Once a cover's withdrawal is approved, what each payer paid beyond their due is refunded here: export the bank file, transfer, then record each bank reference. Union subsidies go back to the union, outside the bank file."
              ))),
          .if(
            viewer.may(.keepFundLedger),
            .p(
              .text(text("银行文件（待退款）：", "Bank file (due): ")),
              .a(.href("\(SiteURL.refundsBankFile.path)?format=csv"), .id("refunds-csv"), .text("CSV")), .text(" · "),
              .a(.href("\(SiteURL.refundsBankFile.path)?format=xlsx"), .id("refunds-xlsx"), .text("Excel")))),
          StatusTabs(path: path, current: status) { $0.map { $0.label.text(for: language) } ?? text("全部", "All") }
            .node,
          .table(
            .class("data-table"), .id("refunds"),
            .thead(
              .tr(
                .th(.text(text("退费单号", "Refund"))), .th(.text(text("保障书", "Certificate"))),
                .th(.text(text("缴费单", "Bill"))), .th(.text(text("付款方", "Payer"))),
                .th(.text(text("收款人", "Payee"))), .th(.text(text("账户", "Account"))),
                .th(.class("number"), .text(text("金额（元）", "Amount (yuan)"))), .th(.text(text("状态", "Status"))),
                .th(.text("")))),
            .tbody(
              .forEach(refunds.items) { refund in
                .tr(
                  .td(.text(refund.number)),
                  .td(
                    .a(
                      .href(SiteURL.certificate(.value(refund.certificateNumber)).path),
                      .text(refund.certificateNumber))),
                  .td(.text(refund.billNumber)),
                  .td(.text(refund.payer.label.text(for: language))),
                  .td(.text(refund.payeeName)),
                  .td(
                    .text(
                      [refund.bankName, refund.bankAccount.map(BankAccountMask.masked)].compactMap { $0 }
                        .joined(separator: " "))),
                  .td(.class("number"), .text(refund.amount.formatted)),
                  .td(
                    .span(.class("badge"), .text(refund.status.label.text(for: language))),
                    .unwrap(refund.paidOn) { .text(" \($0) \(refund.paidReference ?? "")") }),
                  .td(transferForm(refund)))
              })),
          pager.range,
          pager.node)
      ).html()
    }

    private func transferForm(_ refund: Refund) -> Node<HTML.BodyContext> {
      guard refund.status == .due, viewer.may(.keepFundLedger) else { return .empty }
      return .form(
        .class("inline-form"), .method(.post), .action(SiteURL.refundTransfer(.value(refund.id)).path),
        .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
        .input(
          .type(.text), .name("reference"), .required(true), .attribute(named: "maxlength", value: "64"),
          .placeholder(text("银行流水号", "Bank reference")),
          .attribute(named: "aria-label", value: text("银行流水号", "Bank reference"))),
        .button(.type(.submit), .id("transfer-\(refund.number)"), .text(text("登记已退款", "Record the transfer"))))
    }
  }
}

/// The refunds pages, and a cover's withdrawal asked for from its certificate.
struct RefundsPagesController {
  func register(authenticated: any RoutesBuilder) {
    authenticated.on(.GET, .refunds, requiresAnyOf: [.viewFund, .recordPayments], use: list)
    authenticated.get(.refundsBankFile, requires: .keepFundLedger, use: bankFile)
    authenticated.post(.refundTransfer(.key), requires: .keepFundLedger, use: transfer)
    authenticated.post(.certificateWithdrawal(.key), requires: .recordPayments, use: requestWithdrawal)
  }

  @Sendable func list(_ request: Request) async throws -> Response {
    let status = request.query[String.self, at: "status"].flatMap(Refund.Status.init)
    let page = try await request.refunds.list(
      status: status, page: PageQuery(page: request.query[Int.self, at: "page"] ?? 1, per: 50))
    return RefundsPage.View(
      refunds: page, status: status, language: request.displayLanguage, viewer: request.viewer!,
      notice: request.takeFlash(), error: request.takeFlashError()
    ).html().response()
  }

  @Sendable func bankFile(_ request: Request) async throws -> Response {
    let format =
      request.query[String.self, at: "format"].flatMap(Payments.BankFileFormat.init(rawValue:)) ?? .csv
    let (name, data) = try await request.refunds.bankFile(format: format)
    return Response.spreadsheet(data, excel: format == .xlsx, name: name)
  }

  struct TransferForm: Content {
    let reference: String
  }

  @Sendable func transfer(_ request: Request) async throws -> Response {
    let form = try request.content.decode(TransferForm.self)
    do {
      let (refund, _) = try await request.refunds.markPaid(try request.identifier(), reference: form.reference)
      request.flash(
        LocalizedText(zh: "已登记退款 \(refund.number)", en: "Refund \(refund.number) recorded as transferred"))
    } catch let failure as ValidationFailure {
      request.flashError(failure.summary)
    }
    return request.redirect(to: SiteURL.refunds.path + "?status=due")
  }

  struct WithdrawalForm: Content {
    let kind: String
    let reason: String
    let refundBankName: String?
    let refundBankAccount: String?
  }

  /// Asked for: back to the certificate with the outcome (or the refusal).
  @Sendable func requestWithdrawal(_ request: Request) async throws -> Response {
    let number = try request.pathText(SiteURL.numberParameter)
    let form = try request.content.decode(WithdrawalForm.self)
    do {
      guard let kind = Correction.Kind(rawValue: form.kind), kind.correctsEnrollment else {
        throw ValidationFailure([
          FieldError(field: "kind", code: "invalid_kind", message: LocalizedText(zh: "请选择撤销类型", en: "choose the kind"))
        ])
      }
      let correction = try await request.corrections.requestWithdrawal(
        kind, certificate: number, reason: form.reason, refundBankName: form.refundBankName,
        refundBankAccount: form.refundBankAccount)
      request.flash(
        correction.status == .applied
          ? LocalizedText(zh: "保障已撤销，退费见“退费”页", en: "The cover is withdrawn; refunds are on the refunds page")
          : LocalizedText(zh: "撤销申请已提交，待财务复核", en: "The withdrawal waits for finance to approve it"))
    } catch let failure as ValidationFailure {
      request.flashError(failure.summary)
    }
    return request.redirect(to: SiteURL.certificate(.value(number)).path)
  }
}
