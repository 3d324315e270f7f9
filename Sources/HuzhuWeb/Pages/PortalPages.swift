import Foundation
import HuzhuApp
import HuzhuCore
import Plot
import Vapor

/// The worker's self-service portal: sign in with the ID number and the registered mobile
/// phone plus a one-time code, then see cover and certificates and follow every claim. A
/// worker sees only their own records; the portal shares no route with the staff pages.
struct PortalController {
  func register(on routes: any RoutesBuilder) {
    routes.get(.portal, use: home)
    routes.get(.portalLogin, use: loginForm)
    routes.post(.portalLogin, use: sendCode)
    routes.post(.portalCode, use: checkCode)
    routes.post(.portalLogout, use: logout)
    routes.get(.portalApply, use: applyForm)
    routes.on(.POST, SiteURL.portalApply.pathComponents, body: .collect(maxSize: BodyLimits.claimForm), use: apply)
    PortalClaimsController().register(on: routes)
    PortalAccountController().register(on: routes)
    PortalEnrollController().register(on: routes)
    routes.get(.stories) { request in
      StoriesPage.View(stories: try await StoriesPage.load(request), language: request.displayLanguage).html()
        .response()
    }
  }

  private func render(_ model: PortalPage.Model, _ request: Request, status: HTTPResponseStatus = .ok) -> Response {
    PortalPage.View(
      model: model, language: request.displayLanguage, csrfToken: request.csrfToken, textSize: request.textSize
    ).html()
      .response(status: status)
  }

  @Sendable func loginForm(_ request: Request) async throws -> Response {
    if request.portalWorker != nil { return request.redirect(to: SiteURL.portal.path) }
    return render(PortalPage.Model(stage: .identify), request)
  }

  struct IdentifyForm: Content {
    let idNumber: String
    let phone: String
  }

  @Sendable func sendCode(_ request: Request) async throws -> Response {
    let form = try request.content.decode(IdentifyForm.self)
    try request.requireSignInToken()
    var model = PortalPage.Model(stage: .identify, idNumber: form.idNumber, phone: form.phone)
    let codes = PortalCodes(request.services)
    guard
      let (worker, message) = try await codes.send(
        idNumber: form.idNumber, phone: form.phone, address: request.clientAddress)
    else {
      model.error = LocalizedText(
        zh: "身份证号与登记的手机号不匹配。如手机号有变更，请联系单位工会更新花名册。",
        en: "The ID number and the registered phone do not match. Ask your union officer to update the roster.")
      return render(model, request, status: .unprocessableEntity)
    }
    try await request.rotateSession()
    request.session.data[SessionKeys.portalPending] = worker.id.description
    model = PortalPage.Model(stage: .code, phone: PersonalDataMask.phone(worker.phone))
    if let message {
      // The worker is waiting for this one: sent now rather than at the dispatcher's next
      // round (a failure is left to its retries; the page says the same either way).
      do {
        _ = try await request.application.huzhu.messageDispatcher?.deliver([message])
      } catch {
        request.logger.warning("portal code not sent at once: \(String(reflecting: error))")
      }
    } else {
      model.notice = LocalizedText(
        zh: "验证码刚刚已发送，请查看短信（1 分钟后可重新获取）。", en: "A code was just sent; check your messages (a new one in a minute).")
    }
    // A demo shows what the fake gateway delivered to the phone, in a database of
    // demonstration people only.
    if request.application.huzhu.showsPortalCodes, let phone = worker.phone {
      model.demoMessage = request.application.huzhu.fakeGateway?.latest(.portalCode, to: phone)?.text
    }
    return render(model, request)
  }

  struct CodeForm: Content {
    let code: String
  }

  @Sendable func checkCode(_ request: Request) async throws -> Response {
    guard request.hasSession, let pending = request.session.data[SessionKeys.portalPending],
      let id = Worker.ID(pending)
    else { return request.redirect(to: SiteURL.portalLogin.path) }
    let code = try request.content.decode(CodeForm.self).code.trimmingCharacters(in: .whitespaces)
    guard try await PortalCodes(request.services).redeem(code, for: id, address: request.clientAddress)
    else {
      var model = PortalPage.Model(stage: .code)
      model.error = LocalizedText(
        zh: "验证码不正确或已过期（每个验证码最多可试 \(PortalSignIn.maximumAttempts) 次）。",
        en: "The code is wrong or has expired (\(PortalSignIn.maximumAttempts) tries per code).")
      return render(model, request, status: .unprocessableEntity)
    }
    try await request.startSession(SessionKeys.worker, id.description)
    return request.redirect(to: SiteURL.portal.path)
  }

  @Sendable func logout(_ request: Request) async throws -> Response {
    if request.hasSession { request.session.destroy() }
    return request.redirect(to: SiteURL.portalLogin.path)
  }

  @Sendable func home(_ request: Request) async throws -> Response {
    guard let id = request.portalWorker else { return request.redirect(to: SiteURL.portalLogin.path) }
    guard let home = try await Portal(request.services, worker: id).home() else {
      request.session.destroy()
      return request.redirect(to: SiteURL.portalLogin.path)
    }
    var model = PortalPage.Model(stage: .home)
    model.notice = request.takeFlash()
    model.home = .init(
      worker: home.worker, enrollments: home.enrollments, claims: home.claims.map { ($0.claim, $0.messages) },
      schemeNames: home.schemeNames, today: request.today)
    return render(model, request)
  }
}

extension PortalController {
  /// The schemes the worker holds paid cover in, for the form's choice.
  private func applyModel(_ request: Request, worker id: Worker.ID) async throws -> ClaimFormPage.Model? {
    try await Portal(request.services, worker: id).intakeChoices().map {
      ClaimFormPage.Model(choices: $0, today: request.today)
    }
  }

  @Sendable func applyForm(_ request: Request) async throws -> Response {
    guard let id = request.portalWorker else { return request.redirect(to: SiteURL.portalLogin.path) }
    guard let form = try await applyModel(request, worker: id) else {
      return request.redirect(to: SiteURL.portalLogin.path)
    }
    var model = PortalPage.Model(stage: .apply)
    model.application = form
    return render(model, request)
  }

  /// A claim made by the worker: the same intake as at the window (checked, calculated,
  /// duplicates flagged); submitted at once when the scans cover the checklist, otherwise
  /// left for the window to complete.
  @Sendable func apply(_ request: Request) async throws -> Response {
    guard let id = request.portalWorker else { return request.redirect(to: SiteURL.portalLogin.path) }
    guard var form = try await applyModel(request, worker: id) else {
      return request.redirect(to: SiteURL.portalLogin.path)
    }
    var body = try request.content.decode(PagesController.ClaimFormBody.self)
    // The claim is received the day the worker sends it: no date typed in the portal counts.
    body.claimDate = nil
    body.claimDateReason = nil
    let holding = HeldScans(request.services, holder: "worker:\(id)")
    let scans = body.scans(held: holding.scans(body.heldTokens, now: Date()))
    func refuse(_ errors: [FieldError]) throws -> Response {
      form.errors = errors
      form.held = try holding.hold(scans, now: Date())
      var model = PortalPage.Model(stage: .apply)
      model.application = form
      return render(model, request, status: .unprocessableEntity)
    }
    let checked: (intake: ClaimIntake, receivedOn: CalendarDate?, reason: String, scans: [Claims.Scan])
    switch form.check(body, scans: scans, today: request.today) {
    case .failure(let failure): return try refuse(failure.errors)
    case .success(let value): checked = value
    }
    do {
      let record = try await Portal(request.services, worker: id).apply(
        checked.intake, scheme: form.form.schemeCode, scans: checked.scans, address: request.clientAddress)
      request.flash(
        record.state == .submitted
          ? LocalizedText(
            zh: "申请 \(record.number) 已提交，承诺 \(record.dueOn?.description ?? "—") 前办结",
            en: "Claim \(record.number) submitted; due by \(record.dueOn?.description ?? "—")")
          : LocalizedText(
            zh: "申请 \(record.number) 已登记；材料未齐，工会窗口会联系您补充",
            en: "Claim \(record.number) recorded; documents are missing and the window will contact you"))
      return request.redirect(to: SiteURL.portal.path)
    } catch let failure as ValidationFailure {
      return try refuse(failure.errors)
    }
  }
}

extension Request {
  /// The worker signed in to the portal, if any (the same idle and lifetime limits as staff).
  var portalWorker: Worker.ID? {
    guard hasSession, let text = session.data[SessionKeys.worker], let id = Worker.ID(text) else { return nil }
    let now = Date()
    guard sessionIsAlive(at: now) else { return nil }
    touchSession(at: now)
    return id
  }
}

enum PortalPage {
  enum Stage { case identify, code, home, apply }

  struct Home {
    let worker: Worker
    let enrollments: [Enrollment]
    let claims: [(ClaimRecord, [OutboxMessage])]
    let schemeNames: [String: String]
    let today: CalendarDate
  }

  struct Model {
    var stage: Stage
    var idNumber = ""
    var phone = ""
    var error: LocalizedText?
    var notice: LocalizedText?
    var demoMessage: String?
    var home: Home?
    var application: ClaimFormPage.Model?
  }

  struct View: LocalizedView {
    let model: Model
    let language: DisplayLanguage
    let csrfToken: String
    var textSize: TextSize = .normal

    func html() -> HTML {
      Layout(
        title: text("职工服务", "Worker self-service"), language: language,
        currentPath: model.stage == .identify ? SiteURL.portalLogin.path : SiteURL.portal.path,
        content: .group(
          .unwrap(model.notice) { .div(.class("notice"), .text($0.text(for: language))) },
          .unwrap(model.error) {
            .div(
              .class("notice notice-bad"), .id("portal-error"), .attribute(named: "role", value: "alert"),
              .text($0.text(for: language)))
          },
          body()),
        textSize: textSize
      )
      .html()
    }

    private func body() -> Node<HTML.BodyContext> {
      switch model.stage {
      case .identify:
        return .form(
          .class("stacked-form narrow"), .method(.post), .action(SiteURL.portalLogin.path),
          .input(.type(.hidden), .name(CSRF.field), .value(csrfToken)),
          .p(
            .class("muted"),
            .text(
              text(
                "用身份证号和在单位登记的手机号登录，我们会发送短信验证码。",
                "Sign in with your ID number and the mobile phone your unit registered; we text you a code."))),
          .label(.for("idNumber"), .text(text("身份证号", "ID number"))),
          .input(
            .type(.text), .name("idNumber"), .id("idNumber"), .value(model.idNumber), .required(true),
            .attribute(named: "autocomplete", value: "off")),
          .label(.for("phone"), .text(text("手机号", "Mobile phone"))),
          .input(
            .type(.tel), .name("phone"), .id("phone"), .value(model.phone), .required(true),
            .attribute(named: "inputmode", value: "numeric")),
          .button(.type(.submit), .class("primary"), .id("send-code"), .text(text("获取验证码", "Text me a code"))))
      case .code:
        return .group(
          .unwrap(model.demoMessage) { message in
            .div(
              .class("notice notice-good"), .id("demo-sms"),
              .text(
                text("演示模式：模拟短信网关送达手机的短信：", "Demo mode: the text the fake SMS gateway delivered: ") + message))
          },
          .form(
            .class("stacked-form narrow"), .method(.post), .action(SiteURL.portalCode.path),
            .input(.type(.hidden), .name(CSRF.field), .value(csrfToken)),
            .p(.text(text("验证码已发送至 \(model.phone)", "A code was sent to \(model.phone)"))),
            .label(.for("code"), .text(text("验证码", "Code"))),
            .input(
              .type(.text), .name("code"), .id("code"), .required(true), .autofocus(true),
              .attribute(named: "inputmode", value: "numeric"),
              .attribute(named: "autocomplete", value: "one-time-code")),
            .button(.type(.submit), .class("primary"), .id("check-code"), .text(text("登录", "Sign in")))))
      case .home:
        guard let home = model.home else { return .empty }
        return homeBody(home)
      case .apply:
        guard let application = model.application else { return .empty }
        return applyBody(application)
      }
    }

    private func applyBody(_ form: ClaimFormPage.Model) -> Node<HTML.BodyContext> {
      func field(_ name: String, _ errorField: String, _ label: String, _ value: String, type: HTMLInputType = .text)
        -> Node<HTML.FormContext>
      {
        .labelled(
          label, for: name, errors: form.errors(for: errorField), language: language,
          Node<HTML.BodyContext>.input(.type(type), .name(name), .id(name), .value(value)))
      }
      let typed = form.form
      return .group(
        .if(
          !form.errors.isEmpty,
          .div(
            .class("notice notice-bad"), .id("form-errors"),
            .forEach(
              form.errors.filter { $0.field.hasPrefix("scan_") || $0.field == "workerId" || $0.field == "schemeCode" }
            ) {
              .p(.text($0.message.text(for: language)))
            },
            .p(.text(text("请按提示修改，已填写的内容都保留着。", "Please correct the marked fields; everything typed is kept."))))),
        .form(
          .class("stacked-form"), .method(.post), .action(SiteURL.portalApply.path), .enctype(.multipartData),
          .input(.type(.hidden), .name(CSRF.field), .value(csrfToken)),
          .fieldset(
            .legend(text("住院情况", "The stay")),
            .div(
              .class("field"), .label(.for("schemeCode"), .text(text("保障方案", "Scheme"))),
              Node<HTML.FormContext>(
                .namedSelect(
                  "schemeCode", id: "schemeCode",
                  form.schemes.map { .choice($0.code, $0.name, selected: $0.code == typed.schemeCode) }))),
            field("hospital", "hospital", text("医院", "Hospital"), typed.hospital),
            field("admissionDate", "event.admissionDate", text("入院日期", "Admitted"), typed.admissionDate, type: .date),
            field("dischargeDate", "event.dischargeDate", text("出院日期", "Discharged"), typed.dischargeDate, type: .date),
            field(
              "hospitalDays", "event.hospitalDays", text("住院天数", "Days in hospital"), typed.hospitalDays, type: .number),
            .p(
              .class("muted"), .id("claim-date"),
              .text(text("申请日期以提交当天为准。", "The claim date is the day you send it.")))),
          .fieldset(
            .legend(text("医保结算单（元）", "Settlement sheet (yuan)")),
            .forEach([SettlementFigure.inScopeCost, .pooledFundPaid, .criticalIllnessInsurancePaid]) { figure in
              field(
                "figure_\(figure.rawValue)", "event.figures.\(figure.rawValue)", figure.label.text(for: language),
                typed.figures[figure] ?? "")
            },
            field("invoiceNumbers", "invoiceNumbers", text("住院费用票据号", "Invoice numbers"), typed.invoiceNumbers),
            field(
              "settlementSheetNumber", "settlementSheetNumber", text("医保结算单号", "Settlement sheet number"),
              typed.settlementSheetNumber)),
          .fieldset(
            .legend(text("材料照片或扫描件（PDF/JPEG/PNG）", "Photos or scans (PDF/JPEG/PNG)")),
            .forEach(ClaimFormPage.scanKinds) { kind in
              .div(
                .class("field"), .label(.for("scan-\(kind)"), .text(RequiredDocument.label(kind).text(for: language))),
                .input(
                  .type(.file), .name("scan_\(kind)"), .id("scan-\(kind)"),
                  .attribute(named: "accept", value: "application/pdf,image/jpeg,image/png")),
                Node(ClaimFormPage.keptScan(kind, form.kept(kind), language: language)))
            }),
          .button(
            .type(.submit), .class("primary"), .id("portal-submit-claim"), .text(text("提交申请", "Submit the claim")))))
    }

    private func homeBody(_ home: Home) -> Node<HTML.BodyContext> {
      .group(
        .p(
          .class("muted"), .id("portal-worker"),
          .text("\(home.worker.name) · \(home.worker.idNumber.masked)")),
        .p(
          .a(.href(SiteURL.portalAccount.path), .id("portal-account-link"), .text(text("我的收款账户", "My bank account"))),
          .if(
            home.worker.unitID == nil,
            .group(
              .text(" · "),
              .a(.href(SiteURL.portalEnroll.path), .id("portal-enroll-link"), .text(text("个人网上参保", "Join on my own")))))
        ),
        .h2(.text(text("我的保障", "My cover"))),
        home.enrollments.isEmpty
          ? .p(.class("muted"), .text(text("暂无参保记录。", "No cover yet.")))
          : .ul(
            .class("plain-list cards"),
            .forEach(home.enrollments) { enrollment in
              .li(
                .strong(.text(home.schemeNames[enrollment.schemeCode] ?? enrollment.schemeCode)),
                .text(" · \(enrollment.period.start) – \(enrollment.period.end) · "),
                .span(
                  .class("badge badge-\(enrollment.coverState(on: home.today).rawValue)"),
                  .text(enrollment.coverState(on: home.today).label.text(for: language))),
                .br(),
                .text(text("保障书编号：", "Certificate: ")),
                .a(
                  .href(SiteURL.portalCertificate(.value(enrollment.certificateNumber)).path),
                  .class("portal-certificate"), .text(enrollment.certificateNumber)))
            }),
        .h2(.text(text("我的互助金申请", "My claims"))),
        .p(
          .a(
            .class("button primary"), .id("portal-apply"), .href(SiteURL.portalApply.path),
            .text(text("网上申请互助金", "Apply online")))),
        home.claims.isEmpty
          ? .p(.class("muted"), .text(text("暂无申请。", "No claims.")))
          : .ul(
            .class("plain-list cards"), .id("portal-claims"),
            .forEach(home.claims) { claim, messages in
              .li(
                .a(.href(SiteURL.portalClaim(.value(claim.id)).path), .strong(.text(claim.number))),
                .text(" · "),
                .span(.class("badge badge-\(claim.state.rawValue)"), .text(claim.state.label.text(for: language))),
                .if(claim.state != .rejected, .text(" · " + claim.payable.formatted)),
                .unwrap(claim.dueOn) { due in
                  .text(text("（承诺 \(due) 前办结）", " (due by \(due))"))
                },
                .ul(.forEach(messages) { .li(.class("muted"), .text($0.text)) }))
            }),
        .form(
          .method(.post), .action(SiteURL.portalLogout.path),
          .input(.type(.hidden), .name(CSRF.field), .value(csrfToken)),
          .button(.type(.submit), .class("button"), .id("portal-logout"), .text(text("退出", "Sign out")))))
    }
  }
}
