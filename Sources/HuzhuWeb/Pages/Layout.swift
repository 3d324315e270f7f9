import HuzhuCore
import Plot
import Vapor

/// The frame every page shares: header with the product name and language switch, a
/// navigation bar, the page's content, a footer. Pages supply only their `main` content.
struct Layout {
  let title: String
  let language: DisplayLanguage
  let currentPath: String
  let content: Node<HTML.BodyContext>

  func html() -> HTML {
    HTML(
      .lang(language == .en ? .english : .chinese),
      .head(
        .encoding(.utf8),
        .viewport(.accordingToDevice),
        .title("\(title) · \(Self.productName.text(for: language))"),
        .stylesheet(SiteURL.stylesheet.path)
      ),
      .body(
        .header(
          .class("site-header"),
          .a(.class("brand"), .href(SiteURL.home.path), .text(Self.productName.text(for: language))),
          .nav(
            .class("site-nav"),
            .a(.href(SiteURL.home.path), .text(Self.text(zh: "组织机构", en: "Organisations", language))),
            .a(.href(SiteURL.claimQueue.path), .text(Self.text(zh: "理赔工作台", en: "Claims", language))),
            .a(.href(SiteURL.funds.path), .text(Self.text(zh: "资金对账", en: "Fund", language))),
            .a(.href(SiteURL.verifyCertificate.path), .text(Self.text(zh: "保障书查验", en: "Verify a certificate", language))),
            .a(.href(SiteURL.openAPI.path), .text(Self.text(zh: "接口文档", en: "API", language)))
          ),
          .a(
            .class("language-switch"),
            .href("\(currentPath)?lang=\(language == .zh ? "en" : "zh")"),
            .text(language == .zh ? "English" : "中文"))
        ),
        .main(.class("content"), .h1(.text(title)), content),
        .footer(
          .class("site-footer"),
          .text(
            Self.text(
              zh: "职工互助医疗保障 · 尽力而为、量力而行", en: "Workers' mutual medical aid — do what we can, within what we can afford",
              language)))
      )
    )
  }

  static let productName = LocalizedText(zh: "互助 · 职工互助医疗保障", en: "Huzhu · Workers' Mutual Medical Aid")

  static func text(zh: String, en: String, _ language: DisplayLanguage) -> String {
    language == .en ? en : zh
  }
}

extension HTML {
  func response(status: HTTPResponseStatus = .ok) -> Response {
    var headers = HTTPHeaders()
    headers.contentType = .html
    return Response(status: status, headers: headers, body: .init(string: render()))
  }
}

extension Request {
  /// `?lang=en` or `?lang=zh` for this request; otherwise Chinese.
  var displayLanguage: DisplayLanguage {
    if let code = query[String.self, at: "lang"], let language = DisplayLanguage(rawValue: code) {
      return language
    }
    if let cookie = cookies["lang"]?.string, let language = DisplayLanguage(rawValue: cookie) {
      return language
    }
    return .default
  }
}

/// Remembers an explicit `?lang=` choice in a cookie, so the switch sticks across pages.
struct LanguageCookieMiddleware: AsyncMiddleware {
  func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
    let response = try await next.respond(to: request)
    if let code = request.query[String.self, at: "lang"], DisplayLanguage(rawValue: code) != nil {
      response.cookies["lang"] = HTTPCookies.Value(
        string: code, maxAge: 365 * 24 * 3600, path: "/", isHTTPOnly: true, sameSite: .lax)
    }
    return response
  }
}
