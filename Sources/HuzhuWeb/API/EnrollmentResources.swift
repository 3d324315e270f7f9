import HuzhuCore
import Vapor

// The JSON shapes of enrollment, contributions and the fund. Money is a yuan string
// ("60.00"), dates "YYYY-MM-DD", every code comes with its label in both languages.

struct EnrollmentResource: Content {
  let id: UUID
  let schemeCode: String
  let productCode: String
  let versionLabel: String
  let workerId: UUID
  let unitId: UUID?
  let periodStart: CalendarDate
  let periodEnd: CalendarDate
  let shares: Int
  let status: EnrollmentStatus
  let statusLabel: LocalizedText
  let coverFrom: CalendarDate?
  let previousCoverEnd: CalendarDate?
  let certificateNumber: String
  let enrolledOn: CalendarDate
  let billId: UUID
  /// A long-standing member's own price per share; absent: the bill's.
  let pricePerShare: Money?

  init(_ enrollment: Enrollment) {
    id = enrollment.id.rawValue
    schemeCode = enrollment.schemeCode
    productCode = enrollment.productCode
    versionLabel = enrollment.versionLabel
    workerId = enrollment.workerID.rawValue
    unitId = enrollment.unitID?.rawValue
    periodStart = enrollment.period.start
    periodEnd = enrollment.period.end
    shares = enrollment.shares
    status = enrollment.status
    statusLabel = enrollment.status.label
    coverFrom = enrollment.coverFrom
    previousCoverEnd = enrollment.previousCoverEnd
    certificateNumber = enrollment.certificateNumber
    enrolledOn = enrollment.enrolledOn
    billId = enrollment.billID.rawValue
    pricePerShare = enrollment.pricePerShare
  }
}

struct PayerAmountResource: Content {
  let payer: PayerType
  let payerLabel: LocalizedText
  let payerName: String?
  let amount: Money

  init(_ part: PayerAmount) {
    payer = part.payer
    payerLabel = part.payer.label
    payerName = part.payerName
    amount = part.amount
  }
}

struct BillResource: Content {
  let id: UUID
  let number: String
  let schemeCode: String
  let productCode: String
  let versionLabel: String
  let unitId: UUID?
  let periodStart: CalendarDate
  let periodEnd: CalendarDate
  let issuedOn: CalendarDate
  let memberCount: Int
  let status: BillStatus
  let statusLabel: LocalizedText
  let totalDue: Money
  let totalPaid: Money
  let due: [PayerAmountResource]
  let paid: [PayerAmountResource]
  let outstanding: [PayerAmountResource]
  let settledOn: CalendarDate?
  let split: PayerSplitRule

  init(_ bill: Bill) {
    id = bill.id.rawValue
    number = bill.number
    schemeCode = bill.schemeCode
    productCode = bill.productCode
    versionLabel = bill.versionLabel
    unitId = bill.unitID?.rawValue
    periodStart = bill.period.start
    periodEnd = bill.period.end
    issuedOn = bill.issuedOn
    memberCount = bill.memberCount
    status = bill.status
    statusLabel = bill.status.label
    totalDue = bill.totalDue
    totalPaid = bill.totalPaid
    due = bill.due.map(PayerAmountResource.init)
    paid = bill.paid.map(PayerAmountResource.init)
    outstanding = bill.outstanding.map(PayerAmountResource.init)
    settledOn = bill.settledOn
    split = bill.split
  }
}

/// What an accepted enrollment or renewal wrote.
struct EnrollmentPlanResource: Content {
  struct LeftOut: Content {
    let workerId: UUID
    let name: String
    let reason: LocalizedText
  }

  let bill: BillResource
  let enrollments: [EnrollmentResource]
  let leftOut: [LeftOut]

  init(_ plan: EnrollmentPlan, leftOut: [RenewalPlanner.LeftOut] = []) {
    bill = BillResource(plan.bill)
    enrollments = plan.enrollments.map(EnrollmentResource.init)
    self.leftOut = leftOut.map { LeftOut(workerId: $0.workerID.rawValue, name: $0.name, reason: $0.reason) }
  }
}

struct NewEnrollment: Content {
  let schemeCode: String
  let productCode: String
  let periodStart: CalendarDate
  let workerIds: [UUID]
  let shares: Int?
  let split: PayerSplitRule?
  /// The day the request was received; today when absent.
  let requestDate: CalendarDate?
  /// Why `requestDate` is earlier than today (only accounts that may record earlier dates).
  let requestDateReason: String?
}

struct NewRenewal: Content {
  let schemeCode: String
  let productCode: String
  /// The start of the period being renewed.
  let periodStart: CalendarDate
  /// The payer split of the new period; the previous one's when absent.
  let split: PayerSplitRule?
  let requestDate: CalendarDate?
  let requestDateReason: String?
}

struct NewIndividualEnrollment: Content {
  let schemeCode: String
  let productCode: String
  let idNumber: String
  /// Today when absent.
  let periodStart: CalendarDate?
  let shares: Int?
  let split: PayerSplitRule?
}

struct PaymentResource: Content {
  let id: UUID
  let billId: UUID
  let receiptNumber: String
  let payer: PayerType
  let payerLabel: LocalizedText
  let payerName: String?
  let amount: Money
  let paidOn: CalendarDate
  let reference: String
  let recordedBy: String
  /// A void was approved: the payment stays on record and counts for nothing.
  let voided: Bool

  init(_ payment: Payment) {
    id = payment.id.rawValue
    billId = payment.billID.rawValue
    receiptNumber = payment.receiptNumber
    payer = payment.payer
    payerLabel = payment.payer.label
    payerName = payment.payerName
    amount = payment.amount
    paidOn = payment.paidOn
    reference = payment.reference
    recordedBy = payment.recordedBy
    voided = payment.voided
  }
}

struct PaymentOutcomeResource: Content {
  let payment: PaymentResource
  let bill: BillResource
  /// True when the Idempotency-Key had already recorded this payment.
  let replayed: Bool
  /// Enrollments whose cover this payment switched on.
  let activated: Int
}

struct BillDetailResource: Content {
  let bill: BillResource
  let payments: [PaymentResource]
  let enrollments: [EnrollmentResource]
}

/// A certificate as anyone holding its number may verify it: names and ID numbers masked.
struct CertificateResource: Content {
  let certificateNumber: String
  let holderName: String
  let idNumberMasked: String
  let unitName: String?
  let schemeName: String
  let productName: LocalizedText
  let periodStart: CalendarDate
  let periodEnd: CalendarDate
  let shares: Int
  let status: EnrollmentStatus
  let statusLabel: LocalizedText
  let coverFrom: CalendarDate?
  /// Covered on the day of the lookup.
  let inForce: Bool
  let coverState: CoverState
  let coverStateLabel: LocalizedText

  init(_ certificate: Certificate, today: CalendarDate) {
    let enrollment = certificate.enrollment
    certificateNumber = enrollment.certificateNumber
    holderName = PersonName.masked(certificate.holderName)
    idNumberMasked = certificate.holderIDNumber.masked
    unitName = certificate.unitName
    schemeName = certificate.schemeName
    productName = certificate.productName
    periodStart = enrollment.period.start
    periodEnd = enrollment.period.end
    shares = enrollment.shares
    status = enrollment.status
    statusLabel = enrollment.status.label
    coverFrom = enrollment.coverFrom
    inForce = enrollment.covers(today)
    coverState = enrollment.coverState(on: today)
    coverStateLabel = coverState.label
  }
}

struct FundBalanceResource: Content {
  let schemeCode: String
  let versionLabel: String
  let opening: Money
  let contributions: Money
  let subsidies: Money
  let refunds: Money
  let claimsPaid: Money
  let reversals: Money
  let recoveries: Money
  let carriedForward: Money
  let balance: Money
  let entryCount: Int
  let closed: Bool

  init(_ balance: FundBalance, closed: Bool) {
    schemeCode = balance.schemeCode
    versionLabel = balance.versionLabel
    opening = balance.opening
    contributions = balance.contributions
    subsidies = balance.subsidies
    refunds = balance.refunds
    claimsPaid = balance.claimsPaid
    reversals = balance.reversals
    recoveries = balance.recoveries
    carriedForward = balance.carriedForward
    self.balance = balance.balance
    entryCount = balance.entryCount
    self.closed = closed
  }
}

struct FundEntryResource: Content {
  let id: UUID
  let schemeCode: String
  let productCode: String
  let versionLabel: String
  let postedOn: CalendarDate
  let kind: FundEntryKind
  let kindLabel: LocalizedText
  let payer: PayerType?
  let amount: Money
  let sourceId: String
  let memo: String

  init(_ entry: FundEntry) {
    id = entry.id.rawValue
    schemeCode = entry.schemeCode
    productCode = entry.productCode
    versionLabel = entry.versionLabel
    postedOn = entry.postedOn
    kind = entry.kind
    kindLabel = entry.kind.label
    payer = entry.payer
    amount = entry.amount
    sourceId = entry.sourceID
    memo = entry.memo
  }
}

struct SchemeResource: Content {
  struct Version: Content {
    let label: String
    let coverageFrom: CalendarDate
    let coverageTo: CalendarDate?
    let perShare: Money?
    let periodMonths: Int
    let shares: [Int]
    let individualEnrollment: Bool
    let benefits: [String]
  }

  struct Product: Content {
    let code: String
    let name: LocalizedText
    let versions: [Version]
  }

  let code: String
  let name: String
  let nameEn: String?
  let revision: Int
  let organisationId: UUID
  let savedBy: String
  let savedAt: Date
  let products: [Product]
  /// The text as uploaded (YAML); only on the single-scheme resource.
  let source: String?

  init(_ stored: StoredScheme, compiled: CompiledScheme, includeSource: Bool) {
    code = stored.code
    name = stored.definition.scheme.name
    nameEn = stored.definition.scheme.nameEn
    revision = stored.revision
    organisationId = stored.organisationID.rawValue
    savedBy = stored.savedBy
    savedAt = stored.savedAt
    products = compiled.products.map { product in
      Product(
        code: product.code, name: product.name,
        versions: product.versions.map { version in
          Version(
            label: version.label, coverageFrom: version.from, coverageTo: version.to,
            perShare: version.contributionPerShare, periodMonths: version.periodMonths,
            shares: [version.shares.lowerBound, version.shares.upperBound],
            individualEnrollment: version.enrollment?.individualEnrollment ?? false,
            benefits: version.benefits.map(\.code))
        })
    }
    source = includeSource ? stored.source : nil
  }
}
