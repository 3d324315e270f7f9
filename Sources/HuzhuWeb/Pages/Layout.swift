import Foundation
import HuzhuCore
import Plot
import Vapor

/// The frame every page shares: header with the product name and language switch, a
/// navigation bar, the page's content, a footer. Pages supply only their `main` content.
struct Layout {
  let title: String
  let language: DisplayLanguage
  let currentPath: String
  var viewer: Viewer? = nil
  let content: Node<HTML.BodyContext>
  /// The worker's pages: large text (适老化) when chosen, with the switch to it and back.
  var textSize: TextSize? = nil

  func html() -> HTML {
    HTML(
      .lang(language == .en ? .english : .chinese),
      .head(
        .encoding(.utf8),
        .viewport(.accordingToDevice),
        .title("\(title) · \(Self.productName.text(for: language))"),
        .stylesheet(StaticFiles.shipped.link(SiteURL.stylesheet.path))
      ),
      .body(
        .if(textSize == .large, .class("large-text")),
        .header(
          .class("site-header"),
          // The name's second half gives way first when the header runs out of room.
          .a(
            .class("brand"), .href(SiteURL.home.path), .text(Self.text(zh: "互助", en: "Huzhu", language)),
            .span(
              .class("brand-long"),
              .text(Self.text(zh: " · 职工互助医疗保障", en: " · Workers' Mutual Medical Aid", language)))
          ),
          navigation(),
          .a(
            .class("language-switch"),
            .href("\(currentPath)?lang=\(language == .zh ? "en" : "zh")"),
            .text(language == .zh ? "English" : "中文")),
          .unwrap(textSize) { size in
            .a(
              .class("text-switch"), .id("text-switch"),
              .href("\(currentPath)?text=\(size == .large ? "normal" : "large")"),
              .text(
                size == .large
                  ? Self.text(zh: "标准字号", en: "Standard text", language)
                  : Self.text(zh: "大字模式", en: "Large text", language)))
          }
        ),
        .main(.class("content"), .h1(.text(title)), content),
        .script(.src(StaticFiles.shipped.link(SiteURL.script.path))),
        .footer(
          .class("site-footer"),
          .text(
            Self.text(
              zh: "职工互助医疗保障 · 尽力而为、量力而行", en: "Workers' mutual medical aid — do what we can, within what we can afford",
              language)))
      )
    )
  }

  /// The links the viewer's roles open, then who is signed in and the sign-out button.
  private func navigation() -> Node<HTML.BodyContext> {
    let may = { (permission: Permission) in viewer?.permissions.contains(permission) ?? false }
    let links: [(Bool, SiteURL, String, String)] = [
      (viewer != nil, .home, "工作台", "Dashboard"),
      (may(.viewRegistry), .organisations, "组织机构", "Organisations"),
      (may(.viewRegistry), .workers, "职工查询", "Workers"),
      (may(.viewClaims), .claimQueue, "理赔工作台", "Claims"),
      (may(.intakeClaims), .newClaim, "受理申请", "New claim"),
      (may(.viewClaims), .settlementsPage, "一站式结算", "One-stop"),
      (may(.managePayments), .paymentBatches, "支付批次", "Payments"),
      (may(.viewFund), .funds, "资金对账", "Fund"),
      (may(.viewReports), .statistics, "统计分析", "Statistics"),
      (may(.viewReports), .targets, "目标排名", "Targets"),
      (may(.viewReports), .simulator, "规则测算", "What-if"),
      (viewer != nil && !(viewer?.roles.isSubset(of: Role.administrators) ?? true), .schemesPage, "保障方案", "Schemes"),
      (may(.managePairings), .pairingsPage, "包联台账", "Pairing ledger"),
      (may(.manageUnits), .transfers, "调动申请", "Transfers"),
      (may(.manageAccounts) || may(.unlockAccounts), .accountsPage, "账号管理", "Accounts"),
      (may(.viewAudit), .auditLog, "审计日志", "Audit log"),
      (true, .verifyCertificate, "保障书查验", "Verify a certificate"),
      (viewer == nil, .portal, "职工服务", "Workers' self-service"),
      (viewer == nil, .stories, "互助故事", "Stories"),
    ]
    return .group(
      .nav(
        .class("site-nav"),
        .forEach(links.filter(\.0)) { _, url, zh, en in
          .a(
            .href(url.path), .if(url.path == currentPath, .class("current")), .text(Self.text(zh: zh, en: en, language))
          )
        }),
      .unwrap(viewer) { viewer in
        .form(
          .class("account"), .method(.post), .action(SiteURL.logout.path),
          .a(.class("account-name"), .href(SiteURL.ownPassword.path), .text(viewer.displayName)),
          .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
          .button(.type(.submit), .class("link-button"), .text(Self.text(zh: "退出", en: "Sign out", language))))
      },
      .if(
        viewer == nil,
        .a(.class("account"), .href(SiteURL.login.path), .text(Self.text(zh: "登录", en: "Sign in", language))))
    )
  }

  /// An instant as the scheme's clock shows it (Asia/Shanghai): `2026-11-23 22:39`, with
  /// seconds for the audit log.
  static func timestamp(_ date: Date, seconds: Bool = false) -> String {
    ShanghaiTime.text(date, seconds: seconds)
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
    if let size = request.query[String.self, at: "text"], TextSize(rawValue: size) != nil {
      response.cookies[TextSize.cookie] = HTTPCookies.Value(
        string: size, maxAge: 365 * 24 * 3600, path: "/", isHTTPOnly: true, sameSite: .lax)
    }
    return response
  }
}

/// The worker's text size (适老化): most members are middle-aged or older and read on a phone.
/// Chosen by a link (`?text=large`), kept in a cookie, no script needed (WeChat's browser
/// included).
enum TextSize: String, Sendable {
  case normal, large

  static let cookie = "text_size"
}

extension Request {
  /// The text size asked for in this request or kept from before.
  var textSize: TextSize {
    if let asked = query[String.self, at: "text"].flatMap(TextSize.init(rawValue:)) { return asked }
    return cookies[TextSize.cookie].flatMap { TextSize(rawValue: $0.string) } ?? .normal
  }
}

/// Who is looking at a page: their name, what they may do, and the token their forms carry.
struct Viewer: Sendable {
  let username: String
  let displayName: String
  let organisation: Organisation
  let roles: Set<Role>
  let permissions: Set<Permission>
  let csrfToken: String

  func may(_ permission: Permission) -> Bool { permissions.contains(permission) }

  /// People on their own are kept by organisation nodes, so a unit officer registers none.
  var mayRegisterIndividuals: Bool { may(.enroll) && !roles.contains(.unitOfficer) }
}

extension Request {
  /// The signed-in operator as pages see them (nil when nobody is signed in).
  var viewer: Viewer? {
    guard let signedIn = operatorAccount else { return nil }
    return Viewer(
      username: signedIn.account.username, displayName: signedIn.account.displayName,
      organisation: signedIn.organisation, roles: signedIn.account.roles, permissions: signedIn.account.permissions,
      csrfToken: csrfToken)
  }
}

/// A view that speaks the reader's language: `text("中文", "English")` picks one.
protocol LocalizedView {
  var language: DisplayLanguage { get }
}

extension LocalizedView {
  func text(_ zh: String, _ en: String) -> String { Layout.text(zh: zh, en: en, language) }
}

/// Previous and next links under a list cut into pages, with where the reader is; nothing
/// when the list fits one page. `query` travels with the links (a filter, a search).
struct Pager<Item: Sendable> {
  let path: String
  let page: PagedResult<Item>
  let language: DisplayLanguage
  var query: [(String, String)] = []
  /// The query parameter holding the page number (a page with two lists needs two).
  var parameter = "page"
  /// Where on the page the links land (the list's heading).
  var fragment: String? = nil

  /// Which rows of how many the page shows ("第 51–100 条，共 1,667 条"), for above the list.
  var range: Node<HTML.BodyContext> {
    let text = { (zh: String, en: String) in Layout.text(zh: zh, en: en, language) }
    guard page.total > 0 else { return .empty }
    let first = min(page.request.offset + 1, page.total)
    let last = min(page.request.offset + page.items.count, page.total)
    let shown = page.items.isEmpty ? "" : "\(first.grouped)–\(last.grouped)"
    return .p(
      .class("muted pager-range"),
      .text(
        shown.isEmpty
          ? text("本页没有记录，共 \(page.total.grouped) 条", "Nothing on this page; \(page.total.grouped) in all")
          : text("第 \(shown) 条，共 \(page.total.grouped) 条", "Showing \(shown) of \(page.total.grouped)")))
  }

  var node: Node<HTML.BodyContext> {
    guard page.pageCount > 1 else { return .empty }
    let current = page.request.page
    func link(_ number: Int) -> String {
      var components = URLComponents()
      components.path = path
      components.queryItems =
        query.map { URLQueryItem(name: $0.0, value: $0.1) } + [
          URLQueryItem(name: parameter, value: String(number))
        ]
      components.fragment = fragment
      return components.string ?? path
    }
    let text = { (zh: String, en: String) in Layout.text(zh: zh, en: en, language) }
    return .nav(
      .class("pager"),
      .if(current > 1, .a(.href(link(current - 1)), .rel(.prev), .text(text("上一页", "Previous")))),
      .span(
        .text(text("第 \(min(current, page.pageCount)) / \(page.pageCount) 页", "Page \(current) of \(page.pageCount)"))),
      .if(current < page.pageCount, .a(.href(link(current + 1)), .rel(.next), .text(text("下一页", "Next")))))
  }
}

/// Links to a list by each status ("all" first), the one shown in bold.
struct StatusTabs<Status: RawRepresentable & CaseIterable & Equatable> where Status.RawValue == String {
  let path: String
  let current: Status?
  /// The status's name, or "all" for nil.
  let label: (Status?) -> String

  var node: Node<HTML.BodyContext> {
    .p(
      .forEach([nil] + Status.allCases.map(Optional.some)) { choice in
        .group(
          choice == current
            ? .strong(.text(label(choice)))
            : .a(.href(choice.map { "\(path)?status=\($0.rawValue)" } ?? path), .text(label(choice))),
          .text(" "))
      })
  }
}
