import HuzhuApp
import HuzhuCore
import Plot
import Vapor

/// Recoveries (追回) of paid claims found wrong: the list (what is still owed, what came back)
/// and one recovery with its repayments and the form that records money paid back.
enum RecoveriesPage {
  struct List: LocalizedView {
    let recoveries: PagedResult<Recovery>
    let status: Recovery.Status?
    let language: DisplayLanguage
    let viewer: Viewer

    func html() -> HTML {
      let path = SiteURL.recoveries.path
      let pager = Pager(
        path: path, page: recoveries, language: language, query: status.map { [("status", $0.rawValue)] } ?? [])
      return Layout(
        title: text("追回", "Recoveries"), language: language, currentPath: path, viewer: viewer,
        content: .group(
          .nav(.class("breadcrumbs"), .a(.href(SiteURL.funds.path), .text(text("资金对账", "Fund")))),
          .p(
            .class("muted"),
            .text(
              text(
                "已支付的申请经查实有误时在申请页发起追回；收回的款项记入互助金台账的“追回”。尚欠的款项从该职工此后的互助金中自动抵扣（支付批次中注明）。",
                "A recovery is opened from a paid claim's page when it is found wrong; money paid back goes to the fund's \"recovered\" column. What is still owed is withheld from the member's later claims (shown in the payment batch)."
              ))),
          StatusTabs(path: path, current: status, label: label).node,
          .table(
            .class("data-table"), .id("recoveries"),
            .thead(
              .tr(
                .th(.text(text("申请号", "Claim"))), .th(.text(text("原因", "Reason"))),
                .th(.class("number"), .text(text("应追回（元）", "Due (yuan)"))),
                .th(.class("number"), .text(text("已收回（元）", "Back (yuan)"))),
                .th(.text(text("发起", "Opened"))), .th(.text(text("状态", "Status"))))),
            .tbody(
              .forEach(recoveries.items) { recovery in
                .tr(
                  .td(.a(.href(SiteURL.recoveryPage(.value(recovery.id)).path), .text(recovery.claimNumber))),
                  .td(.text(recovery.reason.label.text(for: language))),
                  .td(.class("number"), .text(recovery.amountDue.formatted)),
                  .td(.class("number"), .text(recovery.recovered.formatted)),
                  .td(.text("\(recovery.openedBy) \(recovery.openedOn)")),
                  .td(.span(.class("badge"), .text(recovery.status.label.text(for: language)))))
              })),
          pager.range,
          pager.node)
      ).html()
    }

    private func label(_ status: Recovery.Status?) -> String {
      status.map { $0.label.text(for: language) } ?? text("全部", "All")
    }
  }

  struct Detail: LocalizedView {
    let recovery: Recovery
    let repayments: [RecoveryRepayment]
    let language: DisplayLanguage
    let viewer: Viewer
    var notice: LocalizedText? = nil
    var error: LocalizedText? = nil

    func html() -> HTML {
      Layout(
        title: text("追回 ", "Recovery ") + recovery.claimNumber, language: language,
        currentPath: SiteURL.recoveryPage(.value(recovery.id)).path, viewer: viewer,
        content: .group(
          .nav(.class("breadcrumbs"), .a(.href(SiteURL.recoveries.path), .text(text("追回", "Recoveries")))),
          .unwrap(notice) {
            .div(.class("notice notice-good"), .id("recovery-notice"), .text($0.text(for: language)))
          },
          .unwrap(error) {
            .div(
              .class("notice notice-bad"), .id("recovery-error"), .attribute(named: "role", value: "alert"),
              .text($0.text(for: language)))
          },
          .dl(
            .class("facts"),
            .dt(.text(text("申请", "Claim"))),
            .dd(.a(.href(SiteURL.claimPage(.value(recovery.claimID)).path), .text(recovery.claimNumber))),
            .dt(.text(text("原因", "Reason"))),
            .dd(.text("\(recovery.reason.label.text(for: language))：\(recovery.note)")),
            .dt(.text(text("应追回", "Due"))), .dd(.id("recovery-due"), .text(recovery.amountDue.formatted)),
            .dt(.text(text("已收回", "Paid back"))), .dd(.id("recovery-back"), .text(recovery.recovered.formatted)),
            .dt(.text(text("尚欠", "Outstanding"))),
            .dd(.id("recovery-outstanding"), .strong(.text(recovery.outstanding.formatted))),
            .dt(.text(text("发起", "Opened"))), .dd(.text("\(recovery.openedBy) \(recovery.openedOn)")),
            .dt(.text(text("状态", "Status"))),
            .dd(.span(.class("badge"), .text(recovery.status.label.text(for: language))))),
          .section(
            .h2(.text(text("收回记录", "Repayments"))),
            .table(
              .class("data-table"), .id("repayments"),
              .thead(
                .tr(
                  .th(.text(text("日期", "Day"))), .th(.text(text("方式", "How"))),
                  .th(.class("number"), .text(text("金额（元）", "Amount (yuan)"))),
                  .th(.text(text("凭证号", "Reference"))), .th(.text(text("经办", "Recorded by"))))),
              .tbody(
                .forEach(repayments) { repayment in
                  .tr(
                    .td(.text(repayment.recordedOn.description)),
                    .td(.text(repayment.kind.label.text(for: language))),
                    .td(.class("number"), .text(repayment.amount.formatted)), .td(.text(repayment.reference)),
                    .td(.text(repayment.recordedBy)))
                }))),
          repaymentForm())
      ).html()
    }

    private func repaymentForm() -> Node<HTML.BodyContext> {
      guard recovery.status == .open, viewer.may(.recordPayments) else { return .empty }
      return .section(
        .h2(.text(text("登记收回", "Record money paid back"))),
        .form(
          .class("inline-form"), .method(.post), .action(SiteURL.recoveryRepayments(.value(recovery.id)).path),
          .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
          .input(
            .type(.text), .name("amount"), .id("repayment-amount"), .required(true),
            .attribute(named: "inputmode", value: "decimal"), .value(recovery.outstanding.decimalString)),
          .input(
            .type(.text), .name("reference"), .id("repayment-reference"), .required(true),
            .attribute(named: "maxlength", value: "200"),
            .placeholder(text("银行流水号或窗口收据号", "Bank reference or window receipt"))),
          .button(.type(.submit), .class("primary"), .id("record-repayment"), .text(text("登记", "Record")))))
    }
  }
}

/// The recoveries pages: the list, one recovery, one opened from a claim, a repayment.
struct RecoveriesPagesController {
  func register(authenticated: any RoutesBuilder) {
    authenticated.on(.GET, .recoveries, requiresAnyOf: [.viewClaims, .viewFund], use: list)
    authenticated.on(.GET, .recoveryPage(.key), requiresAnyOf: [.viewClaims, .viewFund], use: show)
    authenticated.on(.POST, .claimRecovery(.key), requiresAnyOf: [.approveClaims, .keepFundLedger], use: open)
    authenticated.post(.recoveryRepayments(.key), requires: .recordPayments, use: repay)
  }

  @Sendable func list(_ request: Request) async throws -> Response {
    let status = request.query[String.self, at: "status"].flatMap(Recovery.Status.init)
    let page = try await request.recoveries.list(
      status: status, page: PageQuery(page: request.query[Int.self, at: "page"] ?? 1, per: 50))
    return RecoveriesPage.List(
      recoveries: page, status: status, language: request.displayLanguage, viewer: request.viewer!
    ).html().response()
  }

  @Sendable func show(_ request: Request) async throws -> Response {
    let (recovery, repayments) = try await request.recoveries.recovery(try request.identifier())
    return RecoveriesPage.Detail(
      recovery: recovery, repayments: repayments, language: request.displayLanguage, viewer: request.viewer!,
      notice: request.takeFlash(), error: request.takeFlashError()
    ).html().response()
  }

  struct OpenForm: Content {
    let reason: Recovery.Reason
    let amount: String?
    let note: String
  }

  /// Opened: to the recovery's page; refused: back to the claim with the reason.
  @Sendable func open(_ request: Request) async throws -> Response {
    let id: ClaimRecord.ID = try request.identifier()
    let form = try request.content.decode(OpenForm.self)
    do {
      let typed = form.amount?.trimmingCharacters(in: .whitespaces) ?? ""
      let amount = typed.isEmpty ? nil : try Self.amount(typed)
      let recovery = try await request.recoveries.open(
        claim: id, amount: amount, reason: form.reason, note: form.note)
      request.flash(
        LocalizedText(
          zh: "已发起追回 \(recovery.amountDue.formatted)，已短信通知申请人",
          en: "Recovery of \(recovery.amountDue.formatted) opened; the member is told by text"))
      return request.redirect(to: SiteURL.recoveryPage(.value(recovery.id)).path)
    } catch let failure as ValidationFailure {
      request.flashError(failure.summary)
      return request.redirect(to: SiteURL.claimPage(.value(id)).path)
    }
  }

  /// A typed amount in yuan, or the field's error.
  static func amount(_ typed: String) throws(ValidationFailure) -> Money {
    let trimmed = typed.trimmingCharacters(in: .whitespaces)
    guard let amount = Money(yuan: trimmed) else {
      throw ValidationFailure([
        FieldError(
          field: "amount", code: "invalid_amount",
          message: LocalizedText(zh: "“\(trimmed)”不是金额", en: "\"\(trimmed)\" is not an amount"))
      ])
    }
    return amount
  }

  struct RepaymentForm: Content {
    let amount: String
    let reference: String
  }

  @Sendable func repay(_ request: Request) async throws -> Response {
    let id: Recovery.ID = try request.identifier()
    let form = try request.content.decode(RepaymentForm.self)
    do {
      let amount = try Self.amount(form.amount)
      let (recovery, recorded) = try await request.recoveries.recordRepayment(
        id, amount: amount, reference: form.reference)
      request.flash(
        recorded
          ? LocalizedText(
            zh: "已登记收回 \(amount.formatted)，尚欠 \(recovery.outstanding.formatted)",
            en: "\(amount.formatted) recorded; \(recovery.outstanding.formatted) outstanding")
          : LocalizedText(
            zh: "该凭证号已登记过，未重复记入", en: "that reference was recorded before: nothing was added"))
    } catch let failure as ValidationFailure {
      request.flashError(failure.summary)
    }
    return request.redirect(to: SiteURL.recoveryPage(.value(id)).path)
  }
}
