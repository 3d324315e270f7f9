import Foundation
import HuzhuApp
import HuzhuCore
import Plot
import Vapor

/// The worker's own bank account (where the benefit is paid): the current one masked, and a
/// change confirmed by a code sent to the registered phone, so that nobody with the worker's
/// ID number and phone number alone, or a borrowed session, can redirect the money silently.
enum PortalAccountPage {
  struct View: LocalizedView {
    let worker: Worker
    let pending: MemberBankAccount?
    let language: DisplayLanguage
    let csrfToken: String
    var demoMessage: String? = nil
    var notice: LocalizedText? = nil
    var error: LocalizedText? = nil
    var errors: [FieldError] = []
    var textSize: TextSize = .normal

    func html() -> HTML {
      Layout(
        title: text("我的收款账户", "My bank account"), language: language, currentPath: SiteURL.portalAccount.path,
        content: .group(
          .nav(.class("breadcrumbs"), .a(.href(SiteURL.portal.path), .text(text("职工服务", "Self-service")))),
          .unwrap(notice) { .div(.class("notice notice-good"), .id("portal-notice"), .text($0.text(for: language))) },
          .unwrap(error) {
            .div(
              .class("notice notice-bad"), .id("portal-error"), .attribute(named: "role", value: "alert"),
              .text($0.text(for: language)))
          },
          .if(
            !errors.isEmpty,
            .ul(
              .class("errors"), .id("account-errors"), .forEach(errors) { .li(.text($0.message.text(for: language))) })),
          .dl(
            .class("facts"), .id("portal-account"),
            .dt(.text(text("开户行", "Bank"))), .dd(.text(worker.bankName ?? "—")),
            .dt(.text(text("账号", "Account"))),
            .dd(.text(worker.bankAccount.map(BankAccountMask.masked) ?? text("未登记", "none on file")))),
          .unwrap(pending) { pending in
            .section(
              .id("account-confirm"),
              .h2(.text(text("输入验证码完成变更", "Enter the code to finish"))),
              .unwrap(demoMessage) { message in
                .div(
                  .class("notice notice-good"), .id("demo-sms"),
                  .text(
                    text("演示模式：模拟短信网关送达手机的短信：", "Demo mode: the text the fake SMS gateway delivered: ")
                      + message))
              },
              .p(
                .text(
                  text(
                    "将变更为：\(pending.bankName) \(BankAccountMask.masked(pending.account))。验证码已发送至您登记的手机。",
                    "Changing to \(pending.bankName) \(BankAccountMask.masked(pending.account)); a code was sent to your registered phone."
                  ))),
              .form(
                .class("stacked-form narrow"), .method(.post), .action(SiteURL.portalAccountConfirm.path),
                .input(.type(.hidden), .name(CSRF.field), .value(csrfToken)),
                .label(.for("account-code"), .text(text("验证码", "Code"))),
                .input(
                  .type(.text), .name("code"), .id("account-code"), .required(true),
                  .attribute(named: "inputmode", value: "numeric"),
                  .attribute(named: "autocomplete", value: "one-time-code")),
                .button(
                  .type(.submit), .class("primary"), .id("account-confirm-submit"), .text(text("确认变更", "Confirm")))))
          },
          .section(
            .h2(.text(text("变更收款账户", "Change the account"))),
            .p(
              .class("muted"),
              .text(
                text(
                  "请填写本人名下的银行卡。提交后，验证码将发送到您登记的手机，输入验证码后才会变更；变更后会再发短信告知。",
                  "Use a card in your own name. A code goes to your registered phone and nothing changes until you enter it; a text confirms the change."
                ))),
            .form(
              .class("stacked-form narrow"), .method(.post), .action(SiteURL.portalAccount.path),
              .input(.type(.hidden), .name(CSRF.field), .value(csrfToken)),
              .label(.for("bank-name"), .text(text("开户行", "Bank"))),
              .input(
                .type(.text), .name("bankName"), .id("bank-name"), .required(true),
                .attribute(named: "maxlength", value: "60")),
              .label(.for("bank-account"), .text(text("银行卡号", "Card number"))),
              .input(
                .type(.text), .name("bankAccount"), .id("bank-account"), .required(true),
                .attribute(named: "inputmode", value: "numeric"), .attribute(named: "maxlength", value: "40"),
                .attribute(named: "autocomplete", value: "off")),
              .button(.type(.submit), .class("primary"), .id("account-request"), .text(text("获取验证码", "Text me a code")))
            ))
        ),
        textSize: textSize
      ).html()
    }
  }
}

struct PortalAccountController {
  func register(on routes: any RoutesBuilder) {
    routes.get(.portalAccount, use: show)
    routes.post(.portalAccount, use: request)
    routes.post(.portalAccountConfirm, use: confirm)
  }

  private func render(
    _ request: Request, worker: Worker.ID, status: HTTPResponseStatus = .ok, notice: LocalizedText? = nil,
    error: LocalizedText? = nil, errors: [FieldError] = []
  ) async throws -> Response {
    let (current, pending) = try await Portal(request.services, worker: worker).bankAccount()
    var demo: String?
    if request.application.huzhu.showsPortalCodes, let phone = current.phone, pending != nil {
      demo = request.application.huzhu.fakeGateway?.latest(.accountCode, to: phone)?.text
    }
    return PortalAccountPage.View(
      worker: current, pending: pending, language: request.displayLanguage, csrfToken: request.csrfToken,
      demoMessage: demo, notice: notice ?? request.takeFlash(), error: error ?? request.takeFlashError(),
      errors: errors, textSize: request.textSize
    ).html().response(status: status)
  }

  @Sendable func show(_ request: Request) async throws -> Response {
    guard let worker = request.portalWorker else { return request.redirect(to: SiteURL.portalLogin.path) }
    return try await render(request, worker: worker)
  }

  struct RequestForm: Content {
    let bankName: String
    let bankAccount: String
  }

  @Sendable func request(_ request: Request) async throws -> Response {
    guard let worker = request.portalWorker else { return request.redirect(to: SiteURL.portalLogin.path) }
    let form = try request.content.decode(RequestForm.self)
    do {
      guard
        let message = try await Portal(request.services, worker: worker).requestAccountChange(
          bankName: form.bankName, account: form.bankAccount, address: request.clientAddress)
      else {
        return try await render(
          request, worker: worker,
          notice: LocalizedText(
            zh: "验证码刚刚已发送，请查看短信（1 分钟后可重新获取）。", en: "A code was just sent; check your messages (a new one in a minute).")
        )
      }
      do {
        _ = try await request.application.huzhu.messageDispatcher?.deliver([message])
      } catch {
        request.logger.warning("account code not sent at once: \(String(reflecting: error))")
      }
      return try await render(request, worker: worker)
    } catch let failure as ValidationFailure {
      return try await render(request, worker: worker, status: .unprocessableEntity, errors: failure.errors)
    }
  }

  struct ConfirmForm: Content {
    let code: String
  }

  @Sendable func confirm(_ request: Request) async throws -> Response {
    guard let worker = request.portalWorker else { return request.redirect(to: SiteURL.portalLogin.path) }
    let code = try request.content.decode(ConfirmForm.self).code.trimmingCharacters(in: .whitespaces)
    guard
      let changed = try await Portal(request.services, worker: worker).confirmAccountChange(
        code: code, address: request.clientAddress)
    else {
      return try await render(
        request, worker: worker, status: .unprocessableEntity,
        error: LocalizedText(
          zh: "验证码不正确或已过期（每个验证码最多可试 \(PortalSignIn.maximumAttempts) 次）。",
          en: "The code is wrong or has expired (\(PortalSignIn.maximumAttempts) tries per code)."))
    }
    request.flash(
      LocalizedText(
        zh: "收款账户已变更为 \(changed.bankName) \(BankAccountMask.masked(changed.account))。",
        en: "Your account is now \(changed.bankName) \(BankAccountMask.masked(changed.account))."))
    return request.redirect(to: SiteURL.portalAccount.path)
  }
}
