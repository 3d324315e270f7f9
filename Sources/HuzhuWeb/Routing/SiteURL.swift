import HuzhuApp
import HuzhuCore
import Vapor

/// Every address the application answers, used both to register routes and to build
/// links, so that a link can never point at a route that does not exist.
public enum SiteURL: Hashable, Sendable {
  /// The signed-in operator's dashboard (the sign-in page for anyone else).
  case home
  case login
  /// The one-time code after the password (two-factor sign-in).
  case loginCode
  case logout
  /// The organisation tree of the operator's scope.
  case organisations
  /// Worker search (`?q=` name, ID number or phone) and a worker's page.
  case workers
  case worker(Parameter<Worker.ID>)
  /// Staff correct a member's account for transfers.
  case workerBankAccount(Parameter<Worker.ID>)
  /// Registering a person on their own (a gig worker), and their individual enrollment.
  case newIndividual
  case individualEnroll(Parameter<Worker.ID>)
  /// The intake form (`?worker=`), and the forms posted from a claim's page.
  case newClaim
  case claimAct(Parameter<ClaimRecord.ID>)
  case claimUpload(Parameter<ClaimRecord.ID>)
  /// A reviewer's amount to pay instead of the calculated one, with the reason.
  case claimAdjust(Parameter<ClaimRecord.ID>)
  /// The window records the worker's signed consent to telling a paid claim's story.
  case claimStory(Parameter<ClaimRecord.ID>)
  /// Payment batches: list and create; one batch with the bank's answers.
  case paymentBatches
  case paymentBatchPage(Parameter<PaymentBatch.ID>)
  case paymentBatchSettle(Parameter<PaymentBatch.ID>)
  /// A paid line the bank sent back (退汇).
  case paymentBatchReturn(Parameter<PaymentBatch.ID>)
  /// Every pending line paid at once.
  case paymentBatchSettleAll(Parameter<PaymentBatch.ID>)
  /// The bank's answer file: uploaded, then checked (GET) and recorded (POST).
  case paymentBatchAnswerUpload(Parameter<PaymentBatch.ID>)
  case paymentBatchAnswers(Parameter<PaymentBatch.ID>)
  /// The audit log (audit administrator only).
  case auditLog
  case auditExport
  /// A unit's roster upload and preview, its import, and the template.
  case rosterPage(Parameter<WorkUnit.ID>)
  case rosterCommit(Parameter<WorkUnit.ID>)
  case rosterTemplate
  /// Transfer requests between areas (a roster naming someone kept elsewhere), and an answer.
  case transfers
  case transferDecision(Parameter<TransferRequest.ID>)
  /// A unit's collective enrollment form; a payment recorded against a bill.
  case enrollPage(Parameter<WorkUnit.ID>)
  case billPay(Parameter<Bill.ID>)
  /// The certificates a bill paid for, printed together.
  case billCertificates(Parameter<Bill.ID>)
  /// The hardship pairing ledger and a visit recorded from it.
  case pairingsPage
  case pairingVisit(Parameter<HardshipPairing.ID>)
  /// Operator accounts (system administrator) and their locks (security administrator).
  case accountsPage
  case accountUnlock(Parameter<UserAccount.ID>)
  case accountPassword(Parameter<UserAccount.ID>)
  case accountState(Parameter<UserAccount.ID>)
  /// The signed-in operator's own password.
  case ownPassword
  /// The signed-in operator's own authenticator: enrolled, or removed where allowed.
  case ownSecondFactor
  case ownSecondFactorRemove
  /// A security administrator resets an account's authenticator (a lost phone).
  case accountSecondFactor(Parameter<UserAccount.ID>)
  /// Schemes, products and rule versions, readable; a new revision uploaded.
  case schemesPage
  case schemePage(Parameter<String>)
  /// Anonymised paid claim cases, for publicity (public).
  case stories
  /// The worker portal: home, sign-in by ID number and phone, the code, sign-out.
  case portal
  case portalLogin
  case portalCode
  case portalLogout
  case portalApply
  /// A claim of the signed-in worker: the page, its decision letter, an appeal.
  case portalClaim(Parameter<ClaimRecord.ID>)
  case portalClaimLetter(Parameter<ClaimRecord.ID>)
  case portalClaimAppeal(Parameter<ClaimRecord.ID>)
  /// The worker's e-certificate, with the QR code the verification page reads.
  case portalCertificate(Parameter<String>)
  /// Joining a product on one's own online; the bills still to pay.
  case portalEnroll
  /// The worker's bank account, a change asked for, its code.
  case portalAccount
  case portalAccountConfirm
  /// The worker's consent to their paid claim's story (given or taken back).
  case portalClaimStory(Parameter<ClaimRecord.ID>)
  /// Staff choose which consented stories are published.
  case storiesManage
  case storyPublish(Parameter<ClaimRecord.ID>)
  case script
  case organisation(Parameter<Organisation.ID>)
  case unit(Parameter<WorkUnit.ID>)
  /// The printable certificate (staff only: it shows the holder in full).
  case certificate(Parameter<String>)
  /// The printable receipt of a payment (staff only).
  case receipt(Parameter<String>)
  /// A payment's void asked for from its receipt.
  case receiptVoid(Parameter<String>)
  /// A receipt reissued under a new number.
  case receiptReissue(Parameter<String>)
  /// Corrections of money: the four-eyes queue and the decided ones; a decision.
  case corrections
  case correctionDecision(Parameter<Correction.ID>)
  /// A member's cover withdrawn (enrolled in error, or withdrawing in time), asked for from
  /// the certificate.
  case certificateWithdrawal(Parameter<String>)
  /// The text messages' outbox for staff (what could not be delivered), a message sent again.
  case messages
  case messageResend(Parameter<OutgoingMessage.ID>)
  /// Refunds of contributions: the list, their bank file, a transfer recorded.
  case refunds
  case refundsBankFile
  case refundTransfer(Parameter<Refund.ID>)
  /// Recoveries of paid claims found wrong: the list, one with its repayments, one opened
  /// from a claim's page, a repayment recorded.
  case recoveries
  case recoveryPage(Parameter<Recovery.ID>)
  case claimRecovery(Parameter<ClaimRecord.ID>)
  case recoveryRepayments(Parameter<Recovery.ID>)
  /// A claim's page and the work queue (staff only).
  case claimPage(Parameter<ClaimRecord.ID>)
  case claimQueue
  /// Claims of the queue given to a reviewer (or taken back).
  case claimAssign
  /// The fund's reconciliation (staff only), finance's opening balance and period close.
  case funds
  case fundOpening
  case fundClose
  /// A fund's ledger as CSV or Excel (`?scheme=&version=&format=csv|xlsx`), corrections in their own rows.
  case fundExport
  /// The year-end renewal of every unit under a node (preview, then commit).
  case renewals
  case settlementsPage
  case settlementUpload
  case settlementImport
  case settlementPage(Parameter<StoredSettlement.ID>)
  case settlementRematch(Parameter<StoredSettlement.ID>)
  case settlementResolve(Parameter<StoredSettlement.ID>)
  /// Statistics for a node and period (`?org=&from=&to=&scheme=`), any of its tables as a
  /// file (`/statistics/export?table=&format=csv|xlsx` with the same query), the printable
  /// monthly report (`?month=`), agencies' targets, and the what-if simulator.
  case statistics
  case statisticsExport
  case monthlyReport
  case targets
  case simulator
  /// The public lookup: `?number=`, masked result.
  case verifyCertificate
  case healthz
  case readyz
  /// The forms of a unit's page: its details, a headcount report, an outreach visit; and a new
  /// unit under a node.
  case unitDetailsForm(Parameter<WorkUnit.ID>)
  case unitHeadcountForm(Parameter<WorkUnit.ID>)
  case unitOutreachForm(Parameter<WorkUnit.ID>)
  case newUnit(Parameter<Organisation.ID>)
  /// Bulk import of the organisation tree or of units: upload and preview, the import, the template.
  case registryImport(RegistryImports.Kind)
  case registryImportCommit(RegistryImports.Kind)
  case registryImportTemplate(RegistryImports.Kind)
  /// Prometheus metrics, with the bearer token `HUZHU_METRICS_TOKEN`.
  case metrics
  case openAPI
  case stylesheet
  case api(API)

  public enum API: Hashable, Sendable {
    case organisations
    case organisation(Parameter<Organisation.ID>)
    case units
    case unit(Parameter<WorkUnit.ID>)
    case unitWorkers(Parameter<WorkUnit.ID>)
    case registryCounts
    case unitDetails(Parameter<WorkUnit.ID>)
    case unitHeadcounts(Parameter<WorkUnit.ID>)
    case unitOutreach(Parameter<WorkUnit.ID>)
    case unitRosterPreview(Parameter<WorkUnit.ID>)
    case unitRoster(Parameter<WorkUnit.ID>)
    case unitEnrollments(Parameter<WorkUnit.ID>)
    case unitRenewals(Parameter<WorkUnit.ID>)
    case unitBills(Parameter<WorkUnit.ID>)
    case transfers
    case transferDecision(Parameter<TransferRequest.ID>)
    case individualEnrollments
    case individuals
    /// A member's account for transfers replaced (after the bank returned one, say).
    case workerBankAccount(Parameter<Worker.ID>)
    case workerEnrollments(Parameter<Worker.ID>)
    case bill(Parameter<Bill.ID>)
    case billPayments(Parameter<Bill.ID>)
    case receipt(Parameter<String>)
    case certificate(Parameter<String>)
    case schemes
    case scheme(Parameter<String>)
    case fundBalances
    case fundEntries(Parameter<String>)
    case outreachSummary
    case pairings
    case pairing(Parameter<HardshipPairing.ID>)
    case pairingVisits(Parameter<HardshipPairing.ID>)
    case claims
    case claimBatch
    case claim(Parameter<ClaimRecord.ID>)
    case claimIntake(Parameter<ClaimRecord.ID>)
    case claimDocuments(Parameter<ClaimRecord.ID>)
    case claimActions(Parameter<ClaimRecord.ID>)
    case claimAdjustment(Parameter<ClaimRecord.ID>)
    case document(Parameter<ClaimDocument.ID>)
    case paymentBatches
    case paymentBatch(Parameter<PaymentBatch.ID>)
    case paymentBatchExport(Parameter<PaymentBatch.ID>)
    case paymentBatchLine(Parameter<PaymentBatch.ID>, claim: Parameter<ClaimRecord.ID>)
    case paymentBatchLineReturn(Parameter<PaymentBatch.ID>, claim: Parameter<ClaimRecord.ID>)
    case holidays
    case holidayYear(Parameter<Int>)
    case settlementFeed(Parameter<String>)
    case settlements
    /// A payment's void asked for, by its receipt number.
    case receiptVoid(Parameter<String>)
    /// A receipt reissued under a new number.
    case receiptReissue(Parameter<String>)
    case corrections
    case correction(Parameter<Correction.ID>)
    case correctionDecision(Parameter<Correction.ID>)
    /// A member's cover withdrawn, asked for by its certificate number.
    case certificateWithdrawal(Parameter<String>)
    case refunds
    case refund(Parameter<Refund.ID>)
    case refundTransfer(Parameter<Refund.ID>)
    case claimRecovery(Parameter<ClaimRecord.ID>)
    case recoveries
    case recovery(Parameter<Recovery.ID>)
    case recoveryRepayments(Parameter<Recovery.ID>)
  }

  /// A route parameter: `.key` when registering, `.value` when linking.
  public enum Parameter<Value: Hashable & Sendable & CustomStringConvertible>: Hashable, Sendable {
    case key
    case value(Value)

    fileprivate func component(_ name: String) -> PathComponent {
      switch self {
      case .key: .parameter(name)
      case .value(let value): .constant(value.description)
      }
    }
  }

  public var pathComponents: [PathComponent] {
    switch self {
    case .home: []
    case .login: ["login"]
    case .loginCode: ["login", "code"]
    case .logout: ["logout"]
    case .organisations: ["organisations"]
    case .workers: ["workers"]
    case .worker(let id): ["workers", id.component(SiteURL.idParameter)]
    case .workerBankAccount(let id): ["workers", id.component(SiteURL.idParameter), "bank-account"]
    case .newIndividual: ["workers", "new"]
    case .individualEnroll(let id): ["workers", id.component(SiteURL.idParameter), "enroll"]
    case .newClaim: ["claims", "new"]
    case .claimAct(let id): ["claims", id.component(SiteURL.idParameter), "act"]
    case .claimUpload(let id): ["claims", id.component(SiteURL.idParameter), "upload"]
    case .claimAdjust(let id): ["claims", id.component(SiteURL.idParameter), "adjust"]
    case .claimStory(let id): ["claims", id.component(SiteURL.idParameter), "story"]
    case .paymentBatches: ["payments"]
    case .paymentBatchPage(let id): ["payments", id.component(SiteURL.idParameter)]
    case .paymentBatchSettle(let id): ["payments", id.component(SiteURL.idParameter), "settle"]
    case .paymentBatchReturn(let id): ["payments", id.component(SiteURL.idParameter), "return"]
    case .paymentBatchSettleAll(let id): ["payments", id.component(SiteURL.idParameter), "settle-all"]
    case .paymentBatchAnswerUpload(let id): ["payments", id.component(SiteURL.idParameter), "answers", "upload"]
    case .paymentBatchAnswers(let id): ["payments", id.component(SiteURL.idParameter), "answers"]
    case .auditLog: ["audit"]
    case .auditExport: ["audit", "export"]
    case .rosterPage(let id): ["units", id.component(SiteURL.idParameter), "roster"]
    case .rosterCommit(let id): ["units", id.component(SiteURL.idParameter), "roster", "import"]
    case .rosterTemplate: ["roster-template.xlsx"]
    case .transfers: ["transfers"]
    case .transferDecision(let id): ["transfers", id.component(SiteURL.idParameter)]
    case .enrollPage(let id): ["units", id.component(SiteURL.idParameter), "enroll"]
    case .billPay(let id): ["bills", id.component(SiteURL.idParameter), "pay"]
    case .billCertificates(let id): ["bills", id.component(SiteURL.idParameter), "certificates"]
    case .pairingsPage: ["pairings"]
    case .pairingVisit(let id): ["pairings", id.component(SiteURL.idParameter), "visits"]
    case .accountsPage: ["accounts"]
    case .accountUnlock(let id): ["accounts", id.component(SiteURL.idParameter), "unlock"]
    case .accountPassword(let id): ["accounts", id.component(SiteURL.idParameter), "password"]
    case .accountState(let id): ["accounts", id.component(SiteURL.idParameter), "state"]
    case .ownPassword: ["password"]
    case .ownSecondFactor: ["two-factor"]
    case .ownSecondFactorRemove: ["two-factor", "remove"]
    case .accountSecondFactor(let id): ["accounts", id.component(SiteURL.idParameter), "two-factor"]
    case .schemesPage: ["schemes"]
    case .schemePage(let code): ["schemes", code.component(SiteURL.codeParameter)]
    case .stories: ["stories"]
    case .portal: ["portal"]
    case .portalLogin: ["portal", "login"]
    case .portalCode: ["portal", "code"]
    case .portalLogout: ["portal", "logout"]
    case .portalApply: ["portal", "apply"]
    case .portalClaim(let id): ["portal", "claims", id.component(SiteURL.idParameter)]
    case .portalClaimLetter(let id): ["portal", "claims", id.component(SiteURL.idParameter), "letter"]
    case .portalClaimAppeal(let id): ["portal", "claims", id.component(SiteURL.idParameter), "appeal"]
    case .portalCertificate(let number): ["portal", "certificates", number.component(SiteURL.numberParameter)]
    case .portalEnroll: ["portal", "enroll"]
    case .portalAccount: ["portal", "account"]
    case .portalAccountConfirm: ["portal", "account", "confirm"]
    case .portalClaimStory(let id): ["portal", "claims", id.component(SiteURL.idParameter), "story"]
    case .storiesManage: ["stories", "manage"]
    case .storyPublish(let id): ["stories", id.component(SiteURL.idParameter), "publish"]
    case .script: ["huzhu.js"]
    case .organisation(let id): ["organisations", id.component("id")]
    case .unit(let id): ["units", id.component(SiteURL.idParameter)]
    case .certificate(let number): ["certificates", number.component(SiteURL.numberParameter)]
    case .verifyCertificate: ["verify"]
    case .claimPage(let id): ["claims", id.component(SiteURL.idParameter)]
    case .claimQueue: ["claims"]
    case .claimAssign: ["claims", "assign"]
    case .funds: ["funds"]
    case .fundOpening: ["funds", "opening"]
    case .fundClose: ["funds", "close"]
    case .fundExport: ["funds", "export"]
    case .renewals: ["renewals"]
    case .settlementsPage: ["settlements"]
    case .settlementUpload: ["settlements", "upload"]
    case .settlementImport: ["settlements", "import"]
    case .settlementPage(let id): ["settlements", id.component(SiteURL.idParameter)]
    case .settlementRematch(let id): ["settlements", id.component(SiteURL.idParameter), "rematch"]
    case .settlementResolve(let id): ["settlements", id.component(SiteURL.idParameter), "resolve"]
    case .statistics: ["statistics"]
    case .statisticsExport: ["statistics", "export"]
    case .monthlyReport: ["statistics", "monthly"]
    case .targets: ["targets"]
    case .simulator: ["simulator"]
    case .receipt(let number): ["receipts", number.component(SiteURL.numberParameter)]
    case .receiptVoid(let number): ["receipts", number.component(SiteURL.numberParameter), "void"]
    case .receiptReissue(let number): ["receipts", number.component(SiteURL.numberParameter), "reissue"]
    case .corrections: ["corrections"]
    case .correctionDecision(let id): ["corrections", id.component(SiteURL.idParameter), "decision"]
    case .certificateWithdrawal(let number): ["certificates", number.component(SiteURL.numberParameter), "withdrawal"]
    case .messages: ["messages"]
    case .messageResend(let id): ["messages", id.component(SiteURL.idParameter), "resend"]
    case .refunds: ["refunds"]
    case .refundsBankFile: ["refunds", "bank-file"]
    case .refundTransfer(let id): ["refunds", id.component(SiteURL.idParameter), "transfer"]
    case .recoveries: ["recoveries"]
    case .recoveryPage(let id): ["recoveries", id.component(SiteURL.idParameter)]
    case .claimRecovery(let id): ["claims", id.component(SiteURL.idParameter), "recovery"]
    case .recoveryRepayments(let id): ["recoveries", id.component(SiteURL.idParameter), "repayments"]
    case .healthz: ["healthz"]
    case .readyz: ["readyz"]
    case .metrics: ["metrics"]
    case .unitDetailsForm(let id): ["units", id.component(SiteURL.idParameter), "details"]
    case .unitHeadcountForm(let id): ["units", id.component(SiteURL.idParameter), "headcount"]
    case .unitOutreachForm(let id): ["units", id.component(SiteURL.idParameter), "outreach"]
    case .newUnit(let id): ["organisations", id.component("id"), "units"]
    case .registryImport(let kind): ["imports", .constant(kind.rawValue)]
    case .registryImportCommit(let kind): ["imports", .constant(kind.rawValue), "commit"]
    case .registryImportTemplate(let kind): ["imports", .constant(kind.rawValue), "template"]
    case .openAPI: ["api", "openapi.yaml"]
    case .stylesheet: ["huzhu.css"]
    case .api(let api): ["api", "v1"] + api.pathComponents
    }
  }

  /// The path for a link, e.g. `/organisations/4f…`.
  public var path: String {
    "/" + pathComponents.map(\.description).joined(separator: "/")
  }

  public static let idParameter = "id"
  /// Documents are addressed by their printed number, schemes by their code.
  public static let numberParameter = "number"
  public static let codeParameter = "code"
  public static let claimParameter = "claimId"
  public static let yearParameter = "year"
}

extension SiteURL.API {
  var pathComponents: [PathComponent] {
    switch self {
    case .organisations: ["organisations"]
    case .organisation(let id): ["organisations", id.component(SiteURL.idParameter)]
    case .units: ["units"]
    case .unit(let id): ["units", id.component(SiteURL.idParameter)]
    case .unitWorkers(let id): ["units", id.component(SiteURL.idParameter), "workers"]
    case .registryCounts: ["registry", "counts"]
    case .unitDetails(let id): ["units", id.component(SiteURL.idParameter), "details"]
    case .unitHeadcounts(let id): ["units", id.component(SiteURL.idParameter), "headcounts"]
    case .unitOutreach(let id): ["units", id.component(SiteURL.idParameter), "outreach"]
    case .unitRosterPreview(let id): ["units", id.component(SiteURL.idParameter), "roster", "preview"]
    case .unitRoster(let id): ["units", id.component(SiteURL.idParameter), "roster"]
    case .unitEnrollments(let id): ["units", id.component(SiteURL.idParameter), "enrollments"]
    case .unitRenewals(let id): ["units", id.component(SiteURL.idParameter), "renewals"]
    case .unitBills(let id): ["units", id.component(SiteURL.idParameter), "bills"]
    case .transfers: ["transfers"]
    case .transferDecision(let id): ["transfers", id.component(SiteURL.idParameter), "decision"]
    case .individualEnrollments: ["enrollments", "individual"]
    case .individuals: ["individuals"]
    case .workerBankAccount(let id): ["workers", id.component(SiteURL.idParameter), "bank-account"]
    case .workerEnrollments(let id): ["workers", id.component(SiteURL.idParameter), "enrollments"]
    case .bill(let id): ["bills", id.component(SiteURL.idParameter)]
    case .billPayments(let id): ["bills", id.component(SiteURL.idParameter), "payments"]
    case .receipt(let number): ["receipts", number.component(SiteURL.numberParameter)]
    case .certificate(let number): ["certificates", number.component(SiteURL.numberParameter)]
    case .schemes: ["schemes"]
    case .scheme(let code): ["schemes", code.component(SiteURL.codeParameter)]
    case .fundBalances: ["funds", "balances"]
    case .fundEntries(let code): ["funds", code.component(SiteURL.codeParameter), "entries"]
    case .outreachSummary: ["outreach", "summary"]
    case .pairings: ["pairings"]
    case .pairing(let id): ["pairings", id.component(SiteURL.idParameter)]
    case .pairingVisits(let id): ["pairings", id.component(SiteURL.idParameter), "visits"]
    case .claims: ["claims"]
    case .claimBatch: ["claims", "batch"]
    case .claim(let id): ["claims", id.component(SiteURL.idParameter)]
    case .claimIntake(let id): ["claims", id.component(SiteURL.idParameter), "intake"]
    case .claimDocuments(let id): ["claims", id.component(SiteURL.idParameter), "documents"]
    case .claimActions(let id): ["claims", id.component(SiteURL.idParameter), "actions"]
    case .claimAdjustment(let id): ["claims", id.component(SiteURL.idParameter), "adjustment"]
    case .document(let id): ["documents", id.component(SiteURL.idParameter)]
    case .paymentBatches: ["payment-batches"]
    case .paymentBatch(let id): ["payment-batches", id.component(SiteURL.idParameter)]
    case .paymentBatchExport(let id): ["payment-batches", id.component(SiteURL.idParameter), "export"]
    case .paymentBatchLine(let id, let claim):
      ["payment-batches", id.component(SiteURL.idParameter), "lines", claim.component(SiteURL.claimParameter)]
    case .paymentBatchLineReturn(let id, let claim):
      [
        "payment-batches", id.component(SiteURL.idParameter), "lines", claim.component(SiteURL.claimParameter),
        "return",
      ]
    case .holidays: ["holidays"]
    case .holidayYear(let year): ["holidays", year.component(SiteURL.yearParameter)]
    case .settlementFeed(let code): ["settlement-sources", code.component(SiteURL.codeParameter), "records"]
    case .settlements: ["settlements"]
    case .receiptVoid(let number): ["receipts", number.component(SiteURL.numberParameter), "void"]
    case .receiptReissue(let number): ["receipts", number.component(SiteURL.numberParameter), "reissue"]
    case .corrections: ["corrections"]
    case .correction(let id): ["corrections", id.component(SiteURL.idParameter)]
    case .correctionDecision(let id): ["corrections", id.component(SiteURL.idParameter), "decision"]
    case .certificateWithdrawal(let number): ["certificates", number.component(SiteURL.numberParameter), "withdrawal"]
    case .refunds: ["refunds"]
    case .refund(let id): ["refunds", id.component(SiteURL.idParameter)]
    case .refundTransfer(let id): ["refunds", id.component(SiteURL.idParameter), "transfer"]
    case .claimRecovery(let id): ["claims", id.component(SiteURL.idParameter), "recovery"]
    case .recoveries: ["recoveries"]
    case .recovery(let id): ["recoveries", id.component(SiteURL.idParameter)]
    case .recoveryRepayments(let id): ["recoveries", id.component(SiteURL.idParameter), "repayments"]
    }
  }
}

/// What a route asks of its caller, kept on the route so that a test can try every route
/// with every role that lacks it.
public struct RoutePermissions: Sendable, Hashable {
  public static let key = "huzhu.permissions"
  /// Any one of these will do.
  public let anyOf: Set<Permission>
}

extension RoutesBuilder {
  /// Registers `handler` for `url`, refusing (403) anyone whose roles lack `permission`.
  /// Every operator route names its permission here, so the table of who may do what is
  /// readable from the controllers' `register` functions.
  @discardableResult
  func on<Response: AsyncResponseEncodable>(
    _ method: HTTPMethod, _ url: SiteURL, requires permission: Permission,
    body: HTTPBodyStreamStrategy = .collect,
    use handler: @Sendable @escaping (Request) async throws -> Response
  ) -> Route {
    let route = on(method, url.pathComponents, body: body) { request in
      try request.require(permission)
      return try await handler(request)
    }
    route.userInfo[RoutePermissions.key] = RoutePermissions(anyOf: [permission])
    return route
  }

  /// For the few pages two roles share (the accounts page: system and security administrators).
  @discardableResult
  func on<Response: AsyncResponseEncodable>(
    _ method: HTTPMethod, _ url: SiteURL, requiresAnyOf permissions: Set<Permission>,
    use handler: @Sendable @escaping (Request) async throws -> Response
  ) -> Route {
    let route = on(method, url.pathComponents) { request in
      guard let account = request.operatorAccount else { throw APIError.unauthorized }
      guard !permissions.isDisjoint(with: account.account.permissions) else { throw APIError.forbidden }
      return try await handler(request)
    }
    route.userInfo[RoutePermissions.key] = RoutePermissions(anyOf: permissions)
    return route
  }

  @discardableResult
  func get<Response: AsyncResponseEncodable>(
    _ url: SiteURL, requires permission: Permission, use handler: @Sendable @escaping (Request) async throws -> Response
  ) -> Route {
    on(.GET, url, requires: permission, use: handler)
  }

  @discardableResult
  func post<Response: AsyncResponseEncodable>(
    _ url: SiteURL, requires permission: Permission, use handler: @Sendable @escaping (Request) async throws -> Response
  ) -> Route {
    on(.POST, url, requires: permission, use: handler)
  }

  @discardableResult
  func put<Response: AsyncResponseEncodable>(
    _ url: SiteURL, requires permission: Permission, use handler: @Sendable @escaping (Request) async throws -> Response
  ) -> Route {
    on(.PUT, url, requires: permission, use: handler)
  }

  @discardableResult
  func get<Response: AsyncResponseEncodable>(
    _ url: SiteURL, use handler: @Sendable @escaping (Request) async throws -> Response
  ) -> Route {
    get(url.pathComponents, use: handler)
  }

  @discardableResult
  func post<Response: AsyncResponseEncodable>(
    _ url: SiteURL, use handler: @Sendable @escaping (Request) async throws -> Response
  ) -> Route {
    post(url.pathComponents, use: handler)
  }

  @discardableResult
  func put<Response: AsyncResponseEncodable>(
    _ url: SiteURL, use handler: @Sendable @escaping (Request) async throws -> Response
  ) -> Route {
    put(url.pathComponents, use: handler)
  }
}

extension Request {
  /// A typed identifier from the `:id` path parameter; 404 when it is not a UUID, since no
  /// record can have such an address.
  func identifier<Entity>(_ type: Entity.Type = Entity.self) throws -> Identifier<Entity> {
    guard let text = parameters.get(SiteURL.idParameter), let id = Identifier<Entity>(text) else {
      throw APIError.notFound
    }
    return id
  }

  /// A typed identifier from a named path parameter.
  func identifier<Entity>(_ name: String, _ type: Entity.Type = Entity.self) throws -> Identifier<Entity> {
    guard let text = parameters.get(name), let id = Identifier<Entity>(text) else { throw APIError.notFound }
    return id
  }

  /// A text path parameter (a document number, a scheme code).
  func pathText(_ name: String) throws -> String {
    guard let text = parameters.get(name), !text.isEmpty else { throw APIError.notFound }
    return text
  }
}
