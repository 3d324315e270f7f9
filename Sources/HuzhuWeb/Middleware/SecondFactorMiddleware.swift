import HuzhuCore
import Vapor

/// Where the installation requires it, an administrator or finance officer without an
/// authenticator may do nothing but enrol one: pages send them to the enrolment page, the API
/// answers 403 `second_factor_required`. Signing out and the static files stay open.
struct SecondFactorMiddleware: AsyncMiddleware {
  static let open: Set<String> = [
    SiteURL.ownSecondFactor.path, SiteURL.ownPassword.path, SiteURL.logout.path, SiteURL.login.path,
    SiteURL.stylesheet.path,
    SiteURL.script.path,
  ]

  static let required = APIError(
    status: .forbidden, code: "second_factor_required",
    message: LocalizedText(
      zh: "您的角色须使用双因素登录，请先登录网页绑定身份验证器",
      en: "your role signs in with two factors: enrol an authenticator on the web first"))

  func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
    guard request.application.huzhu.secondFactorPolicy == .required, let signedIn = request.operatorAccount,
      signedIn.account.requiresSecondFactor, !signedIn.account.hasSecondFactor, !Self.open.contains(request.url.path)
    else { return try await next.respond(to: request) }
    if request.url.path.hasPrefix("/api/") { throw Self.required }
    request.flashError(
      LocalizedText(
        zh: "您的角色须使用双因素登录：请先用手机上的身份验证器扫码绑定",
        en: "your role signs in with two factors: enrol an authenticator app first"))
    return request.redirect(to: SiteURL.ownSecondFactor.path)
  }
}
