import HuzhuCore
import Plot
import Vapor

/// The HTML page for an error outside the API.
struct ErrorPage {
  let error: APIError
  let requestID: String
  let language: DisplayLanguage
  var viewer: Viewer? = nil

  func response(status: HTTPResponseStatus) -> Response {
    let title =
      switch error.status {
      case .notFound: Layout.text(zh: "页面不存在", en: "Page not found", language)
      case .forbidden: Layout.text(zh: "无权访问", en: "Not allowed", language)
      default: Layout.text(zh: "出错了", en: "Something went wrong", language)
      }
    let content: Node<HTML.BodyContext> = .div(
      .class("error-panel"),
      .p(.text(error.message.text(for: language))),
      .p(.class("muted"), .text(Layout.text(zh: "请求编号：", en: "Request id: ", language) + requestID)),
      .p(.a(.href(SiteURL.home.path), .text(Layout.text(zh: "返回首页", en: "Back to the home page", language))))
    )
    return Layout(title: title, language: language, currentPath: SiteURL.home.path, viewer: viewer, content: content)
      .html().response(status: status)
  }
}
