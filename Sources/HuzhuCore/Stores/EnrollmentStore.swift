import Foundation

/// A scheme definition as saved: every save is a new revision; the latest one is in force.
/// The text the administrator uploaded is kept beside the parsed definition.
public struct StoredScheme: Sendable {
  public let code: String
  public let organisationID: Organisation.ID
  public let revision: Int
  public let source: String
  public let definition: SchemeDefinition
  public let savedBy: String
  public let savedAt: Date

  public init(
    code: String, organisationID: Organisation.ID, revision: Int, source: String, definition: SchemeDefinition,
    savedBy: String, savedAt: Date
  ) {
    self.code = code
    self.organisationID = organisationID
    self.revision = revision
    self.source = source
    self.definition = definition
    self.savedBy = savedBy
    self.savedAt = savedAt
  }

  public func compiled() throws(ValidationFailure) -> CompiledScheme {
    try SchemeCompiler.compile(definition)
  }
}

public protocol SchemeStore: Sendable {
  /// The latest revision of every scheme, by code.
  func schemes() async throws -> [StoredScheme]
  func scheme(code: String) async throws -> StoredScheme?
  /// Compiles `definition` (rejecting it with every error) and saves it as the scheme's next
  /// revision.
  func save(_ definition: SchemeDefinition, source: String, organisationID: Organisation.ID, savedBy: String)
    async throws -> StoredScheme
}

/// A certificate (互助金保障书) as printed or verified: the enrollment with the names it shows.
public struct Certificate: Sendable, Equatable {
  public let enrollment: Enrollment
  public let holderName: String
  public let holderIDNumber: ResidentIDNumber
  public let unitName: String?
  public let schemeName: String
  public let productName: LocalizedText

  public init(
    enrollment: Enrollment, holderName: String, holderIDNumber: ResidentIDNumber, unitName: String?,
    schemeName: String, productName: LocalizedText
  ) {
    self.enrollment = enrollment
    self.holderName = holderName
    self.holderIDNumber = holderIDNumber
    self.unitName = unitName
    self.schemeName = schemeName
    self.productName = productName
  }
}

/// The outcome of a renewal: the plan written, and who was not carried over and why.
public struct RenewalResult: Sendable {
  public let plan: EnrollmentPlan
  public let leftOut: [RenewalPlanner.LeftOut]

  public init(plan: EnrollmentPlan, leftOut: [RenewalPlanner.LeftOut]) {
    self.plan = plan
    self.leftOut = leftOut
  }
}

/// A recorded payment and the bill after it. `replayed` is true when the same idempotency
/// key had already recorded this payment: nothing new was written.
public struct PaymentOutcome: Sendable {
  public let payment: Payment
  public let bill: Bill
  public let replayed: Bool
  /// Enrollments whose cover this payment switched on.
  public let activated: Int

  public init(payment: Payment, bill: Bill, replayed: Bool, activated: Int) {
    self.payment = payment
    self.bill = bill
    self.replayed = replayed
    self.activated = activated
  }
}

/// Enrollments, bills, payments and the fund ledger. Every method that moves money runs in
/// one transaction and is safe to repeat and to race.
public protocol EnrollmentStore: Sendable {
  /// Checks the order against the rules and the registry and writes the enrollments and
  /// their bill; throws ``ValidationFailure`` listing every problem.
  func enroll(_ order: EnrollmentOrder, scheme: CompiledScheme) async throws -> EnrollmentPlan
  /// Carries a unit's members of the period starting `periodStart` over to the next one.
  /// Members who left the unit, or who no longer meet the rules, are left out and listed.
  func renew(
    unit: WorkUnit.ID, productCode: String, periodStart: CalendarDate, split: PayerSplitRule?,
    requestDate: CalendarDate, scheme: CompiledScheme
  ) async throws -> RenewalResult

  func enrollments(unit: WorkUnit.ID, page: PageQuery) async throws -> PagedResult<Enrollment>
  func enrollments(worker: Worker.ID) async throws -> [Enrollment]
  /// The enrollments of each of these members the scope shows (a list's worth; members
  /// outside the scope have none).
  func enrollments(workers: [Worker.ID]) async throws -> [Worker.ID: [Enrollment]]
  func enrollments(bill: Bill.ID) async throws -> [Enrollment]
  func certificate(number: String) async throws -> Certificate?
  /// The certificates a bill paid for, by number, a page at a time (printed together).
  func certificates(bill: Bill.ID, page: PageQuery) async throws -> PagedResult<Certificate>

  func bills(unit: WorkUnit.ID) async throws -> [Bill]
  /// The bills of a person's individual enrollments (no unit's) that the scope shows, newest
  /// first.
  func bills(individual worker: Worker.ID) async throws -> [Bill]
  func bill(_ id: Bill.ID) async throws -> Bill?
  func bill(number: String) async throws -> Bill?
  func payments(bill: Bill.ID) async throws -> [Payment]
  /// The payments of the bills among `bills` that the scope shows, by bill, oldest first.
  func payments(bills: [Bill.ID]) async throws -> [Bill.ID: [Payment]]
  /// How many people the unit's enrollments cover on `date` (each once, whatever the product).
  func coveredCount(unit: WorkUnit.ID, on date: CalendarDate) async throws -> Int
  /// Records a payment on a bill, posts it to the fund ledger, and when the bill is then paid
  /// in full switches its cover on. A repeated `idempotencyKey` returns the first outcome;
  /// reusing a key for a different payment is refused.
  func record(
    _ payment: PaymentRequest, on bill: Bill.ID, recordedBy: String, idempotencyKey: String?, scheme: CompiledScheme
  ) async throws -> PaymentOutcome
  func payment(receiptNumber: String) async throws -> Payment?

  /// The ledger of a scheme (optionally one period), oldest first.
  func fundEntries(scheme: String, versionLabel: String?, page: PageQuery) async throws -> PagedResult<FundEntry>
  /// Sums computed by the database, per scheme and period.
  func fundBalances(scheme: String?) async throws -> [FundBalance]
}

/// The union's own work with units and people: outreach visits and the hardship ledger.
public protocol UnionWorkStore: Sendable {
  func record(_ visit: OutreachVisit, today: CalendarDate) async throws
  func outreachVisits(unit: WorkUnit.ID) async throws -> [OutreachVisit]
  /// Visits to units anywhere under `organisation` (or everywhere).
  func outreachSummary(under organisation: Organisation.ID?) async throws -> OutreachSummary

  func create(_ pairing: HardshipPairing) async throws
  func pairings(under organisation: Organisation.ID?) async throws -> [HardshipPairing]
  func pairing(_ id: HardshipPairing.ID) async throws -> HardshipPairing?
  func record(_ visit: PairingVisit, today: CalendarDate) async throws
  func visits(pairing: HardshipPairing.ID) async throws -> [PairingVisit]
}
