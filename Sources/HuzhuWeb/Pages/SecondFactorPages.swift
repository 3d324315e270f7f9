import Foundation
import HuzhuApp
import HuzhuCore
import Plot
import Vapor

/// Two-factor sign-in on the web: the code asked for after the password, and the page where an
/// operator enrols an authenticator app by QR code (sent there by ``SecondFactorMiddleware``
/// when their role requires one).
enum SecondFactorPages {
  /// After the password, before the session: the six digits from the app.
  struct CodeView: LocalizedView {
    let language: DisplayLanguage
    let csrfToken: String
    var error: LocalizedText?

    func html() -> HTML {
      Layout(
        title: text("输入验证码", "One-time code"), language: language, currentPath: SiteURL.loginCode.path,
        content: .group(
          .form(
            .class("stacked-form narrow"), .method(.post), .action(SiteURL.loginCode.path),
            .input(.type(.hidden), .name(CSRF.field), .value(csrfToken)),
            .p(
              .text(
                text(
                  "密码正确。请打开手机上的验证器（身份验证器应用），输入“Huzhu”当前显示的 6 位数字。",
                  "Password accepted. Type the 6 digits your authenticator app shows for Huzhu now."))),
            .unwrap(error) { error in
              .div(
                .class("notice notice-bad"), .id("code-error"), .attribute(named: "role", value: "alert"),
                .text(error.text(for: language)))
            },
            .label(
              .for("code"), .text(text("验证码", "Code")),
              .input(
                .id("code"), .name("code"), .type(.text), .required(true), .autofocus(true),
                .attribute(named: "inputmode", value: "numeric"),
                .attribute(named: "autocomplete", value: "one-time-code"),
                .attribute(named: "pattern", value: "[0-9 ]{6,7}"), .attribute(named: "maxlength", value: "7"))),
            .button(.type(.submit), .class("primary"), .text(text("登录", "Sign in")))),
          .p(
            .class("muted"),
            .text(
              text(
                "手机丢失或更换？请联系本单位所属工会组织的安全管理员重置双因素登录。",
                "Lost or changed phones? Ask your federation's security administrator to reset two-factor sign-in."))))
      ).html()
    }
  }

  /// The operator's own second factor: enrolled (with a way to remove it where allowed), or a
  /// QR code and a first code to enrol.
  struct EnrolView: LocalizedView {
    let language: DisplayLanguage
    let viewer: Viewer
    let enrolledAt: Date?
    let pending: SecondFactors.Pending?
    let required: Bool
    var errors: [FieldError] = []
    var notice: LocalizedText?
    var warning: LocalizedText?

    func html() -> HTML {
      Layout(
        title: text("双因素登录", "Two-factor sign-in"), language: language, currentPath: SiteURL.ownSecondFactor.path,
        viewer: viewer,
        content: .group(
          .unwrap(notice) {
            .div(.class("notice notice-good"), .id("two-factor-notice"), .text($0.text(for: language)))
          },
          .unwrap(warning) {
            .div(
              .class("notice notice-bad"), .id("two-factor-required"), .attribute(named: "role", value: "alert"),
              .text($0.text(for: language)))
          },
          .if(
            !errors.isEmpty,
            .div(
              .class("notice notice-bad"), .id("two-factor-errors"), .attribute(named: "role", value: "alert"),
              .ul(.forEach(errors) { .li(.text($0.message.text(for: language))) }))),
          .unwrap(
            enrolledAt,
            { enrolled in
              .group(
                .p(
                  .id("two-factor-enrolled"),
                  .text(
                    text(
                      "已启用：登录时除密码外还需输入验证器中的验证码（启用于 \(ShanghaiTime.text(enrolled))）。",
                      "On: signing in asks for the authenticator's code besides the password (since \(ShanghaiTime.text(enrolled)))."
                    )
                  )),
                .if(
                  !required,
                  .form(
                    .class("inline-form"), .method(.post), .action(SiteURL.ownSecondFactorRemove.path),
                    .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
                    .button(.type(.submit), .id("remove-two-factor"), .text(text("停用双因素登录", "Turn two-factor off"))))))
            }, else: enrolment()))
      ).html()
    }

    private func enrolment() -> Node<HTML.BodyContext> {
      guard let pending else { return .empty }
      let qr = (try? QRCode.encode(pending.provisioningURI).svg) ?? ""
      return .group(
        .ol(
          .li(
            .text(
              text(
                "在手机上安装任一身份验证器应用（如腾讯身份验证器、Microsoft Authenticator、Google Authenticator）。",
                "Install an authenticator app on your phone (Tencent, Microsoft or Google Authenticator, for example).")
            )),
          .li(.text(text("用应用扫描下面的二维码；无法扫描时手动输入密钥。", "Scan the QR code with it, or type the key by hand."))),
          .li(.text(text("输入应用显示的 6 位数字完成启用。", "Type the 6 digits it shows to finish.")))),
        .div(.class("qr-code"), .id("two-factor-qr"), .raw(qr)),
        .p(.text(text("密钥：", "Key: ")), .code(.id("two-factor-secret"), .text(pending.typedSecret))),
        .form(
          .class("stacked-form narrow"), .method(.post), .action(SiteURL.ownSecondFactor.path),
          .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
          .label(
            .for("code"), .text(text("验证码", "Code")),
            .input(
              .id("code"), .name("code"), .type(.text), .required(true),
              .attribute(named: "inputmode", value: "numeric"),
              .attribute(named: "autocomplete", value: "one-time-code"))),
          .button(.type(.submit), .class("primary"), .id("enrol-two-factor"), .text(text("启用", "Turn on")))))
    }
  }
}
