import Foundation
import HuzhuCore
import HuzhuPersistence

/// The worker's own side (the portal): their cover and certificates, their claims and the
/// messages about them, and a claim of their own. Everything is read by the signed-in worker's
/// id, never by anything they typed; the schemes are those serving the worker's node.
public struct Portal: Sendable {
  let services: AppServices
  let worker: Worker.ID

  public init(_ services: AppServices, worker: Worker.ID) {
    self.services = services
    self.worker = worker
  }

  var registry: FluentRegistryStore { FluentRegistryStore(database: services.database) }

  /// The worker, the node whose area they are in (their unit's, or the node keeping their
  /// record), and the schemes serving it.
  struct Standing {
    let worker: Worker
    let node: Organisation?
    let schemes: FluentSchemeStore
  }

  /// Read once per use case: the worker, their unit, and the node's lineage (one walk up, not
  /// the whole tree).
  func standing() async throws -> Standing? {
    guard let worker = try await registry.worker(worker) else { return nil }
    let unit = try await worker.unitID.asyncMap { try await registry.unit($0) } ?? nil
    let lineage =
      try await (unit?.organisationID ?? worker.homeOrganisationID).asyncMap { try await registry.lineage(of: $0) }
      ?? []
    return Standing(
      worker: worker, node: lineage.first,
      schemes: FluentSchemeStore(
        database: services.database, reach: SchemeReach(owners: Set(lineage.map(\.id)))))
  }

  /// ``standing()``, or not found when the worker is no longer registered.
  func requiredStanding() async throws -> Standing {
    guard let standing = try await standing() else { throw UseCaseError.notFound }
    return standing
  }

  public struct Home: Sendable {
    public let worker: Worker
    public let enrollments: [Enrollment]
    public let claims: [(claim: ClaimRecord, messages: [OutboxMessage])]
    public let schemeNames: [String: String]
  }

  /// Nil when the worker is no longer registered (the session should end).
  public func home() async throws -> Home? {
    guard let standing = try await standing() else { return nil }
    let enrollments = try await FluentEnrollmentStore(database: services.database).enrollments(worker: worker)
    let claimStore = FluentClaimStore(database: services.database)
    var claims: [(ClaimRecord, [OutboxMessage])] = []
    for claim in try await claimStore.claims(worker: worker) {
      claims.append((claim, try await claimStore.outbox(claim: claim.id)))
    }
    var names: [String: String] = [:]
    for scheme in try await standing.schemes.schemes() { names[scheme.code] = scheme.definition.scheme.name }
    return Home(worker: standing.worker, enrollments: enrollments, claims: claims, schemeNames: names)
  }

  /// One of the worker's own claims with what the portal shows of it.
  public struct ClaimView: Sendable {
    public let worker: Worker
    public let claim: ClaimRecord
    public let messages: [OutboxMessage]
    /// The note of the latest refusal (its reason and words), while refused.
    public let refusal: String?
    /// When the claim was decided (its latest approval or refusal), if it was.
    public let decidedAt: Date?
    public let schemeName: String
    /// The office handling it (the claim's node), for the letter's heading and the appeal route.
    public let office: Organisation?
    /// The worker's consent to telling the claim as a story, if they gave one.
    public let storyConsent: StoryConsent?
  }

  /// The claim, if it is the worker's own (another's does not exist here).
  public func claim(_ id: ClaimRecord.ID) async throws -> ClaimView {
    try await claim(id, standing: try await requiredStanding())
  }

  func claim(_ id: ClaimRecord.ID, standing: Standing) async throws -> ClaimView {
    let store = FluentClaimStore(database: services.database)
    guard let claim = try await store.claim(id), claim.workerID == worker else { throw UseCaseError.notFound }
    let history = try await store.history(of: id)
    let decision = history.last { $0.to == .approved || $0.to == .rejected }
    let scheme = try await standing.schemes.scheme(code: claim.schemeCode)
    return ClaimView(
      worker: standing.worker, claim: claim, messages: try await store.outbox(claim: id),
      refusal: claim.state == .rejected ? history.last(where: { $0.to == .rejected })?.note : nil,
      decidedAt: decision?.at, schemeName: scheme?.definition.scheme.name ?? claim.schemeCode,
      office: try await claim.organisationID.asyncMap { try await registry.organisation($0) } ?? nil,
      storyConsent: claim.state == .paid ? try await FluentStoryStore(database: services.database).consent(of: id) : nil
    )
  }

  /// The worker's appeal of a decision (a refusal, or an approval not yet paid): once, with a
  /// reason; the claim goes back to review, the same step as at the window.
  public func appeal(_ id: ClaimRecord.ID, reason: String, address: String?) async throws -> ClaimRecord {
    let standing = try await requiredStanding()
    let view = try await claim(id, standing: standing)
    guard let scheme = try await standing.schemes.scheme(code: view.claim.schemeCode) else {
      throw ClaimContexts.unknownScheme(view.claim.schemeCode)
    }
    let reason = String(reason.trimmingCharacters(in: .whitespacesAndNewlines).prefix(500))
    let context = try await ClaimContexts(services: services, actor: .system()).context(
      scheme: try scheme.compiled(),
      as: ClaimActor(
        accountID: .init(worker.rawValue), name: "\(view.worker.name)（本人网上申诉）",
        organisationKind: view.office?.kind ?? .cityFederation, organisationID: view.office?.id),
      address: address)
    let (record, _) = try await FluentClaimStore(database: services.database).perform(
      .appeal(reason: reason), on: id, context: context)
    try await AuditWriter(services).record(
      .dataChange, actor: "worker:\(worker)", organisation: view.office?.id, subject: "claim:\(id)",
      detail: "appeal by the worker", address: address)
    return record
  }

  /// The worker gives (or takes back) consent to telling their paid claim as an anonymised
  /// story; audited. Taking it back takes a published story down at once.
  public func consentToStory(_ id: ClaimRecord.ID, _ given: Bool, address: String?) async throws -> StoryConsent? {
    let view = try await claim(id)
    let store = FluentStoryStore(database: services.database)
    let consent: StoryConsent?
    if given {
      guard StoryConsent.mayConsent(to: view.claim) else {
        throw ValidationFailure([
          FieldError(
            field: "consent", code: "not_paid",
            message: LocalizedText(zh: "互助金支付后才能同意展示案例", en: "a story can be told once the claim is paid"))
        ])
      }
      consent = try await store.consent(to: view.claim, by: "本人网上同意", at: Date())
    } else {
      consent = try await store.withdraw(id, at: Date())
    }
    try await AuditWriter(services).record(
      .dataChange, actor: "worker:\(worker)", organisation: view.office?.id, subject: "claim:\(id)",
      detail: given ? "story consent given" : "story consent withdrawn", address: address)
    return consent
  }

  /// A product the worker may join online on their own: one whose rule version takes
  /// individuals, of a scheme serving the worker's node.
  public struct Offer: Sendable {
    public let schemeCode: String
    public let schemeName: String
    public let productCode: String
    public let productName: String
  }

  /// What the worker may join online: nothing for someone employed by a member unit (the unit
  /// enrolls its people), the individual products otherwise.
  public func offers() async throws -> [Offer] {
    guard let standing = try await standing() else { return [] }
    return try await offers(standing)
  }

  func offers(_ standing: Standing) async throws -> [Offer] {
    guard standing.worker.unitID == nil else { return [] }
    return try await standing.schemes.schemes().flatMap { scheme in
      scheme.definition.products.filter(\.takesIndividuals).map {
        Offer(
          schemeCode: scheme.code, schemeName: scheme.definition.scheme.name, productCode: $0.code,
          productName: $0.name)
      }
    }
  }

  /// The worker joins a product on their own, from the server's day, paying it all; the bill
  /// waits for the window or a payment file, and the cover begins once it is paid (the same
  /// rules as at the window: the version must take individuals, the person must qualify).
  public func enroll(scheme code: String, product: String, address: String?) async throws -> EnrollmentPlan {
    let standing = try await requiredStanding()
    guard try await offers(standing).contains(where: { $0.schemeCode == code && $0.productCode == product }),
      let stored = try await standing.schemes.scheme(code: code)
    else {
      throw ValidationFailure([
        FieldError(
          field: "product", code: "not_offered",
          message: LocalizedText(
            zh: "该项目不接受个人网上参保（在职单位职工由单位统一办理）",
            en: "this product is not open to individuals online (a member unit enrolls its people)"))
      ])
    }
    let plan = try await FluentEnrollmentStore(database: services.database).enroll(
      EnrollmentOrder(
        schemeCode: code, productCode: product, periodStart: services.today, unitID: nil, workerIDs: [worker],
        shares: 1, split: PayerSplitRule(), requestDate: services.today),
      scheme: try stored.compiled())
    try await AuditWriter(services).record(
      .dataChange, actor: "worker:\(worker)", organisation: standing.node?.id, subject: "bill:\(plan.bill.number)",
      detail: "individual enrollment online: \(code)/\(product)", address: address)
    return plan
  }

  /// The worker's bills still waiting for payment, with what is due.
  public func unpaidBills() async throws -> [Bill] {
    let store = FluentEnrollmentStore(database: services.database)
    var bills: [Bill] = []
    for billID in Set(
      try await store.enrollments(worker: worker).filter { $0.status == .awaitingPayment }.map(\.billID))
    {
      if let bill = try await store.bill(billID) { bills.append(bill) }
    }
    return bills.sorted { $0.number < $1.number }
  }

  /// The bank account the worker is paid to, and a change waiting for its code, if any.
  public func bankAccount() async throws -> (worker: Worker, pending: MemberBankAccount?) {
    let standing = try await requiredStanding()
    return (
      standing.worker, try await FluentAccountChangeStore(database: services.database).pending(for: worker, at: Date())
    )
  }

  /// The worker asks to be paid to another account: checked, then a code goes to their
  /// registered phone (the id of its message, to send at once); nil when one was asked for
  /// within the minute. Nothing changes until the code comes back.
  public func requestAccountChange(bankName: String, account: String, address: String?) async throws
    -> OutgoingMessage.ID?
  {
    guard let standing = try await standing(), let phone = standing.worker.phone, !phone.isEmpty else {
      throw UseCaseError.notFound
    }
    let checked = try MemberBankAccount.checked(bankName: bankName, account: account)
    let code = PortalSignIn.newCode()
    let now = Date()
    let message = OutgoingMessage.accountCode(
      code, accountTail: String(checked.account.suffix(4)), phone: phone, organisationID: standing.node?.id,
      workerID: worker, at: now)
    let stored = try await FluentAccountChangeStore(database: services.database).request(
      checked, for: standing.worker, organisation: standing.node?.id,
      codeHash: PortalCodes.hash("account:\(code)", for: worker), message: message, at: now)
    try await AuditWriter(services).record(
      .dataChange, actor: "worker:\(worker)", organisation: standing.node?.id, subject: "worker:\(worker)",
      detail: stored
        ? "bank account change asked for: \(checked.bankName) ****\(checked.account.suffix(4))"
        : "bank account change asked for again within the minute", address: address)
    return stored ? message.id : nil
  }

  /// Applies the waiting change when the code is right (once, within ten minutes and five
  /// tries); audited either way, the old and new accounts by their last four digits. The
  /// member gets a text saying the account changed.
  public func confirmAccountChange(code: String, address: String?) async throws -> MemberBankAccount? {
    let standing = try await requiredStanding()
    var changed: (before: MemberBankAccount?, after: MemberBankAccount)?
    if PortalSignIn.isWellFormed(code) {
      let node = standing.node?.id
      let worker = self.worker
      changed = try await FluentAccountChangeStore(database: services.database).confirm(
        for: worker, codeHash: PortalCodes.hash("account:\(code)", for: worker),
        notice: { account, phone in
          .accountChanged(
            accountTail: String(account.account.suffix(4)), phone: phone, organisationID: node, workerID: worker,
            at: Date())
        }, at: Date())
    }
    func tail(_ account: MemberBankAccount?) -> String { account.map { "****" + $0.account.suffix(4) } ?? "—" }
    try await AuditWriter(services).record(
      .dataChange, actor: "worker:\(worker)", organisation: standing.node?.id, subject: "worker:\(worker)",
      detail: changed.map {
        "bank account changed by the worker, confirmed by code: \($0.before?.bankName ?? "—") \(tail($0.before)) → "
          + "\($0.after.bankName) \(tail($0.after))"
      } ?? "bank account change: wrong code", address: address)
    return changed?.after
  }

  /// One of the worker's own certificates (the e-certificate); another's does not exist here.
  public func certificate(number: String) async throws -> Certificate {
    guard let certificate = try await FluentEnrollmentStore(database: services.database).certificate(number: number),
      certificate.enrollment.workerID == worker
    else { throw UseCaseError.notFound }
    return certificate
  }

  /// The schemes the worker holds paid cover in, for the claim form.
  public func intakeChoices() async throws -> Claims.IntakeChoices? {
    guard let standing = try await standing() else { return nil }
    let codes = Set(
      try await FluentEnrollmentStore(database: services.database).enrollments(worker: worker)
        .filter { $0.status == .active }.map(\.schemeCode))
    var offered: [(code: String, name: String)] = []
    for code in codes.sorted() {
      guard let scheme = try await standing.schemes.scheme(code: code) else { continue }
      offered.append((code, scheme.definition.scheme.name))
    }
    return Claims.IntakeChoices(worker: standing.worker, schemes: offered)
  }

  /// The node whose audit administrators read the worker's portal events.
  public func node() async throws -> Organisation.ID? { try await standing()?.node?.id }

  /// A claim by the worker: received today (nothing typed in the portal sets a date), the same
  /// intake as at the window; submitted at once when the scans cover the checklist, otherwise
  /// left for the window to complete.
  public func apply(_ intake: ClaimIntake, scheme code: String, scans: [Claims.Scan], address: String?)
    async throws -> ClaimRecord
  {
    let standing = try await requiredStanding()
    let checked = try Claims.check(scans).get()
    guard let scheme = try await standing.schemes.scheme(code: code) else { throw ClaimContexts.unknownScheme(code) }
    var documents: [ClaimRequest.Document] = []
    for (scan, format) in checked {
      documents.append(
        .init(
          kind: scan.kind, fileName: scan.fileName ?? scan.kind, format: format, size: scan.bytes.count,
          sha256: try await Documents(services).store(scan.bytes)))
    }
    var intake = intake
    intake.event.claimDate = services.today
    let context = try await ClaimContexts(services: services, actor: .system()).context(
      scheme: try scheme.compiled(),
      as: ClaimActor(
        accountID: .init(worker.rawValue), name: "\(standing.worker.name)（本人网上申请）",
        organisationKind: standing.node?.kind ?? .cityFederation, organisationID: standing.node?.id),
      address: address)
    let record = try await FluentClaimStore(database: services.database).open(
      [ClaimRequest(workerID: worker, intake: intake, channel: .selfService, documents: documents)],
      submitWhenComplete: true, context: context)[0]
    try await AuditWriter(services).record(
      .dataChange, actor: "worker:\(worker)", organisation: standing.node?.id, subject: "claim:\(record.id)",
      detail: "self-service claim", address: address)
    return record
  }
}

/// Signing in to the portal: the ID number and the phone the worker's unit registered, then a
/// one-time code sent to that phone (``PortalSignIn`` makes and checks the codes).
public struct PortalCodes: Sendable {
  let services: AppServices

  public init(_ services: AppServices) {
    self.services = services
  }

  var store: FluentPortalStore { FluentPortalStore(database: services.database) }

  static func hash(_ code: String, for worker: Worker.ID) -> String {
    Documents.checksum(Data("\(worker):\(code)".utf8))
  }

  /// The worker the ID number and phone name together, with the text message of a new code
  /// queued (nil when one was sent within the minute and no new one went); nil when they do not
  /// match, which is audited without saying whether the ID number exists.
  public func send(idNumber: String, phone: String, address: String?) async throws -> (
    worker: Worker, message: OutgoingMessage.ID?
  )? {
    guard case .success(let number) = ResidentIDNumber.validate(idNumber.trimmingCharacters(in: .whitespaces)),
      let worker = try await store.worker(idNumber: number, phone: phone)
    else {
      try await AuditWriter(services).record(
        .portalLogin, actor: "portal", organisation: nil, subject: "portal", detail: "no match", address: address)
      return nil
    }
    let code = PortalSignIn.newCode()
    let now = Date()
    let node = try await Portal(services, worker: worker.id).node()
    let message = OutgoingMessage.portalCode(
      code, phone: worker.phone ?? "", organisationID: node, workerID: worker.id, at: now)
    let sent = try await store.issue(codeHash: Self.hash(code, for: worker.id), message: message, to: worker, at: now)
    return (worker, sent ? message.id : nil)
  }

  /// Whether the code signs the worker in (once, within its time and tries); audited either way.
  public func redeem(_ code: String, for worker: Worker.ID, address: String?) async throws -> Bool {
    let node = try await Portal(services, worker: worker).node()
    var redeemed = false
    if PortalSignIn.isWellFormed(code) {
      redeemed = try await store.redeem(codeHash: Self.hash(code, for: worker), for: worker, at: Date())
    }
    try await AuditWriter(services).record(
      .portalLogin, actor: "worker:\(worker)", organisation: node, subject: "worker:\(worker)",
      detail: redeemed ? "signed in" : "wrong code", address: address)
    return redeemed
  }
}
