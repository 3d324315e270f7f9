import Foundation
import HuzhuCore
import HuzhuPersistence

/// Claims from intake to decision: the queue, a claim with its papers, intake at the window or
/// through the API (with the scans), changes to the facts, scans added later, the workflow's
/// actions and adjustments. Payment batches are ``Payments``'; the worker's own claims are the
/// portal's.
public struct Claims: UseCase {
  let services: AppServices
  let actor: Actor

  public init(_ services: AppServices, actor: Actor) {
    self.services = services
    self.actor = actor
  }

  var contexts: ClaimContexts { ClaimContexts(services: services, actor: actor) }

  // MARK: Reading

  /// Claims in these states, expedited first, then soonest due.
  public func queue(states: Set<ClaimState>, scheme: String?, narrowedTo: QueueNarrowing?, page: PageQuery)
    async throws -> PagedResult<ClaimRecord>
  {
    try actor.require(.viewClaims)
    return try await claimStore.queue(states: states, scheme: scheme, narrowedTo: narrowedTo, page: page)
  }

  /// One line of the work queue: the claim with its member's and unit's names, and the
  /// reviewer it was given to.
  public struct QueueEntry: Sendable {
    public let claim: ClaimRecord
    public let memberName: String?
    public let unitName: String?
    public var assignee: ClaimAssignee? = nil
  }

  /// A page of the work queue as staff read it.
  public struct QueuePage: Sendable {
    public let entries: PagedResult<QueueEntry>
    /// The search matched more people than one search reads (only the first are shown).
    public let searchCut: Bool
  }

  /// The claims `query` picks, each with whose and which unit's it is. `search` narrows them
  /// to a claim number typed whole, or to the members whose name, ID number or phone match
  /// as the worker search matches them (its first ``PageQuery/maximumPerPage``).
  public func queue(_ query: ClaimQueueQuery, search: String?, page: PageQuery) async throws -> QueuePage {
    try actor.require(.viewClaims)
    var query = query
    var searchCut = false
    let typed = search?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    if DocumentKind.claim.looksLikeNumber(typed) {
      query.number = typed.uppercased()
    } else if !typed.isEmpty {
      let found = try await registryStore.searchWorkers(
        matching: typed, page: PageQuery(page: 1, per: PageQuery.maximumPerPage))
      guard !found.items.isEmpty else {
        return QueuePage(entries: PagedResult(items: [], request: page, total: 0), searchCut: false)
      }
      query.members = found.items.map(\.id)
      searchCut = found.total > found.items.count
    }
    let claims = try await claimStore.queue(query, page: page)
    let workers = try await registryStore.workers(Array(Set(claims.items.map(\.workerID))))
    let units = try await registryStore.units(Array(Set(claims.items.compactMap(\.unitID))))
    let assignees = try await claimStore.assignees(of: claims.items.map(\.id))
    let entries = claims.items.map { claim in
      QueueEntry(
        claim: claim, memberName: workers[claim.workerID]?.name, unitName: claim.unitID.flatMap { units[$0]?.name },
        assignee: assignees[claim.id])
    }
    return QueuePage(entries: PagedResult(items: entries, request: page, total: claims.total), searchCut: searchCut)
  }

  // MARK: Sharing out review

  /// The reviewers the actor may give claims to: enabled accounts that review claims, at the
  /// nodes of the actor's area, by name.
  public func reviewers() async throws -> [UserAccount] {
    try actor.require(.assignClaims)
    return try await FluentAccountStore(database: services.database).accounts()
      .filter { ClaimAssignment.mayReceive($0, within: actor.scope) }
      .sorted { $0.displayName < $1.displayName }
  }

  /// Gives the claims (at most ``ClaimAssignment/limit``) to a reviewer of the actor's area, or
  /// takes them back when `reviewer` is nil: all in one transaction, audited. Returns how many
  /// changed hands.
  public func assign(_ ids: [ClaimRecord.ID], to reviewer: UserAccount.ID?) async throws -> Int {
    try actor.require(.assignClaims)
    let ids = Array(Set(ids))
    guard (1...ClaimAssignment.limit).contains(ids.count) else {
      throw ValidationFailure([
        FieldError(
          field: "claims", code: ids.isEmpty ? "none_chosen" : "too_many",
          message: ids.isEmpty
            ? LocalizedText(zh: "请先勾选要分派的申请", en: "tick the claims to assign first")
            : LocalizedText(
              zh: "一次最多分派 \(ClaimAssignment.limit) 件", en: "assign at most \(ClaimAssignment.limit) at a time"))
      ])
    }
    var assignee: ClaimAssignee? = nil
    if let reviewer {
      guard let account = try await FluentAccountStore(database: services.database).account(reviewer),
        ClaimAssignment.mayReceive(account, within: actor.scope)
      else {
        throw ValidationFailure([
          FieldError(
            field: "reviewer", code: "unknown_reviewer",
            message: LocalizedText(zh: "请选择本级的审核人员", en: "choose a reviewer of this area"))
        ])
      }
      assignee = ClaimAssignee(
        accountID: account.id, name: account.displayName, assignedBy: actor.name, assignedAt: Date())
    }
    let changed = try await claimStore.assign(ids, to: assignee, by: actor.claimActor, address: actor.address)
    try await audit.record(
      .dataChange, subject: "claims",
      detail: assignee.map { "\(changed)/\(ids.count) claims assigned to \($0.name)" }
        ?? "\(changed)/\(ids.count) claims taken back from their reviewers")
    return changed
  }

  /// A claim as staff see it, and what the actor may do with it now.
  public struct Detail: Sendable {
    public let claim: ClaimRecord
    public let worker: Worker?
    public let documents: [ClaimDocument]
    public let history: [ClaimHistoryEntry]
    public let outbox: [OutboxMessage]
    /// The workflow's actions this actor is offered (``ClaimState/actions(offeredTo:)``).
    public let actions: [ClaimActionName]
    /// Whether this actor may add a scan now.
    public let takesDocuments: Bool
    /// The settlement record a one-stop claim was made from.
    public let settlement: StoredSettlement?
    /// The recovery of a paid claim found wrong, if one was opened.
    public let recovery: Recovery?
    /// Whether this actor may open a recovery of it (a paid claim without one).
    public let mayOpenRecovery: Bool
    /// Whether this actor may set the amount to pay now (a reviewer, during review).
    public let mayAdjust: Bool
    /// The worker's consent to telling a paid claim as a story, if recorded.
    public let storyConsent: StoryConsent?
    /// Whether this actor may record that consent from the signed form (the window, once paid).
    public let mayRecordStoryConsent: Bool
  }

  public func detail(_ id: ClaimRecord.ID) async throws -> Detail {
    try actor.require(.viewClaims)
    guard let detail = try await claimStore.detail(id) else { throw UseCaseError.notFound }
    let claim = detail.claim
    let permissions = actor.account?.permissions ?? Set(Permission.allCases)
    let recovery = claim.state == .paid ? try await claimStore.recovery(ofClaim: id) : nil
    try await audit.record(
      .personalDataView, subject: "claim:\(claim.id)",
      detail: "\(claim.number): diagnosis, hospital, costs, member's details, documents")
    return Detail(
      claim: claim, worker: try await registryStore.worker(claim.workerID), documents: detail.documents,
      history: detail.history, outbox: detail.outbox, actions: claim.state.actions(offeredTo: permissions),
      takesDocuments: claim.state.takesDocuments && actor.may(.intakeClaims),
      settlement: claim.channel == .settlement ? try await settlementStore.settlement(claim: id) : nil,
      recovery: recovery,
      mayOpenRecovery: claim.state == .paid && recovery == nil
        && (actor.may(.approveClaims) || actor.may(.keepFundLedger)),
      mayAdjust: claim.state.isAdjustable && actor.may(.adjustClaims),
      storyConsent: StoryConsent.mayConsent(to: claim)
        ? try await FluentStoryStore(database: services.database).consent(of: id) : nil,
      mayRecordStoryConsent: StoryConsent.mayConsent(to: claim) && actor.may(.intakeClaims))
  }

  public func claim(_ id: ClaimRecord.ID) async throws -> ClaimRecord {
    try actor.require(.viewClaims)
    guard let claim = try await claimStore.claim(id) else { throw UseCaseError.notFound }
    return claim
  }

  public func documents(of id: ClaimRecord.ID) async throws -> [ClaimDocument] {
    _ = try await claim(id)
    return try await claimStore.documents(of: id)
  }

  /// A scan and its bytes, when its claim is in the actor's area.
  public func document(_ id: ClaimDocument.ID) async throws -> (document: ClaimDocument, data: Data) {
    try actor.require(.viewClaims)
    guard let document = try await claimStore.document(id) else { throw UseCaseError.notFound }
    let data = try services.documents.load(sha256: document.sha256)
    try await audit.record(
      .personalDataView, subject: "document:\(id)",
      detail: "scan \(document.kind) \(document.fileName) of claim:\(document.claimID)")
    return (document, data)
  }

  // MARK: Intake

  /// The member a claim names: by worker id, ID number or certificate number, within the
  /// actor's area.
  public func member(worker: Worker.ID?, idNumber: String?, certificateNumber: String?) async throws -> Worker.ID {
    if let worker, try await registryStore.worker(worker) != nil { return worker }
    if let idNumber {
      guard case .success(let number) = ResidentIDNumber.validate(idNumber) else {
        throw ValidationFailure([
          FieldError(
            field: "idNumber", code: "invalid_id_number",
            message: LocalizedText(zh: "身份证号码无效", en: "not a valid ID number"))
        ])
      }
      if let found = try await registryStore.worker(idNumber: number) { return found.id }
    }
    if let certificateNumber, let holder = try await enrollmentStore.holder(ofCertificate: certificateNumber) {
      return holder
    }
    throw ValidationFailure([Self.unknownMember])
  }

  static let unknownMember = FieldError(
    field: "workerId", code: "unknown_member",
    message: LocalizedText(
      zh: "请用职工编号、身份证号或保障书编号指明参保人", en: "name the member by worker id, ID number or certificate number"))

  /// What the intake form needs: the member, and the schemes they hold paid cover in.
  public struct IntakeChoices: Sendable {
    public let worker: Worker
    public let schemes: [(code: String, name: String)]
  }

  public func intakeChoices(for id: Worker.ID) async throws -> IntakeChoices {
    try actor.require(.intakeClaims)
    guard let worker = try await registryStore.worker(id) else { throw UseCaseError.notFound }
    let enrollments = enrollmentStore
    let codes = Set(try await enrollments.enrollments(worker: id).filter { $0.status == .active }.map(\.schemeCode))
    let schemes = schemeStore
    var offered: [(code: String, name: String)] = []
    for code in codes.sorted() {
      guard let scheme = try await schemes.scheme(code: code) else { continue }
      offered.append((code, scheme.definition.scheme.name))
    }
    return IntakeChoices(worker: worker, schemes: offered)
  }

  /// A scan as received: what it is (`invoice`…), its name, its bytes.
  public struct Scan: Sendable {
    public let kind: String
    public let fileName: String?
    public let bytes: Data

    public init(kind: String, fileName: String?, bytes: Data) {
      self.kind = kind
      self.fileName = fileName
      self.bytes = bytes
    }
  }

  /// Every scan's format, or every scan's problem under `scan_<kind>`: checked before anything
  /// is written.
  public static func check(_ scans: [Scan]) -> Result<[(Scan, DocumentFormat)], ValidationFailure> {
    var checked: [(Scan, DocumentFormat)] = []
    var errors: [FieldError] = []
    for scan in scans {
      switch DocumentFormat.detect(scan.bytes) {
      case .success(let format): checked.append((scan, format))
      case .failure(let problem):
        errors.append(FieldError(field: "scan_\(scan.kind)", code: problem.code, message: problem.message))
      }
    }
    return errors.isEmpty ? .success(checked) : .failure(ValidationFailure(errors))
  }

  static let receiptDate = LocalizedText(zh: "受理日期", en: "receipt date")

  /// Opens a claim (a draft, calculated, duplicates flagged) for `worker` under `scheme`,
  /// received today, or on an earlier day the actor may record with a reason; then attaches
  /// the scans (all checked first).
  public func open(
    _ intake: ClaimIntake, receivedOn requested: CalendarDate?, reason: String?, for worker: Worker.ID,
    scheme: String, channel: ClaimChannel, expedited: Bool, scans: [Scan] = []
  ) async throws -> ClaimRecord {
    try actor.require(.intakeClaims)
    try Self.check(channel)
    let checked = try Self.check(scans).get()
    let context = try await contexts.context(scheme: scheme)
    let received = try actor.recorded(
      requested, reason: reason, today: context.today, field: "event.claimDate", what: Self.receiptDate)
    var intake = intake
    intake.event.claimDate = received.date
    var record = try await claimStore.open(
      intake, for: worker, channel: channel, expedited: expedited, context: context)
    try await audit.earlierDate(
      received, subject: "claim:\(record.id)", what: "received on")
    for (scan, format) in checked {
      record = try await attach(scan, format: format, to: record.id, context: context).record
    }
    return record
  }

  /// Only a settlement record makes a one-stop claim (``Settlements``): it stands for papers.
  static func check(_ channel: ClaimChannel) throws {
    guard channel != .settlement else {
      throw ValidationFailure([
        FieldError(
          field: "channel", code: "invalid_channel",
          message: LocalizedText(zh: "一站式结算申请只能由结算数据生成", en: "one-stop claims are made from settlement data only"))
      ])
    }
  }

  // MARK: Bulk intake

  /// One claim of a batch: the member (by worker id, ID number or certificate number, as
  /// ``member(worker:idNumber:certificateNumber:)`` finds them) and the facts.
  public struct BatchClaim: Sendable {
    public let worker: Worker.ID?
    public let idNumber: String?
    public let certificateNumber: String?
    public let intake: ClaimIntake
    /// An earlier day of receipt, with the reason (as for one claim); nil: today.
    public let receivedOn: CalendarDate?
    public let reason: String?
    public let expedited: Bool

    public init(
      worker: Worker.ID?, idNumber: String?, certificateNumber: String?, intake: ClaimIntake,
      receivedOn: CalendarDate?, reason: String?, expedited: Bool
    ) {
      self.worker = worker
      self.idNumber = idNumber
      self.certificateNumber = certificateNumber
      self.intake = intake
      self.receivedOn = receivedOn
      self.reason = reason
      self.expedited = expedited
    }
  }

  /// The most claims one batch may bring: a unit's month, a partner system's hour.
  public static let batchLimit = 1_000

  /// Many claims in one go (a unit officer's batch, a partner system's file): every member
  /// found and every claim checked first, then all opened in one transaction through the
  /// batched claim path, or none. Errors name the claim by its 1-based `row` (as
  /// `claims[i].…`), all of them at once. Drafts, unless `submitWhenComplete`: then each claim
  /// whose documents are complete is submitted and its clock started.
  public func open(batch claims: [BatchClaim], scheme: String, channel: ClaimChannel, submitWhenComplete: Bool)
    async throws -> [ClaimRecord]
  {
    try actor.require(.intakeClaims)
    try Self.check(channel)
    guard (1...Self.batchLimit).contains(claims.count) else {
      throw ValidationFailure([
        FieldError(
          field: "claims", code: "batch_size",
          message: LocalizedText(
            zh: "一批应有 1–\(Self.batchLimit) 件申请", en: "a batch holds 1–\(Self.batchLimit) claims"))
      ])
    }
    let context = try await contexts.context(scheme: scheme)
    // The members named by worker id or certificate number found together; an ID number
    // (checked, then looked up) one at a time.
    let byID = try await registryStore.workers(Array(Set(claims.compactMap(\.worker))))
    let byCertificate = try await enrollmentStore.holders(
      ofCertificates: claims.filter { $0.idNumber == nil }.compactMap(\.certificateNumber))
    var errors: [FieldError] = []
    var requests: [ClaimRequest] = []
    var earlier: [(RecordedDate, Int)] = []
    for (index, claim) in claims.enumerated() {
      let rowErrors = errors.count
      var worker = claim.worker.flatMap { byID[$0]?.id }
      if worker == nil, claim.idNumber == nil, let certificate = claim.certificateNumber {
        worker = byCertificate[certificate.trimmingCharacters(in: .whitespaces).uppercased()]
        if worker == nil { errors.append(Self.unknownMember.inClaim(index)) }
      } else if worker == nil, claim.idNumber != nil {
        do {
          worker = try await member(worker: nil, idNumber: claim.idNumber, certificateNumber: claim.certificateNumber)
        } catch let failure as ValidationFailure {
          errors += failure.errors.map { $0.inClaim(index) }
        }
      } else if worker == nil {
        errors.append(Self.unknownMember.inClaim(index))
      }
      var intake = claim.intake
      switch RecordedDate.resolve(
        claim.receivedOn, reason: claim.reason, today: context.today, mayRecordEarlier: actor.may(.recordEarlierDates),
        field: "event.claimDate", what: Self.receiptDate)
      {
      case .success(let received):
        intake.event.claimDate = received.date
        if received.earlierBecause != nil { earlier.append((received, index)) }
      case .failure(let failure):
        errors += failure.errors.map { $0.inClaim(index) }
      }
      errors += intake.validate(today: context.today).map { $0.inClaim(index) }
      if let worker, errors.count == rowErrors {
        requests.append(ClaimRequest(workerID: worker, intake: intake, channel: channel, expedited: claim.expedited))
      }
    }
    guard errors.isEmpty else { throw ValidationFailure(Self.listed(errors)) }
    // The store names a lone claim's errors as a single claim's; a batch's client sent a list.
    let records: [ClaimRecord]
    do {
      records = try await claimStore.open(requests, submitWhenComplete: submitWhenComplete, context: context)
    } catch let failure as ValidationFailure where requests.count == 1 {
      throw ValidationFailure(failure.errors.map { $0.row == nil ? $0.inClaim(0) : $0 })
    }
    for (received, index) in earlier {
      try await audit.earlierDate(received, subject: "claim:\(records[index].id)", what: "received on")
    }
    return records
  }

  /// The errors a batch's answer lists at most: enough to mend a file by, never an answer many
  /// times the size of the request.
  static let listedErrors = 500

  /// `errors`, the first ``listedErrors`` of them and then how many more there are.
  static func listed(_ errors: [FieldError]) -> [FieldError] {
    guard errors.count > listedErrors else { return errors }
    let more = errors.count - listedErrors
    return Array(errors.prefix(listedErrors)) + [
      FieldError(
        field: "claims", code: "more_errors",
        message: LocalizedText(zh: "另有 \(more) 处错误未列出", en: "\(more) more errors not listed"))
    ]
  }

  /// New facts for a claim not yet decided; recalculated. It keeps the day it was received,
  /// unless an earlier one is recorded, with a reason.
  public func update(_ id: ClaimRecord.ID, intake: ClaimIntake, receivedOn requested: CalendarDate?, reason: String?)
    async throws -> ClaimRecord
  {
    try actor.require(.intakeClaims)
    let current = try await claim(id)
    let context = try await contexts.context(scheme: current.schemeCode)
    let kept = current.intake.event.claimDate
    let received =
      (requested ?? kept) == kept
      ? RecordedDate(date: kept, earlierBecause: nil)
      : try actor.recorded(
        requested, reason: reason, today: context.today, field: "event.claimDate", what: Self.receiptDate)
    var intake = intake
    intake.event.claimDate = received.date
    // A claim made from a settlement stays linked to it, whoever changes its facts.
    intake.settlement = current.intake.settlement
    let updated = try await claimStore.update(intake, of: id, context: context)
    try await audit.earlierDate(received, subject: "claim:\(id)", what: "received on")
    try await audit.record(
      .dataChange, subject: "claim:\(id)",
      detail: "\(current.number) facts changed: "
        + "\(FieldChanges.paths(current.intake, updated.intake).joined(separator: ", ")); "
        + "payable \(current.payable.decimalString) → \(updated.payable.decimalString)")
    return updated
  }

  /// Adds a scan, recognised by its content (PDF, JPEG, PNG, at most 10 MB) and stored by its
  /// SHA-256.
  public func attach(_ scan: Scan, to id: ClaimRecord.ID) async throws -> ClaimDocument {
    try actor.require(.intakeClaims)
    guard !scan.kind.isEmpty, scan.kind.count <= 40 else {
      throw ValidationFailure([
        FieldError(
          field: "kind", code: "kind_required",
          message: LocalizedText(zh: "请说明材料类别（如 invoice）", en: "say what the document is (e.g. invoice)"))
      ])
    }
    let (_, format) = try Self.check([scan]).get()[0]
    let current = try await claim(id)
    return try await attach(
      scan, format: format, to: id, context: try await contexts.context(scheme: current.schemeCode)
    )
    .document
  }

  private func attach(_ scan: Scan, format: DocumentFormat, to id: ClaimRecord.ID, context: ClaimContext)
    async throws -> (document: ClaimDocument, record: ClaimRecord)
  {
    let checksum = try await Documents(services).store(scan.bytes)
    let name = String(
      (scan.fileName.flatMap { $0.isEmpty ? nil : $0 } ?? "\(scan.kind).\(format.rawValue)").prefix(100))
    let document = ClaimDocument(
      claimID: id, kind: scan.kind, fileName: name, format: format, size: scan.bytes.count, sha256: checksum,
      uploadedBy: context.actor.name, uploadedAt: Date())
    let record = try await claimStore.attach(document, to: id, context: context)
    return (document, record)
  }

  // MARK: The workflow

  /// Takes a workflow action with all its effects; `changed` is false when it had been taken.
  public func act(_ name: ClaimActionName, note: String, rejectionReason: RejectionReason?, on id: ClaimRecord.ID)
    async throws -> (record: ClaimRecord, changed: Bool)
  {
    let action = ClaimAction(name, note: note.trimmingCharacters(in: .whitespaces), rejectionReason: rejectionReason)
    guard actor.account.map({ !action.permittedBy.isDisjoint(with: $0.permissions) }) ?? true else {
      throw UseCaseError.forbidden
    }
    let current = try await claim(id)
    let result = try await claimStore.perform(
      action, on: id, context: try await contexts.context(scheme: current.schemeCode))
    let changed = result.transition != .alreadyDone
    if changed {
      let reason = rejectionReason.map { " (\($0.rawValue))" } ?? ""
      try await audit.record(
        .dataChange, subject: "claim:\(id)",
        detail:
          "\(current.number) \(name.rawValue)\(reason): state \(current.state.rawValue) → \(result.record.state.rawValue)"
      )
    }
    return (result.record, changed)
  }

  /// Pays a different amount than calculated, with the reason.
  public func adjust(_ id: ClaimRecord.ID, to amount: Money, justification: String) async throws -> ClaimRecord {
    try actor.require(.adjustClaims)
    let current = try await claim(id)
    let context = try await contexts.context(scheme: current.schemeCode)
    let adjusted = try await claimStore.adjust(
      id, to: ClaimAdjustment(amount: amount, justification: justification, by: context.actor.name), context: context)
    try await audit.record(
      .dataChange, subject: "claim:\(id)",
      detail:
        "\(current.number) payable \(current.payable.decimalString) → \(adjusted.payable.decimalString): \(justification)"
    )
    return adjusted
  }

  // MARK: The working-day calendar

  /// The shipped holiday years with those staff entered or corrected on top.
  public func workingDayCalendar() async throws -> WorkingDayCalendar { try await contexts.calendar() }

  /// Enters or corrects a year's holiday notice (for example 2027's, once published).
  public func save(_ year: HolidayYear) async throws {
    try actor.require(.manageSchemes)
    try await claimStore.save(year, by: actor.name)
  }
}
