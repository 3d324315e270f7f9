import Foundation
import HuzhuApp
import HuzhuCore
import Vapor

/// Two-factor sign-in: the code after the password, enrolment and its reset.
extension PagesController {
  /// How long the password step stays good while the code is typed.
  static let pendingLifetime: TimeInterval = 5 * 60

  /// The account waiting for its code in this session, if the password step is recent.
  func pendingAccount(_ request: Request) async throws -> UserAccount? {
    guard request.hasSession, let text = request.session.data[SessionKeys.pendingAccount],
      let id = UserAccount.ID(text),
      let since = request.session.data[SessionKeys.pendingSince].flatMap(TimeInterval.init),
      Date().timeIntervalSince1970 - since < Self.pendingLifetime
    else { return nil }
    return try await request.signIns.session(id)?.account
  }

  @Sendable func loginCodeForm(_ request: Request) async throws -> Response {
    guard try await pendingAccount(request) != nil else { return request.redirect(to: SiteURL.login.path) }
    return SecondFactorPages.CodeView(language: request.displayLanguage, csrfToken: request.csrfToken).html()
      .response()
  }

  struct CodeForm: Content {
    let code: String
  }

  @Sendable func loginCode(_ request: Request) async throws -> Response {
    let form = try request.content.decode(CodeForm.self)
    try request.requireSignInToken()
    guard let account = try await pendingAccount(request) else {
      request.session.data[SessionKeys.pendingAccount] = nil
      return request.redirect(to: SiteURL.login.path)
    }
    switch try await request.signIns.secondStep(account, code: form.code, once: true, address: request.clientAddress) {
    case .signedIn(let account, let organisations):
      guard let authenticated = AuthenticatedAccount(account, organisations: organisations) else {
        return request.redirect(to: SiteURL.login.path)
      }
      let next = request.session.data[SessionKeys.pendingNext]
      try await request.startSession(SessionKeys.account, account.id.description)
      request.auth.login(authenticated)
      try await request.audit(.login, subject: "account:\(account.username)", detail: "password and one-time code")
      return request.redirect(to: Self.safeNext(next))
    case .refused(let message):
      return SecondFactorPages.CodeView(language: request.displayLanguage, csrfToken: request.csrfToken, error: message)
        .html().response(status: .unauthorized)
    }
  }

  func secondFactorView(_ request: Request, errors: [FieldError] = []) async throws -> SecondFactorPages.EnrolView {
    guard let signedIn = request.operatorAccount else { throw APIError.unauthorized }
    let account = signedIn.account
    let work = SecondFactors(request.services, actor: try request.actor)
    var pending: SecondFactors.Pending?
    if !account.hasSecondFactor {
      pending = try request.session.data[SessionKeys.enrolling].flatMap { try work.pending($0) } ?? work.begin()
      request.session.data[SessionKeys.enrolling] = pending?.sealed
    }
    let required = request.application.huzhu.secondFactorPolicy == .required && account.requiresSecondFactor
    return SecondFactorPages.EnrolView(
      language: request.displayLanguage, viewer: request.viewer!, enrolledAt: account.secondFactorEnrolledAt,
      pending: pending, required: required, errors: errors, notice: request.takeFlash(),
      warning: request.takeFlashError())
  }

  @Sendable func secondFactorPage(_ request: Request) async throws -> Response {
    try await secondFactorView(request).html().response()
  }

  @Sendable func enrolSecondFactor(_ request: Request) async throws -> Response {
    let form = try request.content.decode(CodeForm.self)
    guard let sealed = request.session.data[SessionKeys.enrolling] else {
      return request.redirect(to: SiteURL.ownSecondFactor.path)
    }
    do {
      try await SecondFactors(request.services, actor: try request.actor).confirm(sealed, code: form.code)
    } catch let failure as ValidationFailure {
      return try await secondFactorView(request, errors: failure.errors).html().response(status: .unprocessableEntity)
    }
    request.session.data[SessionKeys.enrolling] = nil
    request.flash(LocalizedText(zh: "双因素登录已启用", en: "Two-factor sign-in is on"))
    return request.redirect(to: SiteURL.ownSecondFactor.path)
  }

  @Sendable func removeSecondFactor(_ request: Request) async throws -> Response {
    do {
      try await SecondFactors(request.services, actor: try request.actor).remove(
        policy: request.application.huzhu.secondFactorPolicy)
    } catch let failure as ValidationFailure {
      return try await secondFactorView(request, errors: failure.errors).html().response(status: .unprocessableEntity)
    }
    request.flash(LocalizedText(zh: "双因素登录已停用", en: "Two-factor sign-in is off"))
    return request.redirect(to: SiteURL.ownSecondFactor.path)
  }

  @Sendable func resetSecondFactor(_ request: Request) async throws -> Response {
    let account = try await SecondFactors(request.services, actor: try request.actor).reset(try request.identifier())
    request.flash(
      LocalizedText(
        zh: "已重置 \(account.username) 的双因素登录，其下次登录时重新绑定",
        en: "\(account.username)'s two-factor sign-in was reset: they enrol again at their next sign-in"))
    return request.redirect(to: SiteURL.accountsPage.path)
  }
}
