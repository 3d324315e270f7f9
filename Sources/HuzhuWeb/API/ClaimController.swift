import HuzhuApp
import HuzhuCore
import HuzhuPersistence
import HuzhuSpreadsheet
import Vapor

/// `/api/v1` endpoints for claims, their documents and workflow, payment batches, and the
/// holiday calendar. Every claim operation is by an operator: personal and medical data.
struct ClaimController {
  func register(authenticated routes: any RoutesBuilder) {
    routes.get(.api(.claims), requires: .viewClaims, use: listClaims)
    routes.post(.api(.claims), requires: .intakeClaims, use: openClaim)
    routes.get(.api(.claim(.key)), requires: .viewClaims, use: showClaim)
    routes.put(.api(.claimIntake(.key)), requires: .intakeClaims, use: updateIntake)
    routes.get(.api(.claimDocuments(.key)), requires: .viewClaims, use: listDocuments)
    routes.on(
      .POST, .api(.claimDocuments(.key)), requires: .intakeClaims, body: .collect(maxSize: "11mb"), use: uploadDocument)
    routes.get(.api(.document(.key)), requires: .viewClaims, use: downloadDocument)
    // Which action needs which permission is decided per action (see `act`).
    routes.post(.api(.claimActions(.key)), requires: .viewClaims, use: act)
    routes.post(.api(.claimAdjustment(.key)), requires: .adjustClaims, use: adjust)
    routes.post(.api(.paymentBatches), requires: .managePayments, use: createBatch)
    routes.get(.api(.paymentBatch(.key)), requires: .managePayments, use: showBatch)
    routes.get(.api(.paymentBatchExport(.key)), requires: .managePayments, use: exportBatch)
    routes.post(.api(.paymentBatchLine(.key, claim: .key)), requires: .managePayments, use: settleLine)
    routes.get(.api(.holidays), use: listHolidays)
    routes.put(.api(.holidayYear(.key)), requires: .manageSchemes, use: saveHolidayYear)
  }

  /// The work queue: `?queue=due_today|overdue|expedited|open` (open: every claim whose
  /// clock runs), or `?state=submitted,reviewed`; `?scheme=`; paginated, soonest due first.
  @Sendable func listClaims(_ request: Request) async throws -> PageResource<ClaimResource> {
    var states = ClaimDeadline.running
    if let text = request.query[String.self, at: "state"] {
      let parsed = text.split(separator: ",").map { ClaimState(rawValue: String($0)) }
      guard !parsed.isEmpty, parsed.allSatisfy({ $0 != nil }) else {
        let names = ClaimState.allCases.map(\.rawValue).joined(separator: ",")
        throw APIError.invalidQuery(
          "state", expected: LocalizedText(zh: "应取自：\(names)", en: "takes one or more of \(names)"))
      }
      states = Set(parsed.compactMap { $0 })
    }
    let today = request.today
    let queue = request.query[String.self, at: "queue"]
    let page = try request.pageRequest()
    let scheme = request.query[String.self, at: "scheme"]
    let narrowing: QueueNarrowing?
    switch queue ?? "open" {
    case "open": narrowing = nil
    case "overdue": narrowing = .overdue(today: today)
    case "due_today": narrowing = .dueOn(today)
    case "expedited": narrowing = .expedited
    default:
      throw APIError.invalidQuery(
        "queue",
        expected: LocalizedText(
          zh: "应为 open、due_today、overdue 或 expedited", en: "takes open, due_today, overdue or expedited"))
    }
    let result = try await request.claims.queue(states: states, scheme: scheme, narrowedTo: narrowing, page: page)
    return PageResource(result) { ClaimResource($0, today: today) }
  }

  @Sendable func openClaim(_ request: Request) async throws -> Response {
    let input = try request.content.decode(NewClaim.self)
    let context = try await request.claimContext(scheme: input.schemeCode)
    let worker = try await member(of: input, request: request)
    let received = try request.actor.recorded(
      input.intake.event.claimDate, reason: input.intake.event.claimDateReason, today: context.today,
      field: "event.claimDate", what: LocalizedText(zh: "受理日期", en: "receipt date"))
    let record = try await request.claims.open(
      input.intake.intake(received: received.date), for: worker, channel: input.channel ?? .window,
      expedited: input.expedited ?? false, context: context)
    try await request.auditEarlierDate(received, subject: "claim:\(record.id)", what: "received on")
    return try await created(
      ClaimResource(record, today: context.today), at: .api(.claim(.value(record.id))), for: request)
  }

  /// The member a claim is for, found by worker id, ID number or certificate number.
  private func member(of input: NewClaim, request: Request) async throws -> Worker.ID {
    if let id = input.workerId { return .init(id) }
    if let text = input.idNumber {
      guard case .success(let number) = ResidentIDNumber.validate(text) else {
        throw ValidationFailure([
          FieldError(
            field: "idNumber", code: "invalid_id_number",
            message: LocalizedText(zh: "身份证号码无效", en: "not a valid ID number"))
        ])
      }
      if let worker = try await request.registry.worker(idNumber: number) { return worker.id }
    }
    if let number = input.certificateNumber,
      let certificate = try await request.enrollments.certificate(number: number)
    {
      return certificate.enrollment.workerID
    }
    throw ValidationFailure([
      FieldError(
        field: "workerId", code: "unknown_member",
        message: LocalizedText(
          zh: "请用职工编号、身份证号或保障书编号指明参保人", en: "name the member by worker id, ID number or certificate number"))
    ])
  }

  @Sendable func showClaim(_ request: Request) async throws -> ClaimDetailResource {
    let id: ClaimRecord.ID = try request.identifier()
    guard let record = try await request.claims.claim(id) else { throw APIError.notFound }
    async let documents = request.claims.documents(of: id)
    async let history = request.claims.history(of: id)
    async let outbox = request.claims.outbox(claim: id)
    return ClaimDetailResource(
      claim: ClaimResource(record, today: request.today),
      documents: try await documents.map(ClaimDetailResource.Document.init), history: try await history,
      notifications: try await outbox)
  }

  @Sendable func updateIntake(_ request: Request) async throws -> ClaimResource {
    let id: ClaimRecord.ID = try request.identifier()
    let record = try await existing(id, request)
    let input = try request.content.decode(ClaimIntakeInput.self)
    let context = try await request.claimContext(scheme: record.schemeCode)
    // The claim keeps the day it was received unless an earlier one is recorded, with a reason.
    let kept = record.intake.event.claimDate
    let requested = input.event.claimDate ?? kept
    let received =
      requested == kept
      ? RecordedDate(date: kept, earlierBecause: nil)
      : try request.actor.recorded(
        requested, reason: input.event.claimDateReason, today: context.today, field: "event.claimDate",
        what: LocalizedText(zh: "受理日期", en: "receipt date"))
    let updated = try await request.claims.update(input.intake(received: received.date), of: id, context: context)
    try await request.auditEarlierDate(received, subject: "claim:\(id)", what: "received on")
    return ClaimResource(updated, today: context.today)
  }

  @Sendable func listDocuments(_ request: Request) async throws -> ListResource<ClaimDetailResource.Document> {
    let id: ClaimRecord.ID = try request.identifier()
    _ = try await existing(id, request)
    return ListResource(items: try await request.claims.documents(of: id).map(ClaimDetailResource.Document.init))
  }

  /// A scan as the body, `?kind=invoice&fileName=…`: checked by content (PDF, JPEG, PNG,
  /// at most 10 MB), stored by checksum.
  @Sendable func uploadDocument(_ request: Request) async throws -> Response {
    let id: ClaimRecord.ID = try request.identifier()
    let record = try await existing(id, request)
    guard let kind = request.query[String.self, at: "kind"], !kind.isEmpty, kind.count <= 40 else {
      throw ValidationFailure([
        FieldError(
          field: "kind", code: "kind_required",
          message: LocalizedText(zh: "请说明材料类别（如 invoice）", en: "say what the document is (e.g. invoice)"))
      ])
    }
    let bytes = request.body.data.map { Data($0.readableBytesView) } ?? Data()
    let context = try await request.claimContext(scheme: record.schemeCode)
    let document = try await request.attachScan(
      bytes, kind: kind, fileName: request.query[String.self, at: "fileName"], to: id, context: context)
    return try await created(
      ClaimDetailResource.Document(document), at: .api(.document(.value(document.id))), for: request)
  }

  @Sendable func downloadDocument(_ request: Request) async throws -> Response {
    let id: ClaimDocument.ID = try request.identifier()
    guard let document = try await request.claims.document(id) else { throw APIError.notFound }
    let storage = request.application.huzhu.documents
    let data = try await request.application.threadPool.runIfActive { try storage.load(sha256: document.sha256) }
    var headers = HTTPHeaders()
    headers.replaceOrAdd(name: .contentType, value: document.format.contentType)
    headers.replaceOrAdd(name: .contentDisposition, value: "inline")
    return Response(status: .ok, headers: headers, body: .init(data: data))
  }

  @Sendable func act(_ request: Request) async throws -> ActionResultResource {
    let id: ClaimRecord.ID = try request.identifier()
    let record = try await existing(id, request)
    let input = try request.content.decode(ClaimActionInput.self)
    let note = input.note ?? ""
    let action: ClaimAction =
      switch input.action {
      case .submit: .submit
      case .return: .returnForDocuments(reason: note)
      case .review: .review
      case .approve: .approve
      case .reject: .reject(reason: input.rejectionReason ?? .other, note: note)
      case .appeal: .appeal(reason: note)
      }
    guard let account = request.operatorAccount, !action.permittedBy.isDisjoint(with: account.account.permissions)
    else { throw APIError.forbidden }
    let context = try await request.claimContext(scheme: record.schemeCode)
    let result = try await request.claims.perform(action, on: id, context: context)
    return ActionResultResource(
      claim: ClaimResource(result.record, today: context.today), changed: result.transition != .alreadyDone)
  }

  @Sendable func adjust(_ request: Request) async throws -> ClaimResource {
    let id: ClaimRecord.ID = try request.identifier()
    let record = try await existing(id, request)
    let input = try request.content.decode(NewAdjustment.self)
    let context = try await request.claimContext(scheme: record.schemeCode)
    let adjusted = try await request.claims.adjust(
      id, to: ClaimAdjustment(amount: input.amount, justification: input.justification, by: context.actor.name),
      context: context)
    return ClaimResource(adjusted, today: context.today)
  }

  @Sendable func createBatch(_ request: Request) async throws -> Response {
    let input = try request.content.decode(NewPaymentBatch.self)
    let batch = try await request.payments.createBatch(scheme: input.schemeCode)
    return try await created(PaymentBatchResource(batch), at: .api(.paymentBatch(.value(batch.id))), for: request)
  }

  @Sendable func showBatch(_ request: Request) async throws -> PaymentBatchResource {
    PaymentBatchResource(try await request.payments.batch(try request.identifier()))
  }

  /// The bank transfer file, `?format=csv` (UTF-8 with BOM, which Excel and bank portals
  /// read) or `xlsx`. Reading it changes nothing, so it can be exported again at will.
  @Sendable func exportBatch(_ request: Request) async throws -> Response {
    let text = request.query[String.self, at: "format"] ?? "csv"
    guard let format = Payments.BankFileFormat(rawValue: text) else {
      throw APIError.invalidQuery("format", expected: LocalizedText(zh: "应为 csv 或 xlsx", en: "takes csv or xlsx"))
    }
    let file = try await request.payments.bankFile(try request.identifier(), format: format)
    var headers = HTTPHeaders()
    headers.replaceOrAdd(name: .contentType, value: format.contentType)
    headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(file.name)\"")
    return Response(status: .ok, headers: headers, body: .init(data: file.data))
  }

  @Sendable func settleLine(_ request: Request) async throws -> PaymentBatchResource {
    let input = try request.content.decode(LineOutcome.self)
    return PaymentBatchResource(
      try await request.payments.settle(
        try request.identifier(SiteURL.claimParameter), in: try request.identifier(), paid: input.paid,
        note: input.note))
  }

  @Sendable func listHolidays(_ request: Request) async throws -> ListResource<HolidayYear> {
    ListResource(items: try await request.workingDayCalendar().coveredYears)
  }

  /// Enters or corrects a year's notice (for example 2027's, once published).
  @Sendable func saveHolidayYear(_ request: Request) async throws -> HolidayYear {
    guard let year = Int(try request.pathText(SiteURL.yearParameter)) else { throw APIError.notFound }
    let input = try request.content.decode(HolidayYear.self)
    guard input.year == year else {
      throw ValidationFailure([
        FieldError(
          field: "year", code: "year_mismatch",
          message: LocalizedText(zh: "请求体中的年份与地址不一致", en: "the body's year differs from the address"))
      ])
    }
    try await request.claims.save(input, by: request.operatorName)
    return input
  }

  private func existing(_ id: ClaimRecord.ID, _ request: Request) async throws -> ClaimRecord {
    guard let record = try await request.claims.claim(id) else { throw APIError.notFound }
    return record
  }
}

extension Request {
  var payments: Payments {
    get throws { Payments(services, actor: try actor) }
  }

  /// The shipped holiday years with those staff entered or corrected on top.
  func workingDayCalendar() async throws -> WorkingDayCalendar {
    WorkingDayCalendar(years: WorkingDayCalendar.publishedChina.coveredYears + (try await claims.holidayYears()))
  }

  /// The signed-in operator as a claim actor, with the scheme and the calendar.
  /// Keeps a file in the document store under its SHA-256 (written off the event loop) and
  /// returns that checksum: scans, and rosters between their preview and their import.
  func storeDocument(_ bytes: Data) async throws -> String {
    let checksum = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    let storage = application.huzhu.documents
    try await application.threadPool.runIfActive { try storage.save(bytes, sha256: checksum) }
    return checksum
  }

  /// Checks a scan by its content, stores it by its SHA-256, and attaches it to the claim.
  func attachScan(_ bytes: Data, kind: String, fileName: String?, to id: ClaimRecord.ID, context: ClaimContext)
    async throws -> ClaimDocument
  {
    let format: DocumentFormat
    switch DocumentFormat.detect(bytes) {
    case .success(let detected): format = detected
    case .failure(let problem): throw ValidationFailure([problem])
    }
    let checksum = try await storeDocument(bytes)
    let name = String((fileName.flatMap { $0.isEmpty ? nil : $0 } ?? "\(kind).\(format.rawValue)").prefix(100))
    let document = ClaimDocument(
      claimID: id, kind: kind, fileName: name, format: format, size: bytes.count, sha256: checksum,
      uploadedBy: context.actor.name, uploadedAt: Date())
    _ = try await claims.attach(document, to: id, context: context)
    return document
  }

  func claimContext(scheme code: String) async throws -> ClaimContext {
    guard let signedIn = operatorAccount else { throw APIError.unauthorized }
    let account = signedIn.account
    return ClaimContext(
      actor: ClaimActor(
        accountID: account.id, name: account.displayName, organisationKind: signedIn.organisation.kind,
        organisationID: signedIn.organisation.id),
      address: remoteAddress?.ipAddress, today: today, scheme: try await compiledScheme(code),
      calendar: try await workingDayCalendar())
  }
}
