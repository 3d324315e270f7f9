import Foundation
import HuzhuApp
import HuzhuCore
import Vapor

/// Operator accounts: opened, disabled, unlocked, passwords set and changed.
extension PagesController {
  // MARK: Accounts

  func accountsModel(_ request: Request, form: AccountsPage.Form = .init(), errors: [FieldError] = [])
    async throws -> AccountsPage.Model
  {
    let accounts = try request.accountWork
    return AccountsPage.Model(
      accounts: try await accounts.list(), organisations: try await accounts.organisations(), form: form,
      errors: errors, notice: request.takeFlash(), now: Date())
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
    do {
      let account = try await request.accountWork.open(
        Accounts.Opening(
          username: form.username, displayName: form.displayName, organisation: Organisation.ID(form.organisation),
          unitCreditCode: form.unitCreditCode, roles: form.roles, password: input.password))
      request.flash(LocalizedText(zh: "账号 \(account.username) 已新建", en: "Account \(account.username) opened"))
      return request.redirect(to: SiteURL.accountsPage.path)
    } catch let failure as ValidationFailure {
      return AccountsPage.View(
        model: try await accountsModel(request, form: form, errors: failure.errors), language: request.displayLanguage,
        viewer: request.viewer!
      ).html().response(status: .unprocessableEntity)
    }
  }

  @Sendable func unlockAccount(_ request: Request) async throws -> Response {
    let account = try await request.accountWork.unlock(try request.identifier())
    request.flash(LocalizedText(zh: "账号 \(account.username) 已解锁", en: "Account \(account.username) unlocked"))
    return request.redirect(to: SiteURL.accountsPage.path)
  }

  struct PasswordReset: Content {
    let password: String
  }

  @Sendable func resetPassword(_ request: Request) async throws -> Response {
    let password = try request.content.decode(PasswordReset.self).password
    do {
      let account = try await request.accountWork.reset(try request.identifier(), password: password)
      request.flash(
        LocalizedText(zh: "账号 \(account.username) 的密码已重设", en: "\(account.username)'s password was reset"))
      return request.redirect(to: SiteURL.accountsPage.path)
    } catch let failure as ValidationFailure {
      return AccountsPage.View(
        model: try await accountsModel(request, errors: failure.errors), language: request.displayLanguage,
        viewer: request.viewer!
      ).html().response(status: .unprocessableEntity)
    }
  }

  struct AccountState: Content {
    let disabled: Bool
  }

  @Sendable func setAccountState(_ request: Request) async throws -> Response {
    let disabled = try request.content.decode(AccountState.self).disabled
    let account = try await request.accountWork.setDisabled(disabled, for: try request.identifier())
    request.flash(
      disabled
        ? LocalizedText(zh: "账号 \(account.username) 已停用", en: "\(account.username) disabled")
        : LocalizedText(zh: "账号 \(account.username) 已启用", en: "\(account.username) enabled"))
    return request.redirect(to: SiteURL.accountsPage.path)
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
    do {
      try await request.accountWork.changeOwnPassword(current: form.current, new: form.password, repeated: form.repeat)
    } catch let failure as ValidationFailure {
      return PasswordPage.View(language: request.displayLanguage, viewer: request.viewer!, errors: failure.errors)
        .html()
        .response(status: .unprocessableEntity)
    }
    request.flash(LocalizedText(zh: "密码已修改", en: "Password changed"))
    // A temporary password was the only thing in the way: go on to the dashboard.
    return request.redirect(to: signedIn.account.mustChangePassword ? SiteURL.home.path : SiteURL.ownPassword.path)
  }
}

extension Request {
  var accountWork: Accounts {
    get throws { Accounts(services, actor: try actor) }
  }
}
