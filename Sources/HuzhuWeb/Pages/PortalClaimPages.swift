import Foundation
import HuzhuApp
import HuzhuCore
import Plot
import Vapor

/// One of the worker's claims in the portal: where it stands, why it pays what it pays (in
/// plain sentences), the texts sent about it, the appeal, and the decision letter to print.
enum PortalClaimPage {
  struct View: LocalizedView {
    let view: Portal.ClaimView
    let language: DisplayLanguage
    let csrfToken: String
    var notice: LocalizedText? = nil
    var error: LocalizedText? = nil
    var textSize: TextSize = .normal

    var storyConsent: StoryConsent? { view.storyConsent }

    var explanation: PlainExplanation {
      PlainExplanation(view.claim, refusal: view.refusal, language: language)
    }

    func html() -> HTML {
      let claim = view.claim
      return Layout(
        title: text("申请 ", "Claim ") + claim.number, language: language,
        currentPath: SiteURL.portalClaim(.value(claim.id)).path,
        content: .group(
          .nav(.class("breadcrumbs"), .a(.href(SiteURL.portal.path), .text(text("职工服务", "Self-service")))),
          .unwrap(notice) { .div(.class("notice notice-good"), .id("portal-notice"), .text($0.text(for: language))) },
          .unwrap(error) {
            .div(
              .class("notice notice-bad"), .id("portal-error"), .attribute(named: "role", value: "alert"),
              .text($0.text(for: language)))
          },
          .dl(
            .class("facts"), .id("portal-claim-facts"),
            fact(text("状态", "Status"), claim.state.label.text(for: language)),
            fact(text("保障方案", "Scheme"), view.schemeName),
            fact(text("医院", "Hospital"), claim.intake.hospital ?? "—"),
            fact(text("就医日期", "Treatment"), PortalClaimPage.stay(claim, language: language)),
            fact(text("受理日期", "Received"), claim.createdOn.description),
            fact(text("承诺办结", "Due by"), claim.dueOn?.description ?? "—"),
            fact(
              text("给付金额", "Amount"),
              claim.state == .rejected ? text("不予给付", "none (refused)") : claim.payable.formatted)),
          .if(
            claim.state.isDecided,
            .p(
              .a(
                .class("button primary"), .id("portal-letter"),
                .href(SiteURL.portalClaimLetter(.value(claim.id)).path),
                .text(
                  claim.state == .rejected
                    ? text("查看并打印不予给付通知书", "See and print the refusal letter")
                    : text("查看并打印给付通知书", "See and print the payment letter"))))),
          .section(
            .id("portal-explanation"),
            .h2(.text(text("给付说明", "Why it pays what it pays"))),
            PortalClaimPage.explanationNode(explanation, language: language)),
          .if(
            !view.messages.isEmpty,
            .section(
              .h2(.text(text("短信通知", "Text messages"))),
              .ul(
                .class("plain-list"), .id("portal-messages"),
                .forEach(view.messages) { message in
                  .li(
                    .span(.class("muted"), .text(Layout.timestamp(message.createdAt) + " ")),
                    .text(message.text),
                    .span(.class("muted"), .text(" （\(message.status.label.text(for: language))）")))
                }))),
          appeal(),
          story()
        ),
        textSize: textSize
      ).html()
    }

    private func fact(_ label: String, _ value: String) -> Node<HTML.DescriptionListContext> {
      .group(.dt(.text(label)), .dd(.text(value)))
    }

    /// For a paid claim: consent to telling it as an anonymised story, or taking that back.
    private func story() -> Node<HTML.BodyContext> {
      guard StoryConsent.mayConsent(to: view.claim) else { return .empty }
      let given = storyConsent?.isGiven == true
      return .section(
        .id("portal-story"),
        .h2(.text(text("分享我的互助故事", "Share my story"))),
        .p(
          .class("muted"),
          .text(
            text(
              "工会用真实案例宣传互助保障。同意后，工会可选用本案例匿名展示：只写行业、性别、年龄段、月份、住院天数和给付金额，不写姓名、单位和具体日期。可随时撤回。",
              "The union tells real cases to show what the scheme does. If you agree, it may tell this one anonymously: the sector, gender, age band, month, days in hospital and the amount paid; never your name, unit or exact dates. You can take it back at any time."
            ))),
        .p(
          .id("portal-story-state"),
          .text(
            given
              ? (storyConsent?.isPublic == true
                ? text("您已同意，案例正在展示。", "You agreed; the story is shown.")
                : text("您已同意，案例尚未被选用展示。", "You agreed; the story is not shown yet."))
              : text("您尚未同意展示本案例。", "You have not agreed to this story being told."))),
        .form(
          .method(.post), .action(SiteURL.portalClaimStory(.value(view.claim.id)).path),
          .input(.type(.hidden), .name(CSRF.field), .value(csrfToken)),
          .input(.type(.hidden), .name("consent"), .value(given ? "no" : "yes")),
          .button(
            .type(.submit), .class(given ? "button" : "button primary"), .id("portal-story-consent"),
            .text(given ? text("撤回同意", "Take consent back") : text("同意匿名展示", "I agree")))))
    }

    /// An appeal form while the claim can be appealed (a refusal, or an approval not yet paid)
    /// and has not been; otherwise what is left to do.
    private func appeal() -> Node<HTML.BodyContext> {
      let claim = view.claim
      guard claim.state.isAppealable else { return .empty }
      guard !claim.progress.appealed else {
        return .p(
          .class("muted"), .id("portal-appealed"),
          .text(text("本申请已申诉过一次，复核后的决定为最终决定。", "This claim was appealed once; the decision after review is final.")))
      }
      return .section(
        .id("portal-appeal"),
        .h2(.text(text("申诉", "Appeal"))),
        .p(
          .class("muted"),
          .text(
            text(
              "对决定有异议的，可以申诉一次：写明理由后提交，申请将回到审核环节重新办理，结果以短信告知。",
              "If you disagree, you may appeal once: give your reason and the claim goes back to review; the outcome comes by text message."
            ))),
        .form(
          .class("stacked-form"), .method(.post), .action(SiteURL.portalClaimAppeal(.value(claim.id)).path),
          .input(.type(.hidden), .name(CSRF.field), .value(csrfToken)),
          .label(.for("appeal-reason"), .text(text("申诉理由", "Your reason"))),
          .textarea(
            .name("reason"), .id("appeal-reason"), .required(true), .attribute(named: "maxlength", value: "500"),
            .attribute(named: "rows", value: "4")),
          .button(.type(.submit), .class("primary"), .id("portal-appeal-submit"), .text(text("提交申诉", "Appeal")))))
    }
  }

  static func stay(_ claim: ClaimRecord, language: DisplayLanguage) -> String {
    let event = claim.intake.event
    switch (event.admissionDate, event.dischargeDate) {
    case (let from?, let to?):
      return language == .en ? "\(from) to \(to)" : "\(from) 至 \(to)"
    default:
      return (event.visitDate ?? event.eventDate)?.description ?? "—"
    }
  }

  /// The decision and, per benefit, the sentences of its calculation.
  static func explanationNode(_ explanation: PlainExplanation, language: DisplayLanguage) -> Node<HTML.BodyContext> {
    func t(_ zh: String, _ en: String) -> String { language == .en ? en : zh }
    return .group(
      .p(.class("explanation-decision"), .strong(.text(explanation.decision))),
      .forEach(explanation.benefits) { benefit in
        .div(
          .class("explanation-benefit"),
          .h3(.text(benefit.title + t("：", ": ") + benefit.total.formatted)),
          .ol(.forEach(benefit.sentences) { .li(.text($0)) }),
          .unwrap(benefit.nothingBecause) {
            .p(.class("muted"), .text(t("本项未给付：", "Nothing paid under this benefit: ") + $0))
          })
      },
      .unwrap(explanation.calculated) {
        .p(.class("muted"), .text(t("按规则计算合计：", "The rules' total: ") + $0.formatted))
      })
  }
}

/// The decision letter (互助金给付通知书 / 不予给付通知书): one A4 page the worker prints or
/// keeps, with the amount in figures and in capitals, the reasons, and the way to appeal.
enum DecisionLetterPage {
  struct View: LocalizedView {
    let view: Portal.ClaimView
    let language: DisplayLanguage
    var textSize: TextSize = .normal

    func html() -> HTML {
      let claim = view.claim
      let refused = claim.state == .rejected
      let explanation = PlainExplanation(claim, refusal: view.refusal, language: language)
      let office = view.office.map { language == .en ? ($0.nameEn ?? $0.name) : $0.name } ?? view.schemeName
      let title =
        refused ? text("互助金不予给付通知书", "Notice of refusal") : text("互助金给付通知书", "Notice of payment")
      let decidedOn = view.decidedAt.map { CalendarDate($0).description } ?? claim.createdOn.description
      return Layout(
        title: title, language: language, currentPath: SiteURL.portalClaimLetter(.value(claim.id)).path,
        content: .group(
          .div(
            .class("no-print"),
            .nav(
              .class("breadcrumbs"),
              .a(.href(SiteURL.portalClaim(.value(claim.id)).path), .text(text("返回申请", "Back to the claim")))),
            .p(
              .button(
                .type(.button), .class("primary"), .id("print-letter"), .data(named: "print", value: "1"),
                .text(text("打印通知书", "Print the letter"))))),
          .article(
            .class("letter"), .id("decision-letter"),
            .header(
              .p(.class("letter-office"), .text(office)),
              .h2(.text(title)),
              .p(.class("letter-number"), .text(text("申请编号：", "Claim: ") + claim.number))),
            .p(.text(text("\(view.worker.name)：", "Dear \(view.worker.name),"))),
            .p(
              .text(
                text(
                  "您于 \(claim.createdOn) 提交的互助金申请（\(claim.intake.hospital ?? "")，\(PortalClaimPage.stay(claim, language: language))，"
                    + "身份证号 \(view.worker.idNumber.masked)），经审核，决定如下：",
                  "Your claim received on \(claim.createdOn) (\(claim.intake.hospital ?? ""), \(PortalClaimPage.stay(claim, language: language)), "
                    + "ID \(view.worker.idNumber.masked)) was decided as follows:"))),
            refused
              ? .p(
                .class("letter-decision"), .id("letter-decision"),
                .strong(
                  .text(
                    text("不予给付。理由：", "Not paid. Reason: ") + (view.refusal ?? text("见审核意见", "see the review"))
                  )))
              : .p(
                .class("letter-decision"), .id("letter-decision"),
                .strong(
                  .text(
                    text(
                      "给付互助金人民币 \(claim.payable.chineseCapital)（\(claim.payable.formatted)）",
                      "Paid: \(claim.payable.formatted)"))),
                .text(
                  text(
                    "，转入您登记的银行账户 \(BankAccountMask.masked(view.worker.bankAccount ?? ""))。",
                    " to your registered bank account \(BankAccountMask.masked(view.worker.bankAccount ?? "")).")
                )),
            .h3(.text(text("计算说明", "How it was calculated"))),
            PortalClaimPage.explanationNode(explanation, language: language),
            .h3(.text(text("申诉", "Appeal"))),
            .p(
              .id("letter-appeal"),
              .text(
                claim.progress.appealed
                  ? text(
                    "本申请已申诉过一次，本决定为复核后的最终决定。", "This claim was appealed once; this decision after review is final.")
                  : claim.state.isAppealable
                    ? text(
                      "如对本决定有异议，可申诉一次：登录“职工服务”在本申请页面提出，或携本通知书到\(office)经办窗口办理。",
                      "If you disagree you may appeal once: in the worker self-service, on this claim's page, or at the \(office) window with this letter."
                    )
                    : text(
                      "互助金已支付，本申请已办结。对支付金额有疑问的，请携本通知书到\(office)经办窗口咨询。",
                      "The benefit has been paid and the claim is closed. For questions about the amount, bring this letter to the \(office) window."
                    ))),
            .footer(
              .class("letter-foot"),
              .p(.text(office)),
              .p(.text(decidedOn))))
        ),
        textSize: textSize
      ).html()
    }
  }
}

/// The portal's claim routes: a worker reaches only their own claims.
struct PortalClaimsController {
  func register(on routes: any RoutesBuilder) {
    routes.get(.portalCertificate(.key), use: certificate)
    routes.get(.portalClaim(.key), use: claim)
    routes.post(.portalClaimStory(.key), use: story)
    routes.get(.portalClaimLetter(.key), use: letter)
    routes.post(.portalClaimAppeal(.key), use: appeal)
  }

  private func claimView(_ request: Request) async throws -> Portal.ClaimView? {
    guard let worker = request.portalWorker else { return nil }
    return try await Portal(request.services, worker: worker).claim(try request.identifier())
  }

  @Sendable func claim(_ request: Request) async throws -> Response {
    guard let view = try await claimView(request) else { return request.redirect(to: SiteURL.portalLogin.path) }
    return PortalClaimPage.View(
      view: view, language: request.displayLanguage, csrfToken: request.csrfToken, notice: request.takeFlash(),
      error: request.takeFlashError(), textSize: request.textSize
    ).html().response()
  }

  @Sendable func letter(_ request: Request) async throws -> Response {
    guard let view = try await claimView(request) else { return request.redirect(to: SiteURL.portalLogin.path) }
    guard view.claim.state.isDecided else {
      request.flashError(LocalizedText(zh: "该申请尚未作出决定，暂无通知书。", en: "This claim is not decided yet: no letter."))
      return request.redirect(to: SiteURL.portalClaim(.value(view.claim.id)).path)
    }
    return DecisionLetterPage.View(view: view, language: request.displayLanguage, textSize: request.textSize).html()
      .response()
  }

  /// The e-certificate: the printed sheet, QR code included, for the worker's phone.
  @Sendable func certificate(_ request: Request) async throws -> Response {
    guard let worker = request.portalWorker else { return request.redirect(to: SiteURL.portalLogin.path) }
    let number = try request.pathText(SiteURL.numberParameter)
    let certificate = try await Portal(request.services, worker: worker).certificate(number: number)
    let language = request.displayLanguage
    func text(_ zh: String, _ en: String) -> String { language == .en ? en : zh }
    return Layout(
      title: text("电子保障书", "E-certificate"), language: language,
      currentPath: SiteURL.portalCertificate(.value(number)).path,
      content: .group(
        .nav(
          .class("breadcrumbs no-print"), .a(.href(SiteURL.portal.path), .text(text("职工服务", "Self-service")))),
        .p(
          .class("muted no-print"),
          .text(
            text(
              "出示本页或扫描二维码即可查验保障书真伪。", "Show this page, or let the QR code be scanned, to prove the certificate."))),
        CertificateSheet(
          certificate: certificate, today: request.today, language: language, publicAddress: request.publicAddress
        ).node()),
      textSize: request.textSize
    ).html().response()
  }

  struct StoryForm: Content {
    let consent: YesNo
  }

  @Sendable func story(_ request: Request) async throws -> Response {
    guard let worker = request.portalWorker else { return request.redirect(to: SiteURL.portalLogin.path) }
    let id: ClaimRecord.ID = try request.identifier()
    let given = try request.content.decode(StoryForm.self).consent.isYes
    do {
      _ = try await Portal(request.services, worker: worker).consentToStory(id, given, address: request.clientAddress)
      request.flash(
        given
          ? LocalizedText(
            zh: "感谢您同意分享。案例经工会选用后匿名展示，您可随时撤回。",
            en: "Thank you. The union may now tell your story anonymously; you can take this back at any time.")
          : LocalizedText(zh: "已撤回同意，案例不再展示。", en: "Consent taken back: the story is not shown."))
    } catch let failure as ValidationFailure {
      request.flashError(failure.summary)
    }
    return request.redirect(to: SiteURL.portalClaim(.value(id)).path)
  }

  struct AppealForm: Content {
    let reason: String
  }

  @Sendable func appeal(_ request: Request) async throws -> Response {
    guard let worker = request.portalWorker else { return request.redirect(to: SiteURL.portalLogin.path) }
    let id: ClaimRecord.ID = try request.identifier()
    let form = try request.content.decode(AppealForm.self)
    do {
      _ = try await Portal(request.services, worker: worker).appeal(
        id, reason: form.reason, address: request.clientAddress)
      request.flash(
        LocalizedText(
          zh: "申诉已提交，申请回到审核环节，结果将以短信告知。",
          en: "Your appeal was sent: the claim is back in review; the outcome comes by text."))
    } catch let failure as ValidationFailure {
      request.flashError(failure.summary)
    }
    return request.redirect(to: SiteURL.portalClaim(.value(id)).path)
  }
}
