import HuzhuApp
import HuzhuCore
import HuzhuSpreadsheet
import Vapor

/// `/api/v1` endpoints for claims, their documents and workflow, payment batches, and the
/// holiday calendar. Every claim operation is by an operator: personal and medical data.
struct ClaimController {
  func register(authenticated routes: any RoutesBuilder) {
    routes.get(.api(.claims), requires: .viewClaims, use: listClaims)
    routes.post(.api(.claims), requires: .intakeClaims, use: openClaim)
    routes.on(
      .POST, .api(.claimBatch), requires: .intakeClaims, body: .collect(maxSize: BodyLimits.claimBatch),
      use: openBatch)
    routes.get(.api(.claim(.key)), requires: .viewClaims, use: showClaim)
    routes.put(.api(.claimIntake(.key)), requires: .intakeClaims, use: updateIntake)
    routes.get(.api(.claimDocuments(.key)), requires: .viewClaims, use: listDocuments)
    routes.on(
      .POST, .api(.claimDocuments(.key)), requires: .intakeClaims, body: .collect(maxSize: BodyLimits.scan),
      use: uploadDocument)
    routes.get(.api(.document(.key)), requires: .viewClaims, use: downloadDocument)
    // Which action needs which permission is decided per action (see `act`).
    routes.post(.api(.claimActions(.key)), requires: .viewClaims, use: act)
    routes.post(.api(.claimAdjustment(.key)), requires: .adjustClaims, use: adjust)
    routes.post(.api(.paymentBatches), requires: .managePayments, use: createBatch)
    routes.get(.api(.paymentBatch(.key)), requires: .managePayments, use: showBatch)
    routes.get(.api(.paymentBatchExport(.key)), requires: .managePayments, use: exportBatch)
    routes.post(.api(.paymentBatchLine(.key, claim: .key)), requires: .managePayments, use: settleLine)
    routes.post(.api(.paymentBatchLineReturn(.key, claim: .key)), requires: .managePayments, use: returnLine)
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
    case "due_soon": narrowing = .dueWithin(today: today, days: 3)
    case "expedited": narrowing = .expedited
    default:
      throw APIError.invalidQuery(
        "queue",
        expected: LocalizedText(
          zh: "应为 open、due_today、due_soon、overdue 或 expedited",
          en: "takes open, due_today, due_soon, overdue or expedited"))
    }
    let result = try await request.claims.queue(states: states, scheme: scheme, narrowedTo: narrowing, page: page)
    return PageResource(result) { ClaimResource($0, today: today) }
  }

  @Sendable func openClaim(_ request: Request) async throws -> Response {
    let input = try request.content.decode(NewClaim.self)
    let claims = try request.claims
    let worker = try await claims.member(
      worker: input.workerId.map { .init($0) }, idNumber: input.idNumber, certificateNumber: input.certificateNumber)
    let record = try await claims.open(
      input.intake.intake(received: request.today), receivedOn: input.intake.event.claimDate,
      reason: input.intake.event.claimDateReason, for: worker, scheme: input.schemeCode,
      channel: input.channel ?? .window, expedited: input.expedited ?? false)
    return try await created(
      ClaimResource(record, today: request.today), at: .api(.claim(.value(record.id))), for: request)
  }

  /// `{"schemeCode": …, "claims": [...]}`: at most 1,000 claims, opened together or not at
  /// all (422 naming each wrong claim by row); 201 with each claim's number, state and amount.
  @Sendable func openBatch(_ request: Request) async throws -> Response {
    let input = try request.content.decode(NewClaimBatch.self)
    let today = request.today
    let records = try await request.claims.open(
      batch: input.claims.map {
        Claims.BatchClaim(
          worker: $0.workerId.map { .init($0) }, idNumber: $0.idNumber, certificateNumber: $0.certificateNumber,
          intake: $0.intake.intake(received: today), receivedOn: $0.intake.event.claimDate,
          reason: $0.intake.event.claimDateReason, expedited: $0.expedited ?? false)
      }, scheme: input.schemeCode, channel: input.channel ?? .window,
      submitWhenComplete: input.submitWhenComplete ?? false)
    let resource = ClaimBatchResource(
      count: records.count,
      claims: records.enumerated().map { ClaimBatchResource.Opened($1, row: $0 + 1) })
    return try await resource.encodeResponse(status: .created, for: request)
  }

  @Sendable func showClaim(_ request: Request) async throws -> ClaimDetailResource {
    let detail = try await request.claims.detail(try request.identifier())
    return ClaimDetailResource(
      claim: ClaimResource(detail.claim, today: request.today),
      documents: detail.documents.map(ClaimDetailResource.Document.init), history: detail.history,
      notifications: detail.outbox)
  }

  @Sendable func updateIntake(_ request: Request) async throws -> ClaimResource {
    let input = try request.content.decode(ClaimIntakeInput.self)
    let updated = try await request.claims.update(
      try request.identifier(), intake: input.intake(received: request.today), receivedOn: input.event.claimDate,
      reason: input.event.claimDateReason)
    return ClaimResource(updated, today: request.today)
  }

  @Sendable func listDocuments(_ request: Request) async throws -> ListResource<ClaimDetailResource.Document> {
    ListResource(
      items: try await request.claims.documents(of: try request.identifier()).map(ClaimDetailResource.Document.init))
  }

  /// A scan as the body, `?kind=invoice&fileName=…`: checked by content (PDF, JPEG, PNG,
  /// at most 10 MB), stored by checksum.
  @Sendable func uploadDocument(_ request: Request) async throws -> Response {
    let document = try await request.claims.attach(
      .init(
        kind: request.query[String.self, at: "kind"] ?? "", fileName: request.query[String.self, at: "fileName"],
        bytes: request.bodyBytes),
      to: try request.identifier())
    return try await created(
      ClaimDetailResource.Document(document), at: .api(.document(.value(document.id))), for: request)
  }

  @Sendable func downloadDocument(_ request: Request) async throws -> Response {
    let (document, data) = try await request.claims.document(try request.identifier())
    var headers = HTTPHeaders()
    headers.replaceOrAdd(name: .contentType, value: document.format.contentType)
    headers.replaceOrAdd(name: .contentDisposition, value: "inline")
    return Response(status: .ok, headers: headers, body: .init(data: data))
  }

  @Sendable func act(_ request: Request) async throws -> ActionResultResource {
    let input = try request.content.decode(ClaimActionInput.self)
    let result = try await request.claims.act(
      input.action, note: input.note ?? "", rejectionReason: input.rejectionReason, on: try request.identifier())
    return ActionResultResource(claim: ClaimResource(result.record, today: request.today), changed: result.changed)
  }

  @Sendable func adjust(_ request: Request) async throws -> ClaimResource {
    let input = try request.content.decode(NewAdjustment.self)
    let adjusted = try await request.claims.adjust(
      try request.identifier(), to: input.amount, justification: input.justification)
    return ClaimResource(adjusted, today: request.today)
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

  /// The bank sent a paid line's money back: `{"reason": "账户已销户"}`.
  @Sendable func returnLine(_ request: Request) async throws -> PaymentBatchResource {
    let input = try request.content.decode(LineReturn.self)
    return PaymentBatchResource(
      try await request.payments.returnPayment(
        try request.identifier(SiteURL.claimParameter), in: try request.identifier(), reason: input.reason))
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
    try await request.claims.save(input)
    return input
  }
}

extension Request {
  var payments: Payments {
    get throws { Payments(services, actor: try actor) }
  }

  var claims: Claims {
    get throws { Claims(services, actor: try actor) }
  }

  /// The shipped holiday years with those staff entered or corrected on top (read by anyone
  /// signed in: the calendar is the country's).
  func workingDayCalendar() async throws -> WorkingDayCalendar {
    try await Claims(services, actor: .system()).workingDayCalendar()
  }
}
