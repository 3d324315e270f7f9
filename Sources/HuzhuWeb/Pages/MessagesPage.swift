import HuzhuApp
import HuzhuCore
import Plot
import Vapor

/// The text messages of the staff's area: how many went, wait and could not be delivered, and
/// the list (by default the troubled ones: given up, or failed and waiting to be tried again)
/// with the gateway's reason. A message given up is sent again once the member's phone is put
/// right; a sign-in code never is (the worker asks for a new one). Phones are masked.
enum MessagesPage {
  /// Which messages the list shows.
  enum Show: String, CaseIterable {
    case troubled, pending, sent, dead, all

    var label: LocalizedText {
      switch self {
      case .troubled: LocalizedText(zh: "未送达", en: "Not delivered")
      case .pending: MessageStatus.pending.label
      case .sent: MessageStatus.sent.label
      case .dead: LocalizedText(zh: "已放弃", en: "Given up")
      case .all: LocalizedText(zh: "全部", en: "All")
      }
    }

    var status: MessageStatus? {
      switch self {
      case .pending: .pending
      case .sent: .sent
      case .dead: .dead
      case .troubled, .all: nil
      }
    }
  }

  struct View: LocalizedView {
    let messages: PagedResult<QueuedMessage>
    let counts: [MessageStatus: Int]
    let show: Show
    let language: DisplayLanguage
    let viewer: Viewer
    var notice: LocalizedText? = nil
    var error: LocalizedText? = nil

    func html() -> HTML {
      let path = SiteURL.messages.path
      let pager = Pager(path: path, page: messages, language: language, query: [("show", show.rawValue)])
      return Layout(
        title: text("短信发送情况", "Text messages"), language: language, currentPath: path, viewer: viewer,
        content: .group(
          .nav(.class("breadcrumbs"), .a(.href(SiteURL.claimQueue.path), .text(text("理赔工作台", "Claims")))),
          .unwrap(notice) { .div(.class("notice notice-good"), .id("messages-notice"), .text($0.text(for: language))) },
          .unwrap(error) {
            .div(
              .class("notice notice-bad"), .id("messages-error"), .attribute(named: "role", value: "alert"),
              .text($0.text(for: language)))
          },
          .p(
            .class("muted"),
            .text(
              text(
                "申请受理、补件、审批、支付等短信由短信网关发出；发送失败的按 30 秒、2 分钟、10 分钟……逐次重试，七次仍失败或网关拒收（号码错误等）即放弃，在此列出原因。更正职工手机号后可重发；验证码短信不重发。",
                "Texts about claims go out through the SMS gateway; a failed one is tried again after 30 s, 2 min, 10 min… and given up after seven tries or when the gateway refuses it for good (a wrong number…), listed here with the reason. Once the member's phone is corrected it can be sent again; sign-in codes are not."
              ))),
          .ul(
            .class("figures"), .id("message-counts"),
            .forEach(MessageStatus.allCases) { status in
              .li(
                .span(.class("figure-value"), .text("\(counts[status] ?? 0)")),
                .span(.class("figure-label"), .text(status.label.text(for: language))))
            }),
          .p(
            .id("message-tabs"),
            .forEach(Show.allCases) { choice in
              .group(
                choice == show
                  ? .strong(.text(choice.label.text(for: language)))
                  : .a(.href("\(path)?show=\(choice.rawValue)"), .text(choice.label.text(for: language))),
                .text(" "))
            }),
          .div(
            .class("table-scroll"),
            .table(
              .class("data-table"), .id("messages"),
              .thead(
                .tr(
                  .th(.text(text("时间", "Queued"))), .th(.text(text("类别", "Kind"))),
                  .th(.text(text("手机号", "Phone"))), .th(.text(text("内容", "Text"))),
                  .th(.text(text("状态", "Status"))), .th(.class("number"), .text(text("次数", "Tries"))),
                  .th(.text(text("原因", "Reason"))), .th(.text("")))),
              .tbody(
                .forEach(messages.items) { queued in
                  let message = queued.message
                  return .tr(
                    .td(.class("date"), .text(Layout.timestamp(message.createdAt))),
                    .td(.text(message.kind.label.text(for: language))),
                    .td(.text(PersonalDataMask.phone(message.phone))),
                    .td(
                      .text(message.text),
                      .unwrap(message.claimID) { claim in
                        .group(.text(" "), .a(.href(SiteURL.claimPage(.value(claim)).path), .text(text("申请", "claim"))))
                      }),
                    .td(
                      .span(.class("badge"), .text(queued.status.label.text(for: language))),
                      .unwrap(queued.sentAt) { .text(" \(Layout.timestamp($0))") },
                      .if(
                        queued.status == .pending && queued.lastError != nil,
                        .text(text(" 下次 ", " next ") + Layout.timestamp(queued.nextAttemptAt)))),
                    .td(.class("number"), .text("\(queued.attempts)")),
                    .td(.text(queued.lastError.map(reason) ?? "")),
                    .td(resendForm(queued)))
                }))),
          pager.range,
          pager.node)
      ).html()
    }

    /// The gateway's words, with the usual ones said in the user's language.
    private func reason(_ said: String) -> String {
      switch said {
      case "no phone": text("无手机号", "no phone")
      case "expired before it could be sent": text("验证码已过期，未发送", "the code expired before it could be sent")
      default: said
      }
    }

    private func resendForm(_ queued: QueuedMessage) -> Node<HTML.BodyContext> {
      guard queued.status == .dead, !queued.message.kind.isSecret, queued.message.phone?.isEmpty == false,
        viewer.may(.intakeClaims)
      else { return .empty }
      return .form(
        .class("inline-form"), .method(.post), .action(SiteURL.messageResend(.value(queued.message.id)).path),
        .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
        .button(.type(.submit), .id("resend-\(queued.message.id)"), .text(text("重发", "Send again"))))
    }
  }
}

struct MessagesPagesController {
  func register(authenticated: any RoutesBuilder) {
    authenticated.get(.messages, requires: .viewClaims, use: list)
    authenticated.post(.messageResend(.key), requires: .intakeClaims, use: resend)
  }

  @Sendable func list(_ request: Request) async throws -> Response {
    let show = request.query[String.self, at: "show"].flatMap(MessagesPage.Show.init(rawValue:)) ?? .troubled
    let messages = try request.messages
    let page = try await messages.list(
      status: show.status, troubledOnly: show == .troubled,
      page: PageQuery(page: request.query[Int.self, at: "page"] ?? 1, per: 50))
    return MessagesPage.View(
      messages: page, counts: try await messages.counts(), show: show, language: request.displayLanguage,
      viewer: request.viewer!, notice: request.takeFlash(), error: request.takeFlashError()
    ).html().response()
  }

  @Sendable func resend(_ request: Request) async throws -> Response {
    do {
      let message = try await request.messages.resend(try request.identifier())
      request.flash(
        LocalizedText(
          zh: "已重新排队发送至 \(PersonalDataMask.phone(message.message.phone))",
          en: "Queued again for \(PersonalDataMask.phone(message.message.phone))"))
      await request.application.huzhu.messageDispatcher?.wake()
    } catch let failure as ValidationFailure {
      request.flashError(failure.summary)
    }
    return request.redirect(to: SiteURL.messages.path + "?show=all")
  }
}

extension Request {
  var messages: Messages {
    get throws { Messages(services, actor: try actor) }
  }
}
