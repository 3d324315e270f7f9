import HuzhuApp
import HuzhuCore
import Plot
import Vapor

/// Corrections of money for finance: the four-eyes queue (each request with approve and
/// refuse) and the decided ones, a page at a time.
enum CorrectionsPage {
  struct View: LocalizedView {
    let corrections: PagedResult<Correction>
    let status: Correction.Status?
    let language: DisplayLanguage
    let viewer: Viewer
    var notice: LocalizedText? = nil
    var error: LocalizedText? = nil

    func html() -> HTML {
      let path = SiteURL.corrections.path
      let pager = Pager(
        path: path, page: corrections, language: language, query: status.map { [("status", $0.rawValue)] } ?? [])
      return Layout(
        title: text("更正与作废", "Corrections"), language: language, currentPath: path, viewer: viewer,
        content: .group(
          .nav(.class("breadcrumbs"), .a(.href(SiteURL.funds.path), .text(text("资金对账", "Fund")))),
          .unwrap(notice) {
            .div(.class("notice notice-good"), .id("corrections-notice"), .text($0.text(for: language)))
          },
          .unwrap(error) {
            .div(
              .class("notice notice-bad"), .id("corrections-error"), .attribute(named: "role", value: "alert"),
              .text($0.text(for: language)))
          },
          .p(
            .class("muted"),
            .text(
              text(
                "涉及资金的更正（缴费作废、参保作废、退保）由一人提出、另一人复核后生效；原记录保留并标注，台账以冲正或退费记录更正。",
                "A correction of money (a payment's void, an enrollment's void, a withdrawal) is asked for by one person and takes effect once another approves it; the original stays, marked, and the ledger is corrected by reversal or refund entries."
              ))),
          StatusTabs(path: path, current: status, label: label).node,
          .table(
            .class("data-table"), .id("corrections"),
            .thead(
              .tr(
                .th(.text(text("类型", "Kind"))), .th(.text(text("收据或保障书", "Receipt or certificate"))),
                .th(.class("number"), .text(text("金额（元）", "Amount (yuan)"))), .th(.text(text("原因", "Reason"))),
                .th(.text(text("提出", "Asked by"))), .th(.text(text("状态", "Status"))), .th(.text("")))),
            .tbody(
              .forEach(corrections.items) { correction in
                .tr(
                  .td(.text(correction.kind.label.text(for: language))),
                  .td(.a(.href(target(correction)), .text(correction.targetLabel))),
                  .td(.class("number"), .text(correction.amount.formatted)),
                  .td(.text(correction.reason)),
                  .td(.text("\(correction.requestedBy) \(correction.requestedOn)")),
                  .td(
                    .span(.class("badge"), .text(correction.status.label.text(for: language))),
                    .unwrap(correction.decidedBy) { .text(" \($0) \(correction.decidedOn?.description ?? "")") },
                    .unwrap(correction.decisionNote) { .text("：\($0)") }),
                  .td(decision(correction)))
              })),
          pager.range,
          pager.node)
      )
      .html()
    }

    /// The corrected record's page: the receipt, or the certificate.
    private func target(_ correction: Correction) -> String {
      correction.kind.correctsEnrollment
        ? SiteURL.certificate(.value(correction.targetLabel)).path
        : SiteURL.receipt(.value(correction.targetLabel)).path
    }

    private func label(_ status: Correction.Status?) -> String {
      status.map { $0.label.text(for: language) } ?? text("全部", "All")
    }

    /// Approve and refuse, for finance, on a request someone else made.
    private func decision(_ correction: Correction) -> Node<HTML.BodyContext> {
      guard correction.status == .requested, viewer.may(.keepFundLedger) else { return .empty }
      let action = SiteURL.correctionDecision(.value(correction.id)).path
      return .group(
        .form(
          .class("inline-form"), .method(.post), .action(action),
          .data(
            named: "confirm",
            value: correction.kind.correctsEnrollment
              ? text(
                "确认撤销保障？保障书作废，缴费单调减，多缴部分生成退费。",
                "Approve? The certificate is void, the bill owes less, overpaid parts are refunded.")
              : text("确认作废？将冲减互助金台账，缴费单恢复为未缴。", "Approve? The fund is debited and the bill owes again.")),
          .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
          .input(.type(.hidden), .name("approve"), .value("true")),
          .button(
            .type(.submit), .class("primary"), .id("approve-\(correction.targetLabel)"), .text(text("复核通过", "Approve")))
        ),
        .form(
          .class("inline-form"), .method(.post), .action(action),
          .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
          .input(.type(.hidden), .name("approve"), .value("false")),
          .input(
            .type(.text), .name("note"), .required(true), .attribute(named: "maxlength", value: "200"),
            .placeholder(text("不予通过的理由", "Why not"))),
          .button(.type(.submit), .id("refuse-\(correction.targetLabel)"), .text(text("不予通过", "Refuse")))))
    }
  }
}

/// The corrections pages: the list, a void asked for from a receipt, a decision.
struct CorrectionsPagesController {
  func register(authenticated: any RoutesBuilder) {
    authenticated.get(.corrections, use: list)
    authenticated.post(.receiptVoid(.key), requires: .recordPayments, use: requestVoid)
    authenticated.post(.receiptReissue(.key), requires: .recordPayments, use: reissue)
    authenticated.post(.correctionDecision(.key), requires: .keepFundLedger, use: decide)
  }

  @Sendable func list(_ request: Request) async throws -> Response {
    let status = request.query[String.self, at: "status"].flatMap(Correction.Status.init)
    let page = try await request.corrections.list(
      status: status, page: PageQuery(page: request.query[Int.self, at: "page"] ?? 1, per: 50))
    return CorrectionsPage.View(
      corrections: page, status: status, language: request.displayLanguage, viewer: request.viewer!,
      notice: request.takeFlash(), error: request.takeFlashError()
    ).html().response()
  }

  struct VoidForm: Content {
    let reason: String
  }

  /// Asked for: back to the receipt, which now carries the mark (or the refusal).
  @Sendable func requestVoid(_ request: Request) async throws -> Response {
    let number = try request.pathText(SiteURL.numberParameter)
    let form = try request.content.decode(VoidForm.self)
    do {
      let correction = try await request.corrections.requestPaymentVoid(receipt: number, reason: form.reason)
      request.flash(
        correction.status == .applied
          ? LocalizedText(zh: "缴费已作废", en: "The payment is void")
          : LocalizedText(zh: "作废申请已提交，待财务复核", en: "The void waits for finance to approve it"))
    } catch let failure as ValidationFailure {
      request.flashError(failure.summary)
    }
    return request.redirect(to: SiteURL.corrections.path + "?status=requested")
  }

  /// Reissued: to the new receipt; refused: back to the one asked for, with the reason.
  @Sendable func reissue(_ request: Request) async throws -> Response {
    let number = try request.pathText(SiteURL.numberParameter)
    let form = try request.content.decode(VoidForm.self)
    do {
      let reissue = try await request.corrections.reissueReceipt(number, reason: form.reason)
      request.flash(
        LocalizedText(
          zh: "收据已重开为 \(reissue.number)，原收据 \(reissue.replaces) 作废",
          en: "Reissued as \(reissue.number); \(reissue.replaces) is replaced"))
      return request.redirect(to: SiteURL.receipt(.value(reissue.number)).path)
    } catch let failure as ValidationFailure {
      request.flashError(failure.summary)
      return request.redirect(to: SiteURL.receipt(.value(number)).path)
    }
  }

  struct DecisionForm: Content {
    let approve: Bool
    let note: String?
  }

  @Sendable func decide(_ request: Request) async throws -> Response {
    let form = try request.content.decode(DecisionForm.self)
    do {
      let correction = try await request.corrections.decide(
        try request.identifier(), approve: form.approve, note: form.note)
      request.flash(
        LocalizedText(
          zh: "\(correction.targetLabel)：\(correction.status.label.zh)",
          en: "\(correction.targetLabel): \(correction.status.label.en)"))
    } catch let failure as ValidationFailure {
      request.flashError(failure.summary)
    }
    return request.redirect(to: SiteURL.corrections.path)
  }
}
