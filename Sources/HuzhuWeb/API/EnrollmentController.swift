import HuzhuApp
import HuzhuCore
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
    let page = try await request.enrollmentWork.enrollments(
      unit: try request.identifier(), page: try request.pageRequest())
    return PageResource(page, map: EnrollmentResource.init)
  }

  @Sendable func listUnitBills(_ request: Request) async throws -> ListResource<BillResource> {
    ListResource(items: try await request.enrollmentWork.bills(unit: try request.identifier()).map(BillResource.init))
  }

  @Sendable func listWorkerEnrollments(_ request: Request) async throws -> ListResource<EnrollmentResource> {
    ListResource(
      items: try await request.enrollmentWork.enrollments(worker: try request.identifier()).map(EnrollmentResource.init)
    )
  }

  @Sendable func showBill(_ request: Request) async throws -> BillDetailResource {
    let found = try await request.enrollmentWork.bill(try request.identifier())
    return BillDetailResource(
      bill: BillResource(found.bill), payments: found.payments.map(PaymentResource.init),
      enrollments: found.enrollments.map(EnrollmentResource.init))
  }

  @Sendable func listPayments(_ request: Request) async throws -> ListResource<PaymentResource> {
    ListResource(
      items: try await request.enrollmentWork.bill(try request.identifier()).payments.map(PaymentResource.init))
  }

  @Sendable func showReceipt(_ request: Request) async throws -> PaymentResource {
    PaymentResource(
      try await request.enrollmentWork.payment(receiptNumber: try request.pathText(SiteURL.numberParameter)))
  }

  /// Public: whoever holds a certificate may check it is genuine and in force.
  @Sendable func verifyCertificate(_ request: Request) async throws -> CertificateResource {
    guard
      let certificate = try await request.publicLookups.certificate(
        number: try request.pathText(SiteURL.numberParameter))
    else { throw APIError.notFound }
    return CertificateResource(certificate, today: request.today)
  }

  @Sendable func enrollUnit(_ request: Request) async throws -> Response {
    let input = try request.content.decode(NewEnrollment.self)
    let plan = try await request.enrollmentWork.enroll(
      Enrollments.Order(
        scheme: input.schemeCode, product: input.productCode, periodStart: input.periodStart, shares: input.shares ?? 1,
        split: input.split, requestedOn: input.requestDate, reason: input.requestDateReason),
      unit: try request.identifier(), workers: input.workerIds.map { .init($0) })
    return try await created(EnrollmentPlanResource(plan), at: .api(.bill(.value(plan.bill.id))), for: request)
  }

  @Sendable func renew(_ request: Request) async throws -> Response {
    let input = try request.content.decode(NewRenewal.self)
    let result = try await request.enrollmentWork.renew(
      Enrollments.Order(
        scheme: input.schemeCode, product: input.productCode, periodStart: input.periodStart, split: input.split,
        requestedOn: input.requestDate, reason: input.requestDateReason),
      unit: try request.identifier())
    return try await created(
      EnrollmentPlanResource(result.plan, leftOut: result.leftOut), at: .api(.bill(.value(result.plan.bill.id))),
      for: request)
  }

  /// One person on their own (a gig worker, or someone whose unit has not joined), found by
  /// ID number; allowed only where the product's rule version says so.
  @Sendable func enrollIndividual(_ request: Request) async throws -> Response {
    let input = try request.content.decode(NewIndividualEnrollment.self)
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
    let plan = try await request.enrollmentWork.enroll(
      Enrollments.Order(
        scheme: input.schemeCode, product: input.productCode, periodStart: input.periodStart ?? request.today,
        shares: input.shares ?? 1, split: input.split),
      individual: worker.id)
    return try await created(EnrollmentPlanResource(plan), at: .api(.bill(.value(plan.bill.id))), for: request)
  }

  /// Records a payment. Send an `Idempotency-Key` header: a retry with the same key and body
  /// returns the first outcome (200) instead of paying twice.
  @Sendable func recordPayment(_ request: Request) async throws -> Response {
    let input = try request.content.decode(NewPayment.self)
    let outcome = try await request.enrollmentWork.record(
      Enrollments.Payment(
        payer: input.payer, payerName: input.payerName, amount: input.amount, paidOn: input.paidOn,
        reason: input.paidOnReason, reference: input.reference),
      on: try request.identifier(),
      idempotencyKey: request.headers.first(name: "Idempotency-Key")?.trimmingCharacters(in: .whitespaces))
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

  var enrollmentWork: Enrollments {
    get throws { Enrollments(services, actor: try actor) }
  }
}
