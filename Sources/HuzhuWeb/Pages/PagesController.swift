import Foundation
import HuzhuApp
import HuzhuCore
import Vapor

/// The server-rendered pages. Each route names the permission it needs; the stores behind
/// `request.registry`, `request.claims`… see only the operator's part of the data.
struct PagesController {
  func register(on routes: any RoutesBuilder, authenticated: any RoutesBuilder) {
    routes.get(.home, use: home)
    routes.get(.login, use: loginForm)
    routes.post(.login, use: login)
    routes.get(.loginCode, use: loginCodeForm)
    routes.post(.loginCode, use: loginCode)
    routes.post(.logout, use: logout)
    routes.get(.verifyCertificate, use: verify)
    authenticated.get(.organisations, requires: .viewRegistry, use: organisations)
    authenticated.get(.organisation(.key), requires: .viewRegistry, use: organisation)
    authenticated.get(.unit(.key), requires: .viewRegistry, use: unit)
    authenticated.get(.workers, requires: .viewRegistry, use: workers)
    authenticated.get(.worker(.key), requires: .viewRegistry, use: worker)
    authenticated.post(.workerBankAccount(.key), requires: .manageUnits, use: correctBankAccount)
    // The printable certificate names the holder in full.
    authenticated.get(.certificate(.key), requires: .viewPersonalData, use: certificate)
    authenticated.get(.billCertificates(.key), requires: .viewPersonalData, use: billCertificates)
    authenticated.get(.receipt(.key), requires: .viewRegistry, use: receipt)
    authenticated.get(.claimQueue, requires: .viewClaims, use: claimQueue)
    authenticated.post(.claimAssign, requires: .assignClaims, use: assignClaims)
    authenticated.get(.newClaim, requires: .intakeClaims, use: claimForm)
    authenticated.on(
      .POST, .newClaim, requires: .intakeClaims, body: .collect(maxSize: BodyLimits.claimForm), use: openClaim)
    authenticated.get(.claimPage(.key), requires: .viewClaims, use: claim)
    authenticated.post(.claimAct(.key), requires: .viewClaims, use: actOnClaim)
    authenticated.post(.claimAdjust(.key), requires: .adjustClaims, use: adjustClaim)
    authenticated.post(.claimStory(.key), requires: .intakeClaims, use: recordStoryConsent)
    authenticated.on(
      .POST, .claimUpload(.key), requires: .intakeClaims, body: .collect(maxSize: BodyLimits.scan), use: upload)
    authenticated.get(.paymentBatches, requires: .managePayments, use: paymentBatches)
    authenticated.post(.paymentBatches, requires: .managePayments, use: createPaymentBatch)
    authenticated.get(.paymentBatchPage(.key), requires: .managePayments, use: paymentBatch)
    authenticated.post(.paymentBatchSettle(.key), requires: .managePayments, use: settle)
    authenticated.post(.paymentBatchReturn(.key), requires: .managePayments, use: returnLine)
    authenticated.get(.funds, requires: .viewFund, use: funds)
    // Both, like the statistics' export: the ledger (viewFund, checked by the use case) and export.
    authenticated.get(.fundExport, requires: .export, use: exportFundLedger)
    authenticated.get(.statistics, requires: .viewReports, use: statistics)
    // Exporting needs both: the figures (viewReports) and the right to take data away (export).
    authenticated.get(.statisticsExport, requires: .viewReports, use: exportStatistics)
    authenticated.get(.monthlyReport, requires: .viewReports, use: monthlyReport)
    authenticated.get(.targets, requires: .viewReports, use: targets)
    authenticated.post(.targets, requires: .manageTargets, use: saveTarget)
    authenticated.get(.simulator, requires: .viewReports, use: simulator)
    authenticated.on(
      .POST, .simulator, requires: .viewReports, body: .collect(maxSize: BodyLimits.schemeDraft), use: simulateDraft)
    authenticated.get(.auditLog, requires: .viewAudit, use: auditLog)
    authenticated.get(.auditExport, requires: .viewAudit, use: auditExport)
    authenticated.get(.pairingsPage, requires: .managePairings, use: pairings)
    authenticated.post(.pairingVisit(.key), requires: .managePairings, use: recordPairingVisit)
    authenticated.on(.GET, .accountsPage, requiresAnyOf: [.manageAccounts, .unlockAccounts], use: accounts)
    authenticated.post(.accountsPage, requires: .manageAccounts, use: createAccount)
    authenticated.post(.accountUnlock(.key), requires: .unlockAccounts, use: unlockAccount)
    authenticated.post(.accountPassword(.key), requires: .unlockAccounts, use: resetPassword)
    authenticated.post(.accountState(.key), requires: .manageAccounts, use: setAccountState)
    authenticated.get(.ownPassword, use: passwordForm)
    authenticated.post(.ownPassword, use: changePassword)
    authenticated.get(.ownSecondFactor, use: secondFactorPage)
    authenticated.post(.ownSecondFactor, use: enrolSecondFactor)
    authenticated.post(.ownSecondFactorRemove, use: removeSecondFactor)
    authenticated.post(.accountSecondFactor(.key), requires: .unlockAccounts, use: resetSecondFactor)
    // The rules are published: every operator may read them.
    authenticated.get(.schemesPage, use: schemes)
    authenticated.get(.schemePage(.key), use: scheme)
    authenticated.post(.schemePage(.key), requires: .manageSchemes, use: saveScheme)
  }

  // MARK: Signing in

  @Sendable func home(_ request: Request) async throws -> Response {
    guard let signedIn = request.operatorAccount, let viewer = request.viewer else {
      return request.redirect(to: SiteURL.login.path)
    }
    _ = signedIn
    let model = try await request.registry.dashboard()
    return DashboardPage.View(model: model, language: request.displayLanguage, viewer: viewer).html().response()
  }

  @Sendable func loginForm(_ request: Request) async throws -> Response {
    if request.operatorAccount != nil { return request.redirect(to: SiteURL.home.path) }
    var model = LoginPage.Model(next: Self.sameSitePath(request.query[String.self, at: "next"]))
    if request.hasSession, request.session.data[SessionKeys.expired] != nil {
      request.session.data[SessionKeys.expired] = nil
      model.notice = LocalizedText(zh: "长时间未操作，已自动退出，请重新登录。", en: "You were signed out after a period of inactivity.")
    }
    return LoginPage.View(model: model, language: request.displayLanguage, csrfToken: request.csrfToken).html()
      .response()
  }

  struct LoginForm: Content {
    let username: String
    let password: String
    let next: String?
  }

  @Sendable func login(_ request: Request) async throws -> Response {
    let form = try request.content.decode(LoginForm.self)
    try request.requireSignInToken()
    let username = form.username.trimmingCharacters(in: .whitespaces).lowercased()
    switch try await SignIn.attempt(username: username, password: form.password, on: request) {
    case .success(let account) where account.account.hasSecondFactor:
      // The password was right; the session starts once the code is too.
      try await request.rotateSession()
      request.session.data[SessionKeys.pendingAccount] = account.account.id.description
      request.session.data[SessionKeys.pendingSince] = String(Int(Date().timeIntervalSince1970))
      request.session.data[SessionKeys.pendingNext] = Self.sameSitePath(form.next)
      request.session.data[SessionKeys.csrf] = CSRF.newToken()
      return request.redirect(to: SiteURL.loginCode.path)
    case .success(let account):
      try await request.startSession(SessionKeys.account, account.account.id.description)
      request.auth.login(account)
      try await request.audit(.login, subject: "account:\(account.account.username)")
      return request.redirect(to: Self.safeNext(form.next))
    case .failure(let message):
      let model = LoginPage.Model(username: username, next: Self.sameSitePath(form.next), error: message)
      return LoginPage.View(model: model, language: request.displayLanguage, csrfToken: request.csrfToken).html()
        .response(status: .unauthorized)
    }
  }

  @Sendable func logout(_ request: Request) async throws -> Response {
    if let account = request.operatorAccount {
      try await request.audit(.logout, subject: "account:\(account.account.username)")
    }
    request.auth.logout(AuthenticatedAccount.self)
    if request.hasSession { request.session.destroy() }
    return request.redirect(to: SiteURL.login.path)
  }

  /// Only a path on this site: never `//evil.example`, `https://…` or `/\t/evil.example` (browsers
  /// drop tabs and line breaks from a URL, which turns that into `//evil.example`).
  static func safeNext(_ next: String?) -> String {
    sameSitePath(next) ?? SiteURL.home.path
  }

  /// `path` when it is a printable-ASCII path of this site with at most a query; otherwise nil.
  static func sameSitePath(_ path: String?) -> String? {
    guard let path, path.utf8.count <= 2_000, path.hasPrefix("/"), !path.hasPrefix("//"),
      path.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && $0 != "\\" }),
      let components = URLComponents(string: path), components.scheme == nil, components.host == nil,
      components.fragment == nil
    else { return nil }
    return path
  }

  // MARK: Registry

  @Sendable func organisations(_ request: Request) async throws -> Response {
    let model = try await request.registry.overview()
    return Home.View(model: model, language: request.displayLanguage, viewer: request.viewer).html().response()
  }

  @Sendable func organisation(_ request: Request) async throws -> Response {
    let page = PageQuery(page: request.query[Int.self, at: "page"] ?? 1, per: 50)
    let model = try await request.registry.node(
      try request.identifier(), search: request.query[String.self, at: "q"], page: page)
    return OrganisationPage.View(model: model, language: request.displayLanguage, viewer: request.viewer).html()
      .response()
  }

  @Sendable func unit(_ request: Request) async throws -> Response {
    let model = try await request.registry.unitOverview(
      try request.identifier(), workers: UnitPage.workersPage(request), enrollments: UnitPage.enrollmentsPage(request))
    return UnitPage.View(
      model: model, language: request.displayLanguage, viewer: request.viewer, notice: request.takeFlash(),
      error: request.takeFlashError()
    ).html().response()
  }

  @Sendable func workers(_ request: Request) async throws -> Response {
    let page = PageQuery(page: request.query[Int.self, at: "page"] ?? 1, per: 50)
    let model = try await WorkerSearchPage.Model.load(
      query: request.query[String.self, at: "q"], page: page, registry: try request.registry)
    return WorkerSearchPage.View(model: model, language: request.displayLanguage, viewer: request.viewer!).html()
      .response()
  }

  @Sendable func worker(_ request: Request) async throws -> Response {
    let viewer = request.viewer!
    let model = try await request.registry.workerOverview(
      try request.identifier(), revealed: request.query[String.self, at: "reveal"] == "1")
    return WorkerPage.View(
      model: model, language: request.displayLanguage, viewer: viewer, notice: request.takeFlash(),
      error: request.takeFlashError()
    ).html().response()
  }

  struct BankAccountForm: Content {
    let bankName: String
    let bankAccount: String
  }

  /// A corrected account: said on the person's page, or the refusal with what to fix.
  @Sendable func correctBankAccount(_ request: Request) async throws -> Response {
    let id: Worker.ID = try request.identifier()
    let form = try request.content.decode(BankAccountForm.self)
    do {
      _ = try await request.registry.correctBankAccount(of: id, bankName: form.bankName, account: form.bankAccount)
      request.flash(LocalizedText(zh: "银行账户已更正", en: "The bank account was corrected"))
    } catch let failure as ValidationFailure {
      request.flashError(failure.summary)
    }
    return request.redirect(to: SiteURL.worker(.value(id)).path)
  }

  @Sendable func certificate(_ request: Request) async throws -> Response {
    let number = try request.pathText(SiteURL.numberParameter)
    let model = CertificatePage.Model(
      certificate: try await request.registry.certificate(number: number), today: request.today)
    return CertificatePage.View(
      model: model, language: request.displayLanguage, viewer: request.viewer, notice: request.takeFlash(),
      error: request.takeFlashError(), publicAddress: request.publicAddress
    ).html().response()
  }

  @Sendable func billCertificates(_ request: Request) async throws -> Response {
    let asked = try request.pageRequest()
    let (bill, certificates) = try await request.registry.certificates(
      bill: try request.identifier(), page: PageQuery(page: asked.page, per: BillCertificatesPage.perPage))
    return BillCertificatesPage.View(
      bill: bill, certificates: certificates, today: request.today, language: request.displayLanguage,
      viewer: request.viewer!, publicAddress: request.publicAddress
    ).html().response()
  }

  @Sendable func receipt(_ request: Request) async throws -> Response {
    let model = try await request.registry.receipt(number: try request.pathText(SiteURL.numberParameter))
    return ReceiptPage.View(
      model: model, language: request.displayLanguage, viewer: request.viewer, notice: request.takeFlash(),
      error: request.takeFlashError()
    ).html().response()
  }

  @Sendable func verify(_ request: Request) async throws -> Response {
    let model = try await VerifyPage.Model.load(
      number: request.query[String.self, at: "number"], today: request.today,
      lookups: request.publicLookups)
    return VerifyPage.View(model: model, language: request.displayLanguage, viewer: request.viewer).html().response()
  }

  // MARK: Audit

  @Sendable func auditLog(_ request: Request) async throws -> Response {
    let page = PageQuery(page: request.query[Int.self, at: "page"] ?? 1, per: 100)
    let model = try await AuditPage.Model.load(
      query: AuditPage.Filter(request), page: page, from: AuditLog(request.services, actor: try request.actor))
    return AuditPage.View(model: model, language: request.displayLanguage, viewer: request.viewer!).html().response()
  }

  /// The entries the page's filter picks, as a file (itself an audit entry).
  @Sendable func auditExport(_ request: Request) async throws -> Response {
    let filter = AuditPage.Filter(request)
    let excel = request.query[String.self, at: "format"] == "xlsx"
    let data: Data
    do {
      data = try await AuditLog(request.services, actor: try request.actor).export(filter.query, excel: excel)
    } catch let failure as ValidationFailure {
      request.flashError(failure.errors.first?.message ?? LocalizedText(zh: "无法导出", en: "Cannot export"))
      return request.redirect(to: SiteURL.auditLog.path)
    }
    return Response.spreadsheet(
      data, excel: excel, name: "huzhu-audit-\(CalendarDate.today(now: request.services.clock.instant))")
  }
}

extension Response {
  /// A CSV or Excel file to download, named `name` plus its extension.
  static func spreadsheet(_ data: Data, excel: Bool, name: String) -> Response {
    var headers = HTTPHeaders()
    headers.contentType =
      excel
      ? HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
      : HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
    headers.replaceOrAdd(
      name: .contentDisposition, value: "attachment; filename=\"\(name).\(excel ? "xlsx" : "csv")\"")
    return Response(status: .ok, headers: headers, body: .init(data: data))
  }
}

extension Request {
  /// A message for the next page this session shows (post, redirect, get).
  func flash(_ message: LocalizedText) { leave(message, under: SessionKeys.flash) }

  /// A refusal for the next page this session shows.
  func flashError(_ message: LocalizedText) { leave(message, under: SessionKeys.flashError) }

  /// The message left by the last step, once.
  func takeFlash() -> LocalizedText? { take(SessionKeys.flash) }

  /// The refusal left by the last step, once.
  func takeFlashError() -> LocalizedText? { take(SessionKeys.flashError) }

  private func leave(_ message: LocalizedText, under key: String) {
    session.data[key] = message.zh + "\u{1F}" + message.en
  }

  private func take(_ key: String) -> LocalizedText? {
    guard hasSession, let text = session.data[key] else { return nil }
    session.data[key] = nil
    let parts = text.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
    return LocalizedText(zh: parts[0], en: parts.count > 1 ? parts[1] : parts[0])
  }
}
