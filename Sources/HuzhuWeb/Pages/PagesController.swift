import Foundation
import HuzhuCore
import Vapor

/// The server-rendered pages. Each route names the permission it needs; the stores behind
/// `request.registry`, `request.claims`… see only the operator's part of the data.
struct PagesController {
  func register(on routes: any RoutesBuilder, authenticated: any RoutesBuilder) {
    routes.get(.home, use: home)
    routes.get(.login, use: loginForm)
    routes.post(.login, use: login)
    routes.post(.logout, use: logout)
    routes.get(.verifyCertificate, use: verify)
    authenticated.get(.organisations, requires: .viewRegistry, use: organisations)
    authenticated.get(.organisation(.key), requires: .viewRegistry, use: organisation)
    authenticated.get(.unit(.key), requires: .viewRegistry, use: unit)
    authenticated.get(.workers, requires: .viewRegistry, use: workers)
    authenticated.get(.worker(.key), requires: .viewRegistry, use: worker)
    // The printable certificate names the holder in full.
    authenticated.get(.certificate(.key), requires: .viewPersonalData, use: certificate)
    authenticated.get(.receipt(.key), requires: .viewRegistry, use: receipt)
    authenticated.get(.claimQueue, requires: .viewClaims, use: claimQueue)
    authenticated.get(.newClaim, requires: .intakeClaims, use: claimForm)
    authenticated.on(.POST, .newClaim, requires: .intakeClaims, body: .collect(maxSize: "45mb"), use: openClaim)
    authenticated.get(.claimPage(.key), requires: .viewClaims, use: claim)
    authenticated.post(.claimAct(.key), requires: .viewClaims, use: actOnClaim)
    authenticated.on(.POST, .claimUpload(.key), requires: .intakeClaims, body: .collect(maxSize: "11mb"), use: upload)
    authenticated.get(.paymentBatches, requires: .managePayments, use: paymentBatches)
    authenticated.post(.paymentBatches, requires: .managePayments, use: createPaymentBatch)
    authenticated.get(.paymentBatchPage(.key), requires: .managePayments, use: paymentBatch)
    authenticated.post(.paymentBatchSettle(.key), requires: .managePayments, use: settle)
    authenticated.get(.funds, requires: .viewFund, use: funds)
    authenticated.get(.auditLog, requires: .viewAudit, use: auditLog)
    authenticated.get(.pairingsPage, requires: .managePairings, use: pairings)
    authenticated.post(.pairingVisit(.key), requires: .managePairings, use: recordPairingVisit)
    authenticated.on(.GET, .accountsPage, requiresAnyOf: [.manageAccounts, .unlockAccounts], use: accounts)
    authenticated.post(.accountsPage, requires: .manageAccounts, use: createAccount)
    authenticated.post(.accountUnlock(.key), requires: .unlockAccounts, use: unlockAccount)
    authenticated.post(.accountPassword(.key), requires: .unlockAccounts, use: resetPassword)
    authenticated.post(.accountState(.key), requires: .manageAccounts, use: setAccountState)
    authenticated.get(.ownPassword, use: passwordForm)
    authenticated.post(.ownPassword, use: changePassword)
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
    let model = try await DashboardPage.Model.load(
      account: signedIn.account, organisation: signedIn.organisation, today: request.today,
      registry: request.registry, claims: request.claims)
    return DashboardPage.View(model: model, language: request.displayLanguage, viewer: viewer).html().response()
  }

  @Sendable func loginForm(_ request: Request) async throws -> Response {
    if request.operatorAccount != nil { return request.redirect(to: SiteURL.home.path) }
    var model = LoginPage.Model(next: request.query[String.self, at: "next"])
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
    // The middleware only checks requests that carry the session cookie; a sign-in without
    // one (cookies blocked, or a forged cross-site form) is refused here.
    guard request.hasSession,
      CSRF.matches(try? request.content.get(String.self, at: CSRF.field), request.session.data[SessionKeys.csrf])
    else { throw CSRF.refused }
    let username = form.username.trimmingCharacters(in: .whitespaces).lowercased()
    switch try await SignIn.attempt(username: username, password: form.password, on: request) {
    case .success(let account):
      try await request.startSession(for: account)
      request.auth.login(account)
      try await request.audit(.login, subject: "account:\(account.account.username)")
      return request.redirect(to: Self.safeNext(form.next))
    case .failure(let message):
      let model = LoginPage.Model(username: username, next: form.next, error: message)
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

  /// Only a path on this site: never `//evil.example` or `https://…` (an open redirect).
  static func safeNext(_ next: String?) -> String {
    guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\") else { return SiteURL.home.path }
    return next
  }

  // MARK: Registry

  @Sendable func organisations(_ request: Request) async throws -> Response {
    let model = try await Home.Model.load(from: request.registry)
    return Home.View(model: model, language: request.displayLanguage, viewer: request.viewer).html().response()
  }

  @Sendable func organisation(_ request: Request) async throws -> Response {
    let page = PageQuery(page: request.query[Int.self, at: "page"] ?? 1, per: 50)
    guard
      let model = try await OrganisationPage.Model.load(try request.identifier(), page: page, from: request.registry)
    else { throw APIError.notFound }
    return OrganisationPage.View(model: model, language: request.displayLanguage, viewer: request.viewer).html()
      .response()
  }

  @Sendable func unit(_ request: Request) async throws -> Response {
    guard
      let model = try await UnitPage.Model.load(
        try request.identifier(), today: request.today, registry: request.registry, enrollments: request.enrollments,
        unionWork: request.unionWork, schemes: request.schemes)
    else { throw APIError.notFound }
    return UnitPage.View(
      model: model, language: request.displayLanguage, viewer: request.viewer, notice: request.takeFlash(),
      error: request.takeFlashError()
    ).html().response()
  }

  @Sendable func workers(_ request: Request) async throws -> Response {
    let page = PageQuery(page: request.query[Int.self, at: "page"] ?? 1, per: 50)
    let model = try await WorkerSearchPage.Model.load(
      query: request.query[String.self, at: "q"], page: page, registry: request.registry)
    return WorkerSearchPage.View(model: model, language: request.displayLanguage, viewer: request.viewer!).html()
      .response()
  }

  @Sendable func worker(_ request: Request) async throws -> Response {
    let viewer = request.viewer!
    let reveal = request.query[String.self, at: "reveal"] == "1"
    if reveal { try request.require(.viewPersonalData) }
    let id: Worker.ID = try request.identifier()
    guard
      let model = try await WorkerPage.Model.load(
        id, revealed: reveal, today: request.today, registry: request.registry, enrollments: request.enrollments,
        claims: request.claims)
    else { throw APIError.notFound }
    if reveal {
      try await request.audit(.personalDataView, subject: "worker:\(id)", detail: "ID number, phone, bank account")
    }
    return WorkerPage.View(model: model, language: request.displayLanguage, viewer: viewer).html().response()
  }

  @Sendable func certificate(_ request: Request) async throws -> Response {
    let number = try request.pathText(SiteURL.numberParameter)
    guard
      let model = try await CertificatePage.Model.load(number: number, today: request.today, from: request.enrollments),
      try await request.registry.worker(model.certificate.enrollment.workerID) != nil
    else { throw APIError.notFound }
    try await request.audit(.personalDataView, subject: "certificate:\(number)", detail: "printable certificate")
    return CertificatePage.View(model: model, language: request.displayLanguage, viewer: request.viewer).html()
      .response()
  }

  @Sendable func receipt(_ request: Request) async throws -> Response {
    guard
      let model = try await ReceiptPage.Model.load(
        number: try request.pathText(SiteURL.numberParameter), enrollments: request.enrollments,
        registry: request.registry, schemes: request.schemes)
    else { throw APIError.notFound }
    return ReceiptPage.View(model: model, language: request.displayLanguage, viewer: request.viewer).html().response()
  }

  @Sendable func verify(_ request: Request) async throws -> Response {
    let model = try await VerifyPage.Model.load(
      number: request.query[String.self, at: "number"], today: request.today, from: request.enrollments)
    return VerifyPage.View(model: model, language: request.displayLanguage, viewer: request.viewer).html().response()
  }

  // MARK: Claims

  @Sendable func claimQueue(_ request: Request) async throws -> Response {
    let page = PageQuery(page: request.query[Int.self, at: "page"] ?? 1, per: 100)
    let model = try await ClaimQueuePage.Model.load(page: page, today: request.today, claims: request.claims)
    return ClaimQueuePage.View(model: model, language: request.displayLanguage, viewer: request.viewer).html()
      .response()
  }

  @Sendable func claim(_ request: Request) async throws -> Response {
    try await claimPage(try request.identifier(), request, notice: request.takeFlash())
  }

  private func claimPage(
    _ id: ClaimRecord.ID, _ request: Request, notice: LocalizedText? = nil, error: LocalizedText? = nil,
    typedNote: String = "", status: HTTPResponseStatus = .ok
  ) async throws -> Response {
    guard
      let model = try await ClaimPage.Model.load(
        id, today: request.today, claims: request.claims, registry: request.registry)
    else { throw APIError.notFound }
    return ClaimPage.View(
      model: model, language: request.displayLanguage, viewer: request.viewer, notice: notice, error: error,
      typedNote: typedNote
    ).html().response(status: status)
  }

  struct ActionForm: Content {
    let action: ClaimActionInput.Name
    let note: String?
    let rejectionReason: RejectionReason?
  }

  @Sendable func actOnClaim(_ request: Request) async throws -> Response {
    let id: ClaimRecord.ID = try request.identifier()
    guard let record = try await request.claims.claim(id) else { throw APIError.notFound }
    let form = try request.content.decode(ActionForm.self)
    let note = form.note?.trimmingCharacters(in: .whitespaces) ?? ""
    let action: ClaimAction =
      switch form.action {
      case .submit: .submit
      case .return: .returnForDocuments(reason: note)
      case .review: .review
      case .approve: .approve
      case .reject: .reject(reason: form.rejectionReason ?? .other, note: note)
      case .appeal: .appeal(reason: note)
      }
    guard !action.permittedBy.isDisjoint(with: request.viewer!.permissions) else { throw APIError.forbidden }
    do {
      let context = try await request.claimContext(scheme: record.schemeCode)
      let result = try await request.claims.perform(action, on: id, context: context)
      // Post, redirect, get: a refresh of the claim's page never repeats the step.
      request.flash(
        LocalizedText(
          zh: "已办理：\(result.record.state.label.zh)", en: "Done: the claim is now \(result.record.state.label.en)"))
      return request.redirect(to: SiteURL.claimPage(.value(id)).path)
    } catch let failure as ValidationFailure {
      let message = failure.errors.map(\.message)
      return try await claimPage(
        id, request,
        error: LocalizedText(
          zh: message.map(\.zh).joined(separator: "；"), en: message.map(\.en).joined(separator: "; ")),
        typedNote: note, status: .unprocessableEntity)
    }
  }

  struct UploadForm: Content {
    let kind: String
    let file: File
  }

  @Sendable func upload(_ request: Request) async throws -> Response {
    let id: ClaimRecord.ID = try request.identifier()
    guard let record = try await request.claims.claim(id) else { throw APIError.notFound }
    let form = try request.content.decode(UploadForm.self)
    do {
      let context = try await request.claimContext(scheme: record.schemeCode)
      let document = try await request.attachScan(
        Data(form.file.data.readableBytesView), kind: String(form.kind.prefix(40)), fileName: form.file.filename,
        to: id, context: context)
      request.flash(
        LocalizedText(
          zh: "已上传：\(RequiredDocument.label(document.kind).zh)",
          en: "Uploaded: \(RequiredDocument.label(document.kind).en)"))
      return request.redirect(to: SiteURL.claimPage(.value(id)).path)
    } catch let failure as ValidationFailure {
      return try await claimPage(
        id, request,
        error: LocalizedText(
          zh: failure.errors.map(\.message.zh).joined(separator: "；"),
          en: failure.errors.map(\.message.en).joined(separator: "; ")),
        status: .unprocessableEntity)
    }
  }

  @Sendable func claimForm(_ request: Request) async throws -> Response {
    // A claim starts from the member: without one, find them first.
    guard request.query[String.self, at: "worker"] != nil else { return request.redirect(to: SiteURL.workers.path) }
    let model = try await claimFormModel(request)
    return ClaimFormPage.View(model: model, language: request.displayLanguage, viewer: request.viewer!).html()
      .response()
  }

  private func claimFormModel(_ request: Request) async throws -> ClaimFormPage.Model {
    guard let text = request.query[String.self, at: "worker"], let id = Worker.ID(text),
      let model = try await ClaimFormPage.Model.load(
        worker: id, today: request.today, registry: request.registry, enrollments: request.enrollments,
        schemes: request.schemes)
    else { throw APIError.notFound }
    return model
  }

  /// The posted intake form: text fields and one optional scan per checklist item.
  struct ClaimFormBody: Content {
    var schemeCode, hospital, admissionDate, dischargeDate, settlementDate, claimDate, hospitalDays: String?
    var invoiceNumbers, settlementSheetNumber, expedited: String?
    var figure_total_cost, figure_in_scope_cost, figure_pooled_fund_paid: String?
    var figure_critical_illness_insurance_paid, figure_self_paid_in_scope, figure_self_funded: String?
    var scan_certificate, scan_diagnosis, scan_invoice, scan_settlement_sheet: File?

    var fields: [String: String] {
      let pairs: [(String, String?)] = [
        ("schemeCode", schemeCode), ("hospital", hospital), ("admissionDate", admissionDate),
        ("dischargeDate", dischargeDate), ("settlementDate", settlementDate), ("claimDate", claimDate),
        ("hospitalDays", hospitalDays), ("invoiceNumbers", invoiceNumbers),
        ("settlementSheetNumber", settlementSheetNumber), ("expedited", expedited),
        ("figure_total_cost", figure_total_cost), ("figure_in_scope_cost", figure_in_scope_cost),
        ("figure_pooled_fund_paid", figure_pooled_fund_paid),
        ("figure_critical_illness_insurance_paid", figure_critical_illness_insurance_paid),
        ("figure_self_paid_in_scope", figure_self_paid_in_scope), ("figure_self_funded", figure_self_funded),
      ]
      return Dictionary(uniqueKeysWithValues: pairs.compactMap { key, value in value.map { (key, $0) } })
    }

    var scans: [(kind: String, file: File)] {
      [
        ("certificate", scan_certificate), ("diagnosis", scan_diagnosis), ("invoice", scan_invoice),
        ("settlement_sheet", scan_settlement_sheet),
      ]
      .compactMap { kind, file in file.flatMap { $0.data.readableBytes > 0 ? (kind, $0) : nil } }
    }
  }

  @Sendable func openClaim(_ request: Request) async throws -> Response {
    var model = try await claimFormModel(request)
    let body = try request.content.decode(ClaimFormBody.self)
    model.form = ClaimFormPage.Form(fields: body.fields)
    func refuse(_ errors: [FieldError]) -> Response {
      model.errors = errors
      return ClaimFormPage.View(model: model, language: request.displayLanguage, viewer: request.viewer!).html()
        .response(status: .unprocessableEntity)
    }
    guard model.schemes.contains(where: { $0.code == model.form.schemeCode }) else {
      return refuse([
        FieldError(
          field: "schemeCode", code: "no_cover",
          message: LocalizedText(zh: "该职工没有该方案的已缴费参保", en: "the worker holds no paid cover in this scheme"))
      ])
    }
    let intake: ClaimIntake
    switch model.form.intake() {
    case .success(let value): intake = value
    case .failure(let failure): return refuse(failure.errors)
    }
    // Scans are checked before anything is written, so a bad file loses nothing typed.
    var scanErrors: [FieldError] = []
    for scan in body.scans {
      if case .failure(let problem) = DocumentFormat.detect(Data(scan.file.data.readableBytesView)) {
        scanErrors.append(FieldError(field: "scan_\(scan.kind)", code: problem.code, message: problem.message))
      }
    }
    guard scanErrors.isEmpty else { return refuse(scanErrors) }
    let context = try await request.claimContext(scheme: model.form.schemeCode)
    let record: ClaimRecord
    do {
      record = try await request.claims.open(
        intake, for: model.worker.id, channel: .window, expedited: model.form.expedited, context: context)
    } catch let failure as ValidationFailure {
      return refuse(failure.errors)
    }
    for scan in body.scans {
      _ = try await request.attachScan(
        Data(scan.file.data.readableBytesView), kind: scan.kind, fileName: scan.file.filename, to: record.id,
        context: context)
    }
    return request.redirect(to: SiteURL.claimPage(.value(record.id)).path)
  }

  // MARK: Payments and the fund

  @Sendable func paymentBatches(_ request: Request) async throws -> Response {
    let model = try await PaymentBatchesPage.Model.load(
      claims: request.claims, schemes: request.schemes, today: request.today)
    return PaymentBatchesPage.View(model: model, language: request.displayLanguage, viewer: request.viewer!).html()
      .response()
  }

  @Sendable func createPaymentBatch(_ request: Request) async throws -> Response {
    let scheme = try request.content.get(String.self, at: "scheme")
    do {
      let batch = try await request.claims.createBatch(
        scheme: scheme, context: try await request.claimContext(scheme: scheme))
      return request.redirect(to: SiteURL.paymentBatchPage(.value(batch.id)).path)
    } catch let failure as ValidationFailure {
      let model = try await PaymentBatchesPage.Model.load(
        claims: request.claims, schemes: request.schemes, today: request.today)
      return PaymentBatchesPage.View(
        model: model, language: request.displayLanguage, viewer: request.viewer!,
        notice: LocalizedText(
          zh: failure.errors.map(\.message.zh).joined(separator: "；"),
          en: failure.errors.map(\.message.en).joined(separator: "; "))
      ).html().response(status: .unprocessableEntity)
    }
  }

  @Sendable func paymentBatch(_ request: Request) async throws -> Response {
    guard let batch = try await request.claims.batch(try request.identifier()) else { throw APIError.notFound }
    return PaymentBatchPage.View(batch: batch, language: request.displayLanguage, viewer: request.viewer!).html()
      .response()
  }

  struct SettleForm: Content {
    let claimId: UUID
    let paid: Bool
    let note: String?
  }

  @Sendable func settle(_ request: Request) async throws -> Response {
    let batchID: PaymentBatch.ID = try request.identifier()
    guard let batch = try await request.claims.batch(batchID) else { throw APIError.notFound }
    let form = try request.content.decode(SettleForm.self)
    _ = try await request.claims.settle(
      .init(form.claimId), in: batchID, paid: form.paid, note: form.note,
      context: try await request.claimContext(scheme: batch.schemeCode))
    return request.redirect(to: SiteURL.paymentBatchPage(.value(batchID)).path)
  }

  @Sendable func funds(_ request: Request) async throws -> Response {
    let model = try await FundPage.Model.load(
      enrollments: request.enrollments, schemes: request.schemes, visible: try await request.fundSchemeCodes())
    return FundPage.View(model: model, language: request.displayLanguage, viewer: request.viewer).html().response()
  }

  // MARK: Pairing ledger

  @Sendable func pairings(_ request: Request) async throws -> Response {
    let registry = request.registry
    var entries: [PairingPage.Entry] = []
    for pairing in try await request.unionWork.pairings(under: try request.scopedOrganisationFilter()) {
      let name = try await registry.worker(pairing.workerID)?.name ?? "—"
      entries.append(
        .init(pairing: pairing, workerName: name, visits: try await request.unionWork.visits(pairing: pairing.id)))
    }
    let model = PairingPage.Model(
      entries: entries, today: request.today, notice: request.takeFlash(), error: request.takeFlashError())
    return PairingPage.View(model: model, language: request.displayLanguage, viewer: request.viewer!).html().response()
  }

  struct PairingVisitForm: Content {
    let visitedOn: String
    let note: String
  }

  @Sendable func recordPairingVisit(_ request: Request) async throws -> Response {
    guard let pairing = try await request.visiblePairing(try request.identifier()) else { throw APIError.notFound }
    let form = try request.content.decode(PairingVisitForm.self)
    do {
      guard let day = CalendarDate(form.visitedOn) else {
        throw ValidationFailure([.missing("visitedOn", LocalizedText(zh: "走访日期", en: "visit date"))])
      }
      try await request.unionWork.record(
        PairingVisit(pairingID: pairing.id, visitedOn: day, note: form.note.trimmingCharacters(in: .whitespaces)),
        today: request.today)
      request.flash(LocalizedText(zh: "走访已记录", en: "Visit recorded"))
    } catch let failure as ValidationFailure {
      request.flashError(
        LocalizedText(
          zh: failure.errors.map(\.message.zh).joined(separator: "；"),
          en: failure.errors.map(\.message.en).joined(separator: "; ")))
    }
    return request.redirect(to: SiteURL.pairingsPage.path)
  }

  // MARK: Accounts

  private func accountsModel(_ request: Request, form: AccountsPage.Form = .init(), errors: [FieldError] = [])
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
          roles: form.roles, passwordHash: hash))
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
  private func administrable(_ request: Request) async throws -> UserAccount {
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
    try await setPassword(password, for: account, request)
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

  private func setPassword(_ password: String, for account: UserAccount, _ request: Request) async throws {
    let hasher = request.application.huzhu.passwordHasher
    let hash = try await request.application.threadPool.runIfActive { try hasher.hash(password) }
    try await request.accounts.setPasswordHash(hash, for: account.id)
  }

  @Sendable func passwordForm(_ request: Request) async throws -> Response {
    PasswordPage.View(language: request.displayLanguage, viewer: request.viewer!, notice: request.takeFlash()).html()
      .response()
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
    try await setPassword(form.password, for: signedIn.account, request)
    try await request.audit(
      .accountChange, subject: "account:\(signedIn.account.username)", detail: "own password changed")
    request.flash(LocalizedText(zh: "密码已修改", en: "Password changed"))
    return request.redirect(to: SiteURL.ownPassword.path)
  }

  // MARK: Schemes

  @Sendable func schemes(_ request: Request) async throws -> Response {
    SchemesPage.View(
      schemes: try await request.schemes.schemes(), language: request.displayLanguage, viewer: request.viewer!
    )
    .html().response()
  }

  @Sendable func scheme(_ request: Request) async throws -> Response {
    guard let scheme = try await request.schemes.scheme(code: try request.pathText(SiteURL.codeParameter)) else {
      throw APIError.notFound
    }
    let model = SchemePage.Model(scheme: scheme, draft: scheme.source, notice: request.takeFlash())
    return SchemePage.View(model: model, language: request.displayLanguage, viewer: request.viewer!).html().response()
  }

  struct SchemeForm: Content {
    let source: String
  }

  @Sendable func saveScheme(_ request: Request) async throws -> Response {
    let code = try request.pathText(SiteURL.codeParameter)
    guard let current = try await request.schemes.scheme(code: code) else { throw APIError.notFound }
    let source = try request.content.decode(SchemeForm.self).source.replacingOccurrences(of: "\r\n", with: "\n")
    do {
      let (saved, _) = try await request.saveScheme(code: code, yaml: source)
      request.flash(
        LocalizedText(zh: "已保存为第 \(saved.revision) 次修订", en: "Saved as revision \(saved.revision)"))
      return request.redirect(to: SiteURL.schemePage(.value(code)).path)
    } catch let failure as ValidationFailure {
      let model = SchemePage.Model(scheme: current, draft: source, errors: failure.errors)
      return SchemePage.View(model: model, language: request.displayLanguage, viewer: request.viewer!).html()
        .response(status: .unprocessableEntity)
    }
  }

  // MARK: Audit

  @Sendable func auditLog(_ request: Request) async throws -> Response {
    let page = PageQuery(page: request.query[Int.self, at: "page"] ?? 1, per: 100)
    let query = AuditQuery(
      kind: request.query[String.self, at: "kind"].flatMap(AuditKind.init(rawValue:)),
      actor: request.query[String.self, at: "actor"].flatMap { $0.isEmpty ? nil : $0 })
    let model = try await AuditPage.Model.load(query: query, page: page, from: request.auditLog)
    return AuditPage.View(model: model, language: request.displayLanguage, viewer: request.viewer!).html().response()
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
