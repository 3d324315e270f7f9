import Foundation
import HuzhuApp
import HuzhuCore
import Plot
import Vapor

/// Joining on one's own, online (a gig worker, or someone whose unit has not joined): the
/// products whose rule version takes individuals, a bill to pay, and the bills still waiting.
/// Cover begins once the window or a payment file records the payment.
enum PortalEnrollPage {
  struct View: LocalizedView {
    let offers: [Portal.Offer]
    let bills: [Bill]
    let language: DisplayLanguage
    let csrfToken: String
    var notice: LocalizedText? = nil
    var errors: [FieldError] = []
    var textSize: TextSize = .normal

    func html() -> HTML {
      Layout(
        title: text("个人网上参保", "Join on my own"), language: language, currentPath: SiteURL.portalEnroll.path,
        content: .group(
          .nav(.class("breadcrumbs"), .a(.href(SiteURL.portal.path), .text(text("职工服务", "Self-service")))),
          .unwrap(notice) { .div(.class("notice notice-good"), .id("portal-notice"), .text($0.text(for: language))) },
          .if(
            !errors.isEmpty,
            .ul(.class("errors"), .id("enroll-errors"), .forEach(errors) { .li(.text($0.message.text(for: language))) })
          ),
          .if(
            !bills.isEmpty,
            .section(
              .id("portal-bills"),
              .h2(.text(text("待缴费", "To pay"))),
              .ul(
                .class("plain-list cards"),
                .forEach(bills) { bill in
                  .li(
                    .strong(.text(text("缴费单 ", "Bill ") + bill.number)),
                    .text(text("，应缴 ", ", due ") + bill.totalDue.formatted),
                    .text(
                      text(
                        "，保障期间 \(bill.period.start) 至 \(bill.period.end)",
                        ", cover \(bill.period.start) to \(bill.period.end)")),
                    .p(
                      .class("muted"),
                      .text(
                        text(
                          "请持缴费单号到经办窗口缴费，或按工会公布的账户转账并在附言中写明缴费单号。缴费登记后保障生效，您将收到短信。",
                          "Pay at the window with the bill number, or transfer to the union's published account with the bill number as the reference. Cover begins once the payment is recorded; a text tells you."
                        ))))
                }))),
          .h2(.text(text("可参加的项目", "What you can join"))),
          offers.isEmpty
            ? .p(
              .class("muted"), .id("no-offers"),
              .text(
                text(
                  "没有可以个人网上参加的项目。在职单位的职工由单位工会统一办理参保。",
                  "Nothing to join on your own online. People employed by a member unit are enrolled by their unit's union."
                )))
            : .ul(
              .class("plain-list cards"), .id("portal-offers"),
              .forEach(offers) { offer in
                .li(
                  .strong(.text(offer.productName)), .text(" · " + offer.schemeName),
                  .form(
                    .method(.post), .action(SiteURL.portalEnroll.path),
                    .input(.type(.hidden), .name(CSRF.field), .value(csrfToken)),
                    .input(.type(.hidden), .name("choice"), .value("\(offer.schemeCode)|\(offer.productCode)")),
                    .button(
                      .type(.submit), .class("button primary"), .id("join-\(offer.productCode)"),
                      .text(text("申请参加", "Join")))))
              })),
        textSize: textSize
      ).html()
    }
  }
}

struct PortalEnrollController {
  func register(on routes: any RoutesBuilder) {
    routes.get(.portalEnroll, use: show)
    routes.post(.portalEnroll, use: enroll)
  }

  private func render(
    _ request: Request, worker: Worker.ID, status: HTTPResponseStatus = .ok, errors: [FieldError] = []
  ) async throws -> Response {
    let portal = Portal(request.services, worker: worker)
    return PortalEnrollPage.View(
      offers: try await portal.offers(), bills: try await portal.unpaidBills(), language: request.displayLanguage,
      csrfToken: request.csrfToken, notice: request.takeFlash(), errors: errors, textSize: request.textSize
    ).html().response(status: status)
  }

  @Sendable func show(_ request: Request) async throws -> Response {
    guard let worker = request.portalWorker else { return request.redirect(to: SiteURL.portalLogin.path) }
    return try await render(request, worker: worker)
  }

  struct EnrollForm: Content {
    let choice: String
  }

  @Sendable func enroll(_ request: Request) async throws -> Response {
    guard let worker = request.portalWorker else { return request.redirect(to: SiteURL.portalLogin.path) }
    let parts = try request.content.decode(EnrollForm.self).choice.split(separator: "|", maxSplits: 1).map(String.init)
    do {
      guard parts.count == 2 else {
        throw ValidationFailure([.missing("product", LocalizedText(zh: "项目", en: "product"))])
      }
      let plan = try await Portal(request.services, worker: worker).enroll(
        scheme: parts[0], product: parts[1], address: request.clientAddress)
      request.flash(
        LocalizedText(
          zh: "已申请参加，缴费单 \(plan.bill.number)，应缴 \(plan.bill.totalDue.formatted)。缴费登记后保障生效。",
          en: "Applied: bill \(plan.bill.number), \(plan.bill.totalDue.formatted) due. Cover begins once it is paid."))
      return request.redirect(to: SiteURL.portalEnroll.path)
    } catch let failure as ValidationFailure {
      return try await render(request, worker: worker, status: .unprocessableEntity, errors: failure.errors)
    }
  }
}
