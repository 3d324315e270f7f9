import HuzhuCore
import Vapor

/// An operator holding a password someone else chose (a new account, a reset) may do nothing
/// but choose their own: pages send them to the password form, the API answers 403
/// `password_change_required`. Signing out, the form itself and the static files stay open.
struct PasswordChangeMiddleware: AsyncMiddleware {
  static let open: Set<String> = [
    SiteURL.ownPassword.path, SiteURL.logout.path, SiteURL.login.path, SiteURL.stylesheet.path, SiteURL.script.path,
  ]

  static let required = APIError(
    status: .forbidden, code: "password_change_required",
    message: LocalizedText(
      zh: "您正在使用临时密码，请先登录网页修改密码", en: "you hold a temporary password: change it on the web first"))

  func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
    guard let signedIn = request.operatorAccount, signedIn.account.mustChangePassword,
      !Self.open.contains(request.url.path)
    else { return try await next.respond(to: request) }
    if request.url.path.hasPrefix("/api/") { throw Self.required }
    request.flashError(
      LocalizedText(
        zh: "您的密码由管理员设置，请先设置自己的新密码", en: "an administrator chose your password: choose your own first"))
    return request.redirect(to: SiteURL.ownPassword.path)
  }
}
