import HuzhuCore
import Plot

/// The sign-in form. What was typed (the username) survives an error; the password never
/// comes back.
enum LoginPage {
  struct Model {
    var username = ""
    var next: String?
    var error: LocalizedText?
    var notice: LocalizedText?
  }

  struct View: LocalizedView {
    let model: Model
    let language: DisplayLanguage
    let csrfToken: String

    func html() -> HTML {
      Layout(
        title: text("工作人员登录", "Staff sign-in"), language: language, currentPath: SiteURL.login.path,
        content: .group(
          .unwrap(model.notice) { .div(.class("notice"), .text($0.text(for: language))) },
          .form(
            .class("stacked-form narrow"), .method(.post), .action(SiteURL.login.path),
            .input(.type(.hidden), .name(CSRF.field), .value(csrfToken)),
            .unwrap(model.next) { .input(.type(.hidden), .name("next"), .value($0)) },
            .unwrap(model.error) { error in
              .div(
                .class("notice notice-bad"), .id("login-error"), .attribute(named: "role", value: "alert"),
                .text(error.text(for: language)))
            },
            .label(
              .for("username"), .text(text("用户名", "Username")),
              .input(
                .id("username"), .name("username"), .type(.text), .value(model.username),
                .attribute(named: "autocomplete", value: "username"), .required(true),
                .autofocus(model.username.isEmpty))),
            .label(
              .for("password"), .text(text("密码", "Password")),
              .input(
                .id("password"), .name("password"), .type(.password),
                .attribute(named: "autocomplete", value: "current-password"), .required(true),
                .autofocus(!model.username.isEmpty))),
            .button(.type(.submit), .class("primary"), .text(text("登录", "Sign in")))
          ),
          .p(
            .class("muted"),
            .text(
              text(
                "连续输错 5 次密码将锁定账号 15 分钟；30 分钟无操作自动退出。职工请使用",
                "Five wrong passwords lock the account for 15 minutes; 30 minutes idle signs you out. Workers use the ")
            ),
            .a(.href(SiteURL.verifyCertificate.path), .text(text("保障书查验", "certificate check"))),
            .text(text("。", ".")))
        )
      ).html()
    }
  }
}
