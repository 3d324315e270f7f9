import Foundation
import HuzhuCore
import HuzhuPersistence

/// Enrollment and contributions: a unit's collective enrollment and renewal, a person's own
/// enrollment, payments against bills, and what they leave behind (certificates, bills,
/// receipts). A scheme is usable only where it serves: the unit's (or the person's) node must
/// be the scheme's node or below it.
public struct Enrollments: UseCase {
  let services: AppServices
  let actor: Actor

  public init(_ services: AppServices, actor: Actor) {
    self.services = services
    self.actor = actor
  }

  // MARK: Choosing

  /// A product a form offers, as `scheme|product`.
  public struct ProductChoice: Sendable {
    public let scheme: StoredScheme
    public let product: ProductDefinition
  }

  /// The products of the schemes in the actor's reach, optionally only those some version of
  /// which takes individuals.
  public func products(takingIndividuals: Bool = false) async throws -> [ProductChoice] {
    try await schemeStore.schemes().flatMap { scheme in
      scheme.definition.products.filter { !takingIndividuals || $0.takesIndividuals }.map {
        ProductChoice(scheme: scheme, product: $0)
      }
    }
  }

  /// The scheme, compiled, when it is in the actor's reach and serves `node` (a unit's or a
  /// person's node): a field error naming `schemeCode` otherwise, as if there were none.
  func scheme(_ code: String, serving node: Organisation.ID) async throws -> CompiledScheme {
    guard let stored = try await schemeStore.scheme(code: code),
      actor.scope == .unrestricted || actor.hierarchy.scheme(runBy: stored.organisationID, serves: node)
    else { throw ClaimContexts.unknownScheme(code) }
    return try stored.compiled()
  }

  static let requestDate = LocalizedText(zh: "申请日期", en: "request date")

  func recorded(_ requested: CalendarDate?, reason: String?) throws -> RecordedDate {
    try actor.recorded(requested, reason: reason, today: services.today, field: "requestDate", what: Self.requestDate)
  }

  // MARK: Members named by ID number

  /// The workers of `unit` named by ID number, one a line; each line that is no valid ID
  /// number, or names nobody the unit employs now, is an error under `field` with its line.
  public func members(_ lines: [(line: Int, text: String)], field: String, employedBy unit: WorkUnit.ID)
    async throws -> (workers: [Worker.ID], errors: [FieldError])
  {
    var errors: [FieldError] = []
    var numbers: [(line: Int, number: ResidentIDNumber)] = []
    for (line, text) in lines {
      if case .success(let number) = ResidentIDNumber.validate(text) {
        numbers.append((line, number))
      } else {
        errors.append(
          FieldError(
            field: field, code: "invalid_id_number",
            message: LocalizedText(
              zh: "第\(line)行：\(text) 不是有效的身份证号", en: "line \(line): \(text) is not a valid ID number")))
      }
    }
    guard !numbers.isEmpty else { return ([], errors) }
    let standings = try await registryStore.standings(of: numbers.map(\.number))
    var workers: [Worker.ID] = []
    for (line, number) in numbers {
      guard let employment = standings[number]?.employment, employment.unit == unit else {
        errors.append(
          FieldError(
            field: field, code: "not_employed_here",
            message: LocalizedText(
              zh: "第\(line)行：\(number.masked) 不是本单位在职职工（请先导入花名册）",
              en: "line \(line): \(number.masked) is not employed by this unit (import the roster first)")))
        continue
      }
      if !workers.contains(employment.worker) { workers.append(employment.worker) }
    }
    return (workers, errors)
  }

  /// Everyone the unit employs now.
  public func everyone(in unit: WorkUnit.ID) async throws -> [Worker.ID] {
    var workers: [Worker.ID] = []
    var page = 1
    while true {
      let slice = try await registryStore.workers(in: unit, page: PageQuery(page: page, per: PageQuery.maximumPerPage))
      workers += slice.items.map(\.id)
      if workers.count >= slice.total || slice.items.isEmpty { return workers }
      page += 1
    }
  }

  // MARK: Enrolling

  /// What a unit's or a person's order asks for, before the rules check it.
  public struct Order: Sendable {
    public var scheme: String
    public var product: String
    public var periodStart: CalendarDate
    public var shares: Int
    /// Who pays what; for a renewal, nil keeps the previous period's split.
    public var split: PayerSplitRule?
    /// The request date asked for (nil: today) and why it is earlier.
    public var requestedOn: CalendarDate?
    public var reason: String?

    public init(
      scheme: String, product: String, periodStart: CalendarDate, shares: Int = 1, split: PayerSplitRule?,
      requestedOn: CalendarDate? = nil, reason: String? = nil
    ) {
      self.scheme = scheme
      self.product = product
      self.periodStart = periodStart
      self.shares = shares
      self.split = split
      self.requestedOn = requestedOn
      self.reason = reason
    }
  }

  /// Enrolls `workers` of `unit`: the rules of the version checked, enrollments and one bill
  /// written, every problem listed otherwise.
  public func enroll(_ order: Order, unit: WorkUnit.ID, workers: [Worker.ID]) async throws -> EnrollmentPlan {
    try actor.require(.enroll)
    guard let found = try await registryStore.unit(unit) else { throw UseCaseError.notFound }
    let scheme = try await scheme(order.scheme, serving: found.organisationID)
    let requested = try recorded(order.requestedOn, reason: order.reason)
    let plan = try await enrollmentStore.enroll(
      EnrollmentOrder(
        schemeCode: order.scheme, productCode: order.product, periodStart: order.periodStart, unitID: unit,
        workerIDs: workers, shares: order.shares, split: order.split ?? PayerSplitRule(), requestDate: requested.date),
      scheme: scheme)
    try await audit.earlierDate(
      requested, subject: "bill:\(plan.bill.number)", what: "requested on")
    return plan
  }

  /// Carries a unit's members of the period starting `order.periodStart` over to the next.
  public func renew(_ order: Order, unit: WorkUnit.ID) async throws -> RenewalResult {
    try actor.require(.enroll)
    guard let found = try await registryStore.unit(unit) else { throw UseCaseError.notFound }
    let scheme = try await scheme(order.scheme, serving: found.organisationID)
    let requested = try recorded(order.requestedOn, reason: order.reason)
    let result = try await enrollmentStore.renew(
      unit: unit, productCode: order.product, periodStart: order.periodStart, split: order.split,
      requestDate: requested.date, scheme: scheme)
    try await audit.earlierDate(
      requested, subject: "bill:\(result.plan.bill.number)", what: "requested on")
    return result
  }

  /// One person on their own (a gig worker, or someone whose unit has not joined), where the
  /// product's rule version allows it.
  public func enroll(_ order: Order, individual worker: Worker.ID) async throws -> EnrollmentPlan {
    try actor.require(.enroll)
    guard let person = try await registryStore.worker(worker) else { throw UseCaseError.notFound }
    let node: Organisation.ID?
    if let unit = person.unitID {
      node = try await registryStore.unit(unit)?.organisationID
    } else {
      node = person.homeOrganisationID
    }
    guard let node else { throw UseCaseError.notFound }
    let scheme = try await scheme(order.scheme, serving: node)
    let requested = try recorded(order.requestedOn, reason: order.reason)
    let plan = try await enrollmentStore.enroll(
      EnrollmentOrder(
        schemeCode: order.scheme, productCode: order.product, periodStart: order.periodStart, unitID: nil,
        workerIDs: [worker], shares: order.shares, split: order.split ?? PayerSplitRule(), requestDate: requested.date),
      scheme: scheme)
    try await audit.earlierDate(
      requested, subject: "bill:\(plan.bill.number)", what: "requested on")
    return plan
  }

  // MARK: Paying

  /// A payment as recorded: on the server's day, unless the actor may record the bank's
  /// earlier value date, with a reason.
  public struct Payment: Sendable {
    public var payer: PayerType
    public var payerName: String?
    public var amount: Money
    public var paidOn: CalendarDate?
    public var reason: String?
    public var reference: String

    public init(
      payer: PayerType, payerName: String?, amount: Money, paidOn: CalendarDate?, reason: String?, reference: String
    ) {
      self.payer = payer
      self.payerName = payerName
      self.amount = amount
      self.paidOn = paidOn
      self.reason = reason
      self.reference = reference
    }
  }

  /// Records a payment on a bill; a repeated `idempotencyKey` returns the first outcome.
  public func record(_ payment: Payment, on bill: Bill.ID, idempotencyKey: String?) async throws -> PaymentOutcome {
    try actor.require(.recordPayments)
    if let key = idempotencyKey, key.isEmpty || key.count > 100 {
      throw ValidationFailure([
        FieldError(
          field: "Idempotency-Key", code: "invalid_idempotency_key",
          message: LocalizedText(zh: "幂等键应为1–100个字符", en: "an idempotency key is 1–100 characters"))
      ])
    }
    guard let found = try await enrollmentStore.bill(bill) else { throw UseCaseError.notFound }
    let paidOn = try actor.recorded(
      payment.paidOn, reason: payment.reason, today: services.today, field: "paidOn",
      what: LocalizedText(zh: "缴费日期", en: "payment date"))
    guard let scheme = try await schemeStore.scheme(code: found.schemeCode) else { throw UseCaseError.notFound }
    let outcome = try await enrollmentStore.record(
      PaymentRequest(
        payer: payment.payer, payerName: payment.payerName, amount: payment.amount, paidOn: paidOn.date,
        reference: payment.reference.trimmingCharacters(in: .whitespaces)),
      on: bill, recordedBy: actor.name, idempotencyKey: idempotencyKey, scheme: try scheme.compiled())
    if !outcome.replayed {
      try await audit.earlierDate(
        paidOn, subject: "receipt:\(outcome.payment.receiptNumber)", what: "paid on")
    }
    return outcome
  }

  // MARK: Reading

  public func enrollments(unit: WorkUnit.ID, page: PageQuery) async throws -> PagedResult<Enrollment> {
    guard try await registryStore.unit(unit) != nil else { throw UseCaseError.notFound }
    return try await enrollmentStore.enrollments(unit: unit, page: page)
  }

  public func enrollments(worker: Worker.ID) async throws -> [Enrollment] {
    guard try await registryStore.worker(worker) != nil else { throw UseCaseError.notFound }
    return try await enrollmentStore.enrollments(worker: worker)
  }

  public func bills(unit: WorkUnit.ID) async throws -> [Bill] {
    guard try await registryStore.unit(unit) != nil else { throw UseCaseError.notFound }
    return try await enrollmentStore.bills(unit: unit)
  }

  /// A bill with its payments and the enrollments it pays for.
  public func bill(_ id: Bill.ID) async throws -> (bill: Bill, payments: [HuzhuCore.Payment], enrollments: [Enrollment])
  {
    guard let bill = try await enrollmentStore.bill(id) else { throw UseCaseError.notFound }
    async let payments = enrollmentStore.payments(bill: id)
    async let enrollments = enrollmentStore.enrollments(bill: id)
    return (bill, try await payments, try await enrollments)
  }

  public func payment(receiptNumber: String) async throws -> HuzhuCore.Payment {
    guard let payment = try await enrollmentStore.payment(receiptNumber: receiptNumber) else {
      throw UseCaseError.notFound
    }
    return payment
  }
}
