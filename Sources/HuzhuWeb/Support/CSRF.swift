import Crypto
import Foundation
import HuzhuCore
import Vapor

/// Cross-site request forgery defence. A browser sends the session cookie with any request,
/// even one another site's page made, so every state-changing request that arrives with the
/// session cookie must also carry the session's secret token (a form's hidden `_csrf` field
/// or the `X-CSRF-Token` header, which our pages' scripts set). API clients authenticate with
/// HTTP Basic and send JSON or files; a body type a cross-site form could send is refused
/// for them. SameSite=Strict on the cookie is the second layer, not the only one.
enum CSRF {
  static let field = "_csrf"
  static let header = "X-CSRF-Token"

  static func newToken() -> String {
    Data(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }).base64EncodedString()
      .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
      .replacingOccurrences(of: "=", with: "")
  }

  /// Content types a cross-site `<form>` or a no-CORS `fetch` can send.
  static func isCrossSiteSendable(_ type: HTTPMediaType?) -> Bool {
    guard let type else { return true }
    return type == .urlEncodedForm || type == .formData || (type.type == "text" && type.subType == "plain")
  }

  static let refused = APIError(
    status: .forbidden, code: "csrf",
    message: LocalizedText(
      zh: "页面已过期或请求来源不明，请刷新页面后重试", en: "the page has expired or the request's origin is unknown; reload and retry"))

  /// Constant-time comparison of two tokens.
  static func matches(_ supplied: String?, _ expected: String?) -> Bool {
    guard let supplied, let expected, supplied.utf8.count == expected.utf8.count else { return false }
    return zip(supplied.utf8, expected.utf8).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
  }
}

struct CSRFMiddleware: AsyncMiddleware {
  let sessionCookieName: String
  /// The largest body any route takes (``BodyLimits/largest(_:)``): collected here to read the
  /// form's token, the route's own limit applies after.
  let largestForm: Int

  func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
    guard ![.GET, .HEAD, .OPTIONS].contains(request.method) else { return try await next.respond(to: request) }
    if request.headers.basicAuthorization != nil {
      guard !CSRF.isCrossSiteSendable(request.headers.contentType) else { throw CSRF.refused }
    } else if request.cookies[sessionCookieName] != nil {
      var supplied = request.headers.first(name: CSRF.header)
      if supplied == nil, CSRF.isFormBody(request) {
        // Middleware runs before the route collects the body: collect the form here.
        if request.body.data == nil {
          // Files come as multipart, up to the largest any page takes (a roster upload);
          // fields-only forms are small.
          let limit = request.headers.contentType == .formData ? largestForm : BodyLimits.standard.value
          _ = try await request.body.collect(max: limit).get()
        }
        supplied = try? request.content.get(String.self, at: CSRF.field)
      }
      guard CSRF.matches(supplied, request.session.data[SessionKeys.csrf]) else { throw CSRF.refused }
    }
    return try await next.respond(to: request)
  }
}

extension CSRF {
  static func isFormBody(_ request: Request) -> Bool {
    guard let type = request.headers.contentType else { return false }
    return type == .urlEncodedForm || type == .formData
  }
}

extension Request {
  /// The session's token for a form on the page being rendered (made on first use).
  var csrfToken: String {
    if let token = session.data[SessionKeys.csrf] { return token }
    let token = CSRF.newToken()
    session.data[SessionKeys.csrf] = token
    // A session made for a form (the sign-in page) is stamped too, so that housekeeping can
    // tell when it went unused.
    if session.data[SessionKeys.seen] == nil {
      session.data[SessionKeys.seen] = String(Int(Date().timeIntervalSince1970))
    }
    return token
  }
}
