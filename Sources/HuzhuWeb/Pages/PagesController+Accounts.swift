import Foundation
import HuzhuCore
import Vapor

/// Operator accounts: opened, disabled, unlocked, passwords set and changed.
extension PagesController {
  // MARK: Accounts

  func accountsModel(_ request: Request, form: AccountsPage.Form = .init(), errors: [FieldError] = [])
    async throws -> AccountsPage.Model
  {
    let scope = request.accessScope
    let visible = try await request.accounts.accounts().filter { scope.contains(organisation: $0.organisationID) }
    return AccountsPage.Model(
      accounts: visible, organisations: try await request.registry.organisations(), form: form, errors: errors,
      notice: request.takeFlash(), now: Date())
  }

  @Sendable func accounts(_ request: Request) async throws -> Response {
    AccountsPage.View(
      model: try await accountsModel(request), language: request.displayLanguage, viewer: request.viewer!
    )
    .html().response()
  }

  struct AccountForm: Content {
    let username: String
    let displayName: String
    let organisation: String
    let unitCreditCode: String?
    let password: String
    let roles: [String]?
  }

  @Sendable func createAccount(_ request: Request) async throws -> Response {
    let input = try request.content.decode(AccountForm.self)
    var form = AccountsPage.Form(
      username: input.username.trimmingCharacters(in: .whitespaces).lowercased(),
      displayName: input.displayName.trimmingCharacters(in: .whitespaces), organisation: input.organisation,
      unitCreditCode: input.unitCreditCode?.trimmingCharacters(in: .whitespaces) ?? "")
    form.roles = Set((input.roles ?? []).compactMap(Role.init(rawValue:))).filter { !$0.isAdministrator }
    var errors = PasswordPolicy.problems(input.password, username: form.username)
    var organisationID = Organisation.ID(form.organisation).flatMap { id in
      request.accessScope.contains(organisation: id) ? id : nil
    }
    if organisationID == nil { errors.append(.missing("organisation", LocalizedText(zh: "所属组织", en: "organisation"))) }
    var unitID: WorkUnit.ID?
    if !form.unitCreditCode.isEmpty {
      if let unit = try await request.registry.unit(creditCode: form.unitCreditCode) {
        unitID = unit.id
        organisationID = unit.organisationID
      } else {
        errors.append(
          FieldError(
            field: "unitCreditCode", code: "unknown_unit",
            message: LocalizedText(zh: "本辖区内没有该信用代码的单位", en: "no unit with this credit code in your area")))
      }
    }
    guard errors.isEmpty, let organisationID else {
      return AccountsPage.View(
        model: try await accountsModel(request, form: form, errors: errors), language: request.displayLanguage,
        viewer: request.viewer!
      ).html().response(status: .unprocessableEntity)
    }
    let hasher = request.application.huzhu.passwordHasher
    let password = input.password
    let hash = try await request.application.threadPool.runIfActive { try hasher.hash(password) }
    do {
      try await request.accounts.create(
        UserAccount(
          username: form.username, displayName: form.displayName, organisationID: organisationID, unitID: unitID,
          roles: form.roles, passwordHash: hash, mustChangePassword: true))
    } catch let failure as ValidationFailure {
      return AccountsPage.View(
        model: try await accountsModel(request, form: form, errors: failure.errors), language: request.displayLanguage,
        viewer: request.viewer!
      ).html().response(status: .unprocessableEntity)
    }
    try await request.audit(
      .accountChange, subject: "account:\(form.username)",
      detail: "created: " + form.roles.sorted().map(\.rawValue).joined(separator: ","))
    request.flash(LocalizedText(zh: "账号 \(form.username) 已新建", en: "Account \(form.username) opened"))
    return request.redirect(to: SiteURL.accountsPage.path)
  }

  @Sendable func unlockAccount(_ request: Request) async throws -> Response {
    let id: UserAccount.ID = try request.identifier()
    guard let account = try await request.accounts.account(id),
      request.accessScope.contains(organisation: account.organisationID)
    else { throw APIError.notFound }
    try await request.accounts.unlock(id)
    try await request.audit(.accountChange, subject: "account:\(account.username)", detail: "unlocked")
    request.flash(LocalizedText(zh: "账号 \(account.username) 已解锁", en: "Account \(account.username) unlocked"))
    return request.redirect(to: SiteURL.accountsPage.path)
  }

  /// An account the operator may administer: in their area, and not one of the three
  /// administrators (those are managed at installation).
  func administrable(_ request: Request) async throws -> UserAccount {
    let id: UserAccount.ID = try request.identifier()
    guard let account = try await request.accounts.account(id),
      request.accessScope.contains(organisation: account.organisationID)
    else { throw APIError.notFound }
    guard !account.roles.contains(where: \.isAdministrator) else { throw APIError.forbidden }
    return account
  }

  struct PasswordReset: Content {
    let password: String
  }

  @Sendable func resetPassword(_ request: Request) async throws -> Response {
    let account = try await administrable(request)
    let password = try request.content.decode(PasswordReset.self).password
    let problems = PasswordPolicy.problems(password, username: account.username)
    guard problems.isEmpty else {
      return AccountsPage.View(
        model: try await accountsModel(request, errors: problems), language: request.displayLanguage,
        viewer: request.viewer!
      ).html().response(status: .unprocessableEntity)
    }
    try await setPassword(password, temporary: true, for: account, request)
    try await request.accounts.unlock(account.id)
    try await request.audit(.accountChange, subject: "account:\(account.username)", detail: "password reset")
    request.flash(LocalizedText(zh: "账号 \(account.username) 的密码已重设", en: "\(account.username)'s password was reset"))
    return request.redirect(to: SiteURL.accountsPage.path)
  }

  struct AccountState: Content {
    let disabled: Bool
  }

  @Sendable func setAccountState(_ request: Request) async throws -> Response {
    let account = try await administrable(request)
    let disabled = try request.content.decode(AccountState.self).disabled
    try await request.accounts.setDisabled(disabled, for: account.id)
    try await request.audit(
      .accountChange, subject: "account:\(account.username)", detail: disabled ? "disabled" : "enabled")
    request.flash(
      disabled
        ? LocalizedText(zh: "账号 \(account.username) 已停用", en: "\(account.username) disabled")
        : LocalizedText(zh: "账号 \(account.username) 已启用", en: "\(account.username) enabled"))
    return request.redirect(to: SiteURL.accountsPage.path)
  }

  /// `temporary`: chosen by an administrator, so the holder must change it at sign-in.
  func setPassword(_ password: String, temporary: Bool, for account: UserAccount, _ request: Request) async throws {
    let hasher = request.application.huzhu.passwordHasher
    let hash = try await request.application.threadPool.runIfActive { try hasher.hash(password) }
    try await request.accounts.setPasswordHash(hash, temporary: temporary, for: account.id)
  }

  @Sendable func passwordForm(_ request: Request) async throws -> Response {
    PasswordPage.View(
      language: request.displayLanguage, viewer: request.viewer!, notice: request.takeFlash(),
      warning: request.takeFlashError()
    ).html().response()
  }

  struct PasswordChange: Content {
    let current: String
    let password: String
    let `repeat`: String
  }

  @Sendable func changePassword(_ request: Request) async throws -> Response {
    guard let signedIn = request.operatorAccount else { throw APIError.unauthorized }
    let form = try request.content.decode(PasswordChange.self)
    var errors: [FieldError] = []
    if !(try await SignIn.verify(form.current, against: signedIn.account.passwordHash, on: request)) {
      errors.append(
        FieldError(
          field: "current", code: "wrong_password",
          message: LocalizedText(zh: "当前密码不正确", en: "the current password is wrong")))
    }
    errors += PasswordPolicy.problems(form.password, username: signedIn.account.username)
    if form.password != form.repeat {
      errors.append(
        FieldError(
          field: "repeat", code: "mismatch",
          message: LocalizedText(zh: "两次输入的新密码不一致", en: "the two new passwords differ")))
    }
    if form.password == form.current {
      errors.append(
        FieldError(
          field: "password", code: "unchanged",
          message: LocalizedText(zh: "新密码不能与当前密码相同", en: "choose a different password")))
    }
    guard errors.isEmpty else {
      return PasswordPage.View(language: request.displayLanguage, viewer: request.viewer!, errors: errors).html()
        .response(status: .unprocessableEntity)
    }
    try await setPassword(form.password, temporary: false, for: signedIn.account, request)
    try await request.audit(
      .accountChange, subject: "account:\(signedIn.account.username)", detail: "own password changed")
    request.flash(LocalizedText(zh: "密码已修改", en: "Password changed"))
    // A temporary password was the only thing in the way: go on to the dashboard.
    return request.redirect(to: signedIn.account.mustChangePassword ? SiteURL.home.path : SiteURL.ownPassword.path)
  }
}
