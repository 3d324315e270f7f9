import HuzhuApp
import HuzhuCore
import HuzhuPersistence
import Vapor

/// `/api/v1` endpoints for enrollment, renewal, bills, payments, receipts and certificates.
struct EnrollmentController {
  func register(public routes: any RoutesBuilder, authenticated: any RoutesBuilder) {
    // Anyone may check a certificate (the answer is masked).
    routes.get(.api(.certificate(.key)), use: verifyCertificate)
    authenticated.get(.api(.unitEnrollments(.key)), requires: .viewRegistry, use: listUnitEnrollments)
    authenticated.get(.api(.unitBills(.key)), requires: .viewRegistry, use: listUnitBills)
    authenticated.get(.api(.workerEnrollments(.key)), requires: .viewRegistry, use: listWorkerEnrollments)
    authenticated.get(.api(.bill(.key)), requires: .viewRegistry, use: showBill)
    authenticated.get(.api(.billPayments(.key)), requires: .viewRegistry, use: listPayments)
    authenticated.get(.api(.receipt(.key)), requires: .viewRegistry, use: showReceipt)
    authenticated.post(.api(.unitEnrollments(.key)), requires: .enroll, use: enrollUnit)
    authenticated.post(.api(.unitRenewals(.key)), requires: .enroll, use: renew)
    authenticated.post(.api(.individualEnrollments), requires: .enroll, use: enrollIndividual)
    authenticated.post(.api(.billPayments(.key)), requires: .recordPayments, use: recordPayment)
  }

  @Sendable func listUnitEnrollments(_ request: Request) async throws -> PageResource<EnrollmentResource> {
    let unit: WorkUnit.ID = try request.identifier()
    guard try await request.registry.unit(unit) != nil else { throw APIError.notFound }
    let page = try await request.enrollments.enrollments(unit: unit, page: try request.pageRequest())
    return PageResource(page, map: EnrollmentResource.init)
  }

  @Sendable func listUnitBills(_ request: Request) async throws -> ListResource<BillResource> {
    let unit: WorkUnit.ID = try request.identifier()
    guard try await request.registry.unit(unit) != nil else { throw APIError.notFound }
    return ListResource(items: try await request.enrollments.bills(unit: unit).map(BillResource.init))
  }

  @Sendable func listWorkerEnrollments(_ request: Request) async throws -> ListResource<EnrollmentResource> {
    let worker: Worker.ID = try request.identifier()
    // The enrollment store reads by worker unscoped; the registry decides who may be seen.
    guard try await request.registry.worker(worker) != nil else { throw APIError.notFound }
    return ListResource(items: try await request.enrollments.enrollments(worker: worker).map(EnrollmentResource.init))
  }

  @Sendable func showBill(_ request: Request) async throws -> BillDetailResource {
    let id: Bill.ID = try request.identifier()
    guard let bill = try await request.enrollments.bill(id) else { throw APIError.notFound }
    async let payments = request.enrollments.payments(bill: id)
    async let enrollments = request.enrollments.enrollments(bill: id)
    return BillDetailResource(
      bill: BillResource(bill), payments: try await payments.map(PaymentResource.init),
      enrollments: try await enrollments.map(EnrollmentResource.init))
  }

  @Sendable func listPayments(_ request: Request) async throws -> ListResource<PaymentResource> {
    let id: Bill.ID = try request.identifier()
    guard try await request.enrollments.bill(id) != nil else { throw APIError.notFound }
    return ListResource(items: try await request.enrollments.payments(bill: id).map(PaymentResource.init))
  }

  @Sendable func showReceipt(_ request: Request) async throws -> PaymentResource {
    guard
      let payment = try await request.enrollments.payment(receiptNumber: try request.pathText(SiteURL.numberParameter))
    else { throw APIError.notFound }
    return PaymentResource(payment)
  }

  /// Public: whoever holds a certificate may check it is genuine and in force.
  @Sendable func verifyCertificate(_ request: Request) async throws -> CertificateResource {
    guard
      let certificate = try await PublicLookups(request.services).certificate(
        number: try request.pathText(SiteURL.numberParameter))
    else { throw APIError.notFound }
    return CertificateResource(certificate, today: request.today)
  }

  @Sendable func enrollUnit(_ request: Request) async throws -> Response {
    let unit: WorkUnit.ID = try request.identifier()
    let input = try request.content.decode(NewEnrollment.self)
    let scheme = try await request.compiledScheme(input.schemeCode)
    let order = EnrollmentOrder(
      schemeCode: input.schemeCode, productCode: input.productCode, periodStart: input.periodStart, unitID: unit,
      workerIDs: input.workerIds.map { .init($0) }, shares: input.shares ?? 1, split: input.split ?? PayerSplitRule(),
      requestDate: try request.requestDate(input.requestDate, reason: input.requestDateReason).date)
    let plan = try await request.enrollments.enroll(order, scheme: scheme)
    try await request.auditEarlierDate(
      try request.requestDate(input.requestDate, reason: input.requestDateReason), subject: "bill:\(plan.bill.number)",
      what: "requested on")
    return try await created(EnrollmentPlanResource(plan), at: .api(.bill(.value(plan.bill.id))), for: request)
  }

  @Sendable func renew(_ request: Request) async throws -> Response {
    let unit: WorkUnit.ID = try request.identifier()
    let input = try request.content.decode(NewRenewal.self)
    let scheme = try await request.compiledScheme(input.schemeCode)
    let result = try await request.enrollments.renew(
      unit: unit, productCode: input.productCode, periodStart: input.periodStart, split: input.split,
      requestDate: try request.requestDate(input.requestDate, reason: input.requestDateReason).date, scheme: scheme)
    return try await created(
      EnrollmentPlanResource(result.plan, leftOut: result.leftOut), at: .api(.bill(.value(result.plan.bill.id))),
      for: request)
  }

  /// One person on their own (a gig worker, or someone whose unit has not joined), found by
  /// ID number; allowed only where the product's rule version says so.
  @Sendable func enrollIndividual(_ request: Request) async throws -> Response {
    let input = try request.content.decode(NewIndividualEnrollment.self)
    let scheme = try await request.compiledScheme(input.schemeCode)
    guard case .success(let number) = ResidentIDNumber.validate(input.idNumber) else {
      throw ValidationFailure([
        FieldError(
          field: "idNumber", code: "invalid_id_number",
          message: LocalizedText(zh: "身份证号码无效", en: "not a valid resident ID number"))
      ])
    }
    guard let worker = try await request.registry.worker(idNumber: number) else {
      throw ValidationFailure([
        FieldError(
          field: "idNumber", code: "unknown_person",
          message: LocalizedText(zh: "该身份证号码尚未登记，请先登记职工信息", en: "no one with this ID number is registered yet"))
      ])
    }
    let today = request.today
    let order = EnrollmentOrder(
      schemeCode: input.schemeCode, productCode: input.productCode, periodStart: input.periodStart ?? today,
      unitID: nil, workerIDs: [worker.id], shares: input.shares ?? 1, split: input.split ?? PayerSplitRule(),
      requestDate: today)
    let plan = try await request.enrollments.enroll(order, scheme: scheme)
    return try await created(EnrollmentPlanResource(plan), at: .api(.bill(.value(plan.bill.id))), for: request)
  }

  /// Records a payment. Send an `Idempotency-Key` header: a retry with the same key and body
  /// returns the first outcome (200) instead of paying twice.
  @Sendable func recordPayment(_ request: Request) async throws -> Response {
    let id: Bill.ID = try request.identifier()
    let input = try request.content.decode(NewPayment.self)
    guard let bill = try await request.enrollments.bill(id) else { throw APIError.notFound }
    let key = request.headers.first(name: "Idempotency-Key")?.trimmingCharacters(in: .whitespaces)
    if let key, key.isEmpty || key.count > 100 {
      throw ValidationFailure([
        FieldError(
          field: "Idempotency-Key", code: "invalid_idempotency_key",
          message: LocalizedText(zh: "幂等键应为1–100个字符", en: "an idempotency key is 1–100 characters"))
      ])
    }
    let paidOn = try request.actor.recorded(
      input.paidOn, reason: input.paidOnReason, today: request.today, field: "paidOn",
      what: LocalizedText(zh: "缴费日期", en: "payment date"))
    let scheme = try await request.compiledScheme(bill.schemeCode)
    let outcome = try await request.enrollments.record(
      PaymentRequest(
        payer: input.payer, payerName: input.payerName, amount: input.amount, paidOn: paidOn.date,
        reference: input.reference),
      on: id, recordedBy: request.operatorName, idempotencyKey: key, scheme: scheme)
    if !outcome.replayed {
      try await request.auditEarlierDate(paidOn, subject: "receipt:\(outcome.payment.receiptNumber)", what: "paid on")
    }
    let body = PaymentOutcomeResource(
      payment: PaymentResource(outcome.payment), bill: BillResource(outcome.bill), replayed: outcome.replayed,
      activated: outcome.activated)
    if outcome.replayed { return try await body.encodeResponse(status: .ok, for: request) }
    return try await created(body, at: .api(.receipt(.value(outcome.payment.receiptNumber))), for: request)
  }
}

/// A payment as a client records it: on the server's day, unless an account that may names an
/// earlier one (the bank's value date) with a reason.
struct NewPayment: Content {
  let payer: PayerType
  let payerName: String?
  let amount: Money
  let paidOn: CalendarDate?
  let paidOnReason: String?
  let reference: String
}

/// A 201 with `Location`.
func created(_ body: some Content, at url: SiteURL, for request: Request) async throws -> Response {
  let response = try await body.encodeResponse(status: .created, for: request)
  response.headers.replaceOrAdd(name: .location, value: url.path)
  return response
}

extension Request {
  /// Who is recording: the signed-in operator.
  var operatorName: String { auth.get(AuthenticatedAccount.self)?.account.username ?? "anonymous" }

  /// The latest revision of a scheme, compiled; a 422 naming `schemeCode` when there is none.
  func compiledScheme(_ code: String) async throws -> CompiledScheme {
    guard let stored = try await schemes.scheme(code: code) else {
      throw ValidationFailure([
        FieldError(
          field: "schemeCode", code: "unknown_scheme",
          message: LocalizedText(zh: "没有编码为“\(code)”的方案", en: "no scheme has the code \"\(code)\""))
      ])
    }
    return try stored.compiled()
  }

  /// An enrollment request's date: the server's day, or an earlier one the operator may record
  /// with a reason (``RecordedDate``).
  func requestDate(_ given: CalendarDate?, reason: String?) throws -> RecordedDate {
    try actor.recorded(
      given, reason: reason, today: today, field: "requestDate", what: LocalizedText(zh: "申请日期", en: "request date"))
  }
}
