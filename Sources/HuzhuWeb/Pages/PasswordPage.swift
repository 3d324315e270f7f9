import HuzhuCore
import Plot

/// An operator changes their own password: the current one, then the new one twice.
enum PasswordPage {
  struct View: LocalizedView {
    let language: DisplayLanguage
    let viewer: Viewer
    var errors: [FieldError] = []
    var notice: LocalizedText?
    /// Why the operator was sent here (a temporary password to replace).
    var warning: LocalizedText?

    func html() -> HTML {
      Layout(
        title: text("修改密码", "Change my password"), language: language, currentPath: SiteURL.ownPassword.path,
        viewer: viewer,
        content: .group(
          .unwrap(notice) { .div(.class("notice notice-good"), .id("password-notice"), .text($0.text(for: language))) },
          .unwrap(warning) {
            .div(
              .class("notice notice-bad"), .id("password-required"), .attribute(named: "role", value: "alert"),
              .text($0.text(for: language)))
          },
          .form(
            .class("stacked-form narrow"), .method(.post), .action(SiteURL.ownPassword.path),
            .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
            .labelled(
              text("当前密码", "Current password"), for: "current", errors: errors.filter { $0.field == "current" },
              language: language,
              .input(
                .type(.password), .name("current"), .id("current"), .required(true),
                .attribute(named: "autocomplete", value: "current-password"))),
            .labelled(
              text("新密码（至少 10 位，含三类字符）", "New password (10+ characters, three classes)"), for: "password",
              errors: errors.filter { $0.field == "password" }, language: language,
              .input(
                .type(.password), .name("password"), .id("password"), .required(true),
                .attribute(named: "autocomplete", value: "new-password"))),
            .labelled(
              text("再次输入新密码", "New password again"), for: "repeat", errors: errors.filter { $0.field == "repeat" },
              language: language,
              .input(
                .type(.password), .name("repeat"), .id("repeat"), .required(true),
                .attribute(named: "autocomplete", value: "new-password"))),
            .button(.type(.submit), .class("primary"), .id("change-password"), .text(text("修改", "Change")))),
          .p(
            .a(
              .href(SiteURL.ownSecondFactor.path), .id("two-factor-link"),
              .text(text("双因素登录（手机身份验证器）", "Two-factor sign-in (authenticator app)")))))
      )
      .html()
    }
  }
}
