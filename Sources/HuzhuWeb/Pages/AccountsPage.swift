import Foundation
import HuzhuCore
import Plot

/// Operator accounts: the system administrator opens accounts for their area's nodes and
/// units; the security administrator unlocks locked accounts and sets new passwords. Neither
/// grants an administrator role here: the three administrators are set up at installation.
enum AccountsPage {
  struct Form: Sendable {
    var username = ""
    var displayName = ""
    var organisation = ""
    var unitCreditCode = ""
    var roles: Set<Role> = []
  }

  struct Model {
    let accounts: [UserAccount]
    let organisations: [Organisation]
    var form = Form()
    var errors: [FieldError] = []
    var notice: LocalizedText?
    let now: Date
  }

  static let grantable = Role.allCases.filter { !$0.isAdministrator }

  struct View: LocalizedView {
    let model: Model
    let language: DisplayLanguage
    let viewer: Viewer

    func html() -> HTML {
      let names = Dictionary(uniqueKeysWithValues: model.organisations.map { ($0.id, $0.displayName(language)) })
      return Layout(
        title: text("账号管理", "Accounts"), language: language, currentPath: SiteURL.accountsPage.path, viewer: viewer,
        content: .group(
          .unwrap(model.notice) {
            .div(.class("notice notice-good"), .id("accounts-notice"), .text($0.text(for: language)))
          },
          .if(
            viewer.may(.manageOrganisations),
            .p(
              .class("actions"),
              .a(
                .href(SiteURL.registryImport(.organisations).path), .id("import-organisations"),
                .text(text("批量导入组织架构", "Import the organisation tree"))))),
          .if(
            !model.errors.isEmpty,
            .div(
              .class("notice notice-bad"), .id("accounts-errors"), .attribute(named: "role", value: "alert"),
              .ul(.forEach(model.errors) { .li(.text($0.message.text(for: language))) }))),
          .table(
            .class("data-table"), .id("accounts"),
            .thead(
              .tr(
                .th(.text(text("账号", "Account"))), .th(.text(text("姓名", "Name"))),
                .th(.text(text("组织", "Organisation"))),
                .th(.text(text("角色", "Roles"))), .th(.text(text("状态", "State"))))),
            .tbody(
              .forEach(model.accounts) { account in
                .tr(
                  .td(.text(account.username)), .td(.text(account.displayName)),
                  .td(.text(names[account.organisationID] ?? "—")),
                  .td(.text(account.roles.sorted().map { $0.label.text(for: language) }.joined(separator: "、"))),
                  .td(state(account)))
              })),
          .if(viewer.may(.manageAccounts), createForm()))
      )
      .html()
    }

    private func state(_ account: UserAccount) -> Node<HTML.BodyContext> {
      let locked = account.login.isLocked(at: model.now)
      let administrator = account.roles.contains(where: \.isAdministrator)
      return .group(
        locked
          ? .span(.class("badge badge-overdue"), .text(text("已锁定", "locked")))
          : .text(account.isDisabled ? text("已停用", "disabled") : text("正常", "active")),
        .if(
          account.hasSecondFactor,
          .span(.class("badge"), .id("two-factor-\(account.username)"), .text(text("双因素", "two-factor")))),
        .if(
          account.hasSecondFactor && viewer.may(.unlockAccounts) && account.username != viewer.username,
          .form(
            .class("inline-form"), .method(.post), .action(SiteURL.accountSecondFactor(.value(account.id)).path),
            .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
            .button(
              .type(.submit), .id("reset-two-factor-\(account.username)"),
              .text(text("重置双因素", "Reset two-factor"))))),
        .if(
          locked && viewer.may(.unlockAccounts),
          .form(
            .class("inline-form"), .method(.post), .action(SiteURL.accountUnlock(.value(account.id)).path),
            .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
            .button(.type(.submit), .class("primary"), .id("unlock-\(account.username)"), .text(text("解锁", "Unlock"))))),
        .if(
          viewer.may(.unlockAccounts) && !administrator,
          .form(
            .class("inline-form"), .method(.post), .action(SiteURL.accountPassword(.value(account.id)).path),
            .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
            .input(
              .type(.password), .name("password"), .id("reset-\(account.username)"), .required(true),
              .placeholder(text("新的临时密码", "New temporary password")),
              .attribute(named: "autocomplete", value: "new-password")),
            .button(.type(.submit), .text(text("重设密码", "Reset password"))))),
        .if(
          viewer.may(.manageAccounts) && !administrator,
          .form(
            .class("inline-form"), .method(.post), .action(SiteURL.accountState(.value(account.id)).path),
            .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
            .input(.type(.hidden), .name("disabled"), .value(account.isDisabled ? "false" : "true")),
            .button(
              .type(.submit), .id("toggle-\(account.username)"),
              .text(account.isDisabled ? text("启用", "Enable") : text("停用", "Disable"))))))
    }

    /// The refusal's messages for these fields, under the field they are about (the list at
    /// the top says the same for whoever reads from there).
    private func messages(_ fields: String...) -> Node<HTML.LabelContext> {
      Node<HTML.LabelContext>(
        Node<HTML.BodyContext>.forEach(model.errors.filter { fields.contains($0.field) }) {
          .span(.class("field-message"), .text($0.message.text(for: language)))
        })
    }

    private func createForm() -> Node<HTML.BodyContext> {
      let form = model.form
      return .section(
        .h2(.text(text("新建账号", "Open an account"))),
        .form(
          .class("stacked-form"), .method(.post), .action(SiteURL.accountsPage.path),
          .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
          .fieldset(
            .legend(text("账号", "Account")),
            .label(
              .text(text("用户名", "Username")),
              .input(.type(.text), .name("username"), .id("new-username"), .value(form.username), .required(true)),
              messages("username")),
            .label(
              .text(text("姓名", "Name")),
              .input(
                .type(.text), .name("displayName"), .id("new-display-name"), .value(form.displayName), .required(true)),
              messages("displayName")),
            .label(
              .text(text("所属组织", "Organisation")),
              Node<HTML.LabelContext>(
                .namedSelect(
                  "organisation", id: "new-organisation",
                  model.organisations.map {
                    .choice(
                      $0.id.description, $0.displayName(language), selected: $0.id.description == form.organisation)
                  }))),
            .label(
              .text(text("所属单位的统一社会信用代码（仅基层工会账号）", "Unit's credit code (unit officers only)")),
              .input(.type(.text), .name("unitCreditCode"), .id("new-unit"), .value(form.unitCreditCode)),
              messages("unitCreditCode", "unitId")),
            .label(
              .text(text("初始密码（至少 10 位，含三类字符）", "Initial password (10+ characters, three classes)")),
              .input(
                .type(.password), .name("password"), .id("new-password"), .required(true),
                .attribute(named: "autocomplete", value: "new-password")),
              messages("password"))),
          .fieldset(
            .legend(text("角色", "Roles")),
            .forEach(model.errors.filter { $0.field == "roles" }) {
              .p(.class("field-message"), .text($0.message.text(for: language)))
            },
            .forEach(AccountsPage.grantable) { role in
              .div(
                .class("field checkbox"),
                .input(
                  .type(.checkbox), .name("roles[]"), .value(role.rawValue), .id("role-\(role.rawValue)"),
                  .checked(form.roles.contains(role))),
                .label(.for("role-\(role.rawValue)"), .text(" " + role.label.text(for: language))))
            }),
          .button(.type(.submit), .class("primary"), .id("create-account"), .text(text("新建", "Open the account")))))
    }
  }
}
