import Crypto
import Foundation
import HuzhuCore
import HuzhuPersistence
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
    routes.get(.stories) { request in
      StoriesPage.View(stories: try await StoriesPage.load(request), language: request.displayLanguage).html().response()
    }
  }

  static func hash(_ code: String, for worker: Worker.ID) -> String {
    SHA256.hash(data: Data("\(worker):\(code)".utf8)).map { String(format: "%02x", $0) }.joined()
  }

  private func render(_ model: PortalPage.Model, _ request: Request, status: HTTPResponseStatus = .ok) -> Response {
    PortalPage.View(model: model, language: request.displayLanguage, csrfToken: request.csrfToken).html()
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
    // As at the staff sign-in: no session, or a token that is not the session's, is refused.
    guard request.hasSession,
      CSRF.matches(try? request.content.get(String.self, at: CSRF.field), request.session.data[SessionKeys.csrf])
    else { throw CSRF.refused }
    var model = PortalPage.Model(stage: .identify, idNumber: form.idNumber, phone: form.phone)
    let store = FluentPortalStore(database: request.db)
    guard case .success(let number) = ResidentIDNumber.validate(form.idNumber.trimmingCharacters(in: .whitespaces)),
      let worker = try await store.worker(idNumber: number, phone: form.phone)
    else {
      try await request.audit(.portalLogin, actor: "portal", subject: "portal", detail: "no match")
      model.error = LocalizedText(
        zh: "身份证号与登记的手机号不匹配。如手机号有变更，请联系单位工会更新花名册。",
        en: "The ID number and the registered phone do not match. Ask your union officer to update the roster.")
      return render(model, request, status: .unprocessableEntity)
    }
    let code = PortalSignIn.newCode()
    let issued = try await store.issue(
      codeHash: Self.hash(code, for: worker.id), message: PortalSignIn.message(code: code), to: worker, at: Date())
    try await request.rotateSession()
    request.session.data[SessionKeys.portalPending] = worker.id.description
    model = PortalPage.Model(stage: .code, phone: PersonalDataMask.phone(worker.phone))
    if !issued {
      model.notice = LocalizedText(
        zh: "验证码刚刚已发送，请查看短信（1 分钟后可重新获取）。", en: "A code was just sent; check your messages (a new one in a minute).")
    }
    // No SMS gateway in a demo: the code is shown where the text message would arrive.
    if request.application.huzhu.configuration?.loadsDemoData == true {
      model.demoMessage = try await store.pendingMessage(for: worker.id)
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
    let store = FluentPortalStore(database: request.db)
    guard PortalSignIn.isWellFormed(code),
      try await store.redeem(codeHash: Self.hash(code, for: id), for: id, at: Date())
    else {
      try await request.audit(.portalLogin, actor: "worker:\(id)", subject: "worker:\(id)", detail: "wrong code")
      var model = PortalPage.Model(stage: .code)
      model.error = LocalizedText(
        zh: "验证码不正确或已过期（每个验证码最多可试 \(PortalSignIn.maximumAttempts) 次）。",
        en: "The code is wrong or has expired (\(PortalSignIn.maximumAttempts) tries per code).")
      return render(model, request, status: .unprocessableEntity)
    }
    try await request.rotateSession()
    let now = String(Int(Date().timeIntervalSince1970))
    request.session.data[SessionKeys.worker] = id.description
    request.session.data[SessionKeys.started] = now
    request.session.data[SessionKeys.seen] = now
    request.session.data[SessionKeys.csrf] = CSRF.newToken()
    try await request.audit(.portalLogin, actor: "worker:\(id)", subject: "worker:\(id)", detail: "signed in")
    return request.redirect(to: SiteURL.portal.path)
  }

  @Sendable func logout(_ request: Request) async throws -> Response {
    if request.hasSession { request.session.destroy() }
    return request.redirect(to: SiteURL.portalLogin.path)
  }

  @Sendable func home(_ request: Request) async throws -> Response {
    guard let id = request.portalWorker else { return request.redirect(to: SiteURL.portalLogin.path) }
    // The worker's own records only: read by their id, never by anything they typed.
    guard let worker = try await FluentRegistryStore(database: request.db).worker(id) else {
      request.session.destroy()
      return request.redirect(to: SiteURL.portalLogin.path)
    }
    let enrollments = try await FluentEnrollmentStore(database: request.db).enrollments(worker: id)
    let claimStore = FluentClaimStore(database: request.db)
    var claims: [(ClaimRecord, [OutboxMessage])] = []
    for claim in try await claimStore.claims(worker: id) {
      claims.append((claim, try await claimStore.outbox(claim: claim.id)))
    }
    var schemeNames: [String: String] = [:]
    for scheme in try await request.schemes.schemes() { schemeNames[scheme.code] = scheme.definition.scheme.name }
    var model = PortalPage.Model(stage: .home)
    model.home = .init(
      worker: worker, enrollments: enrollments, claims: claims, schemeNames: schemeNames, today: request.today)
    return render(model, request)
  }
}

extension Request {
  /// The worker signed in to the portal, if any (the same idle and lifetime limits as staff).
  var portalWorker: Worker.ID? {
    guard hasSession, let text = session.data[SessionKeys.worker], let id = Worker.ID(text) else { return nil }
    let now = Date().timeIntervalSince1970
    let seen = session.data[SessionKeys.seen].flatMap(TimeInterval.init) ?? 0
    let started = session.data[SessionKeys.started].flatMap(TimeInterval.init) ?? 0
    guard now - seen < SessionPolicy.idleTimeout, now - started < SessionPolicy.absoluteLifetime else { return nil }
    session.data[SessionKeys.seen] = String(Int(now))
    return id
  }
}

enum PortalPage {
  enum Stage { case identify, code, home }

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
  }

  struct View {
    let model: Model
    let language: DisplayLanguage
    let csrfToken: String

    private func text(_ zh: String, _ en: String) -> String { Layout.text(zh: zh, en: en, language) }

    func html() -> HTML {
      Layout(
        title: text("职工服务", "Worker self-service"), language: language, currentPath: SiteURL.portal.path,
        content: .group(
          .unwrap(model.notice) { .div(.class("notice"), .text($0.text(for: language))) },
          .unwrap(model.error) {
            .div(
              .class("notice notice-bad"), .id("portal-error"), .attribute(named: "role", value: "alert"),
              .text($0.text(for: language)))
          },
          body())
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
              .text(text("演示模式（未接短信网关），短信内容：", "Demo mode (no SMS gateway); the text message: ") + message))
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
      }
    }

    private func homeBody(_ home: Home) -> Node<HTML.BodyContext> {
      .group(
        .p(
          .class("muted"), .id("portal-worker"),
          .text("\(home.worker.name) · \(home.worker.idNumber.masked)")),
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
                  .href(SiteURL.verifyCertificate.path + "?number=\(enrollment.certificateNumber)"),
                  .text(enrollment.certificateNumber)))
            }),
        .h2(.text(text("我的互助金申请", "My claims"))),
        home.claims.isEmpty
          ? .p(.class("muted"), .text(text("暂无申请。", "No claims.")))
          : .ul(
            .class("plain-list cards"), .id("portal-claims"),
            .forEach(home.claims) { claim, messages in
              .li(
                .strong(.text(claim.number)),
                .text(" · "),
                .span(.class("badge badge-\(claim.state.rawValue)"), .text(claim.state.label.text(for: language))),
                .text(" · " + claim.payable.formatted),
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
