import Fluent
import Foundation
import HuzhuCore

final class UnitHeadcountModel: Model, @unchecked Sendable {
  static let schema = "unit_headcounts"

  @ID(key: .id) var id: UUID?
  @Field(key: "unit_id") var unitID: UUID
  @Field(key: "as_of") var asOf: String
  @Field(key: "total") var total: Int
  @Field(key: "female") var female: Int

  init() {}

  init(unitID: UUID, _ report: HeadcountReport) {
    id = UUID()
    self.unitID = unitID
    asOf = report.asOf.description
    total = report.total
    female = report.female
  }

  func domain() throws -> HeadcountReport {
    HeadcountReport(asOf: try date(asOf, column: "as_of"), total: total, female: female)
  }
}

final class SchemeRevisionModel: Model, @unchecked Sendable {
  static let schema = "scheme_revisions"

  @ID(key: .id) var id: UUID?
  @Field(key: "code") var code: String
  @Field(key: "revision") var revision: Int
  @Field(key: "organisation_id") var organisationID: UUID
  @Field(key: "name") var name: String
  @Field(key: "source") var source: String
  /// The parsed definition as JSON, so that reading a scheme needs no YAML parser.
  @Field(key: "definition") var definition: String
  @Field(key: "saved_by") var savedBy: String
  @Field(key: "saved_at") var savedAt: Date

  init() {}

  func domain() throws -> StoredScheme {
    guard let data = definition.data(using: .utf8),
      let parsed = try? JSONDecoder().decode(SchemeDefinition.self, from: data)
    else { throw CorruptRow(table: Self.schema, column: "definition") }
    return StoredScheme(
      code: code, organisationID: .init(organisationID), revision: revision, source: source, definition: parsed,
      savedBy: savedBy, savedAt: savedAt)
  }
}

final class BillModel: Model, @unchecked Sendable {
  static let schema = "bills"

  @ID(key: .id) var id: UUID?
  @Field(key: "number") var number: String
  @Field(key: "scheme_code") var schemeCode: String
  @Field(key: "product_code") var productCode: String
  @Field(key: "version_label") var versionLabel: String
  @OptionalField(key: "unit_id") var unitID: UUID?
  @Field(key: "period_start") var periodStart: String
  @Field(key: "period_end") var periodEnd: String
  @Field(key: "issued_on") var issuedOn: String
  @Field(key: "price_per_share") var pricePerShare: Int64
  @Field(key: "rounding") var rounding: String
  @Field(key: "split") var split: String
  @Field(key: "member_count") var memberCount: Int
  @Field(key: "total_due") var totalDue: Int64
  @OptionalField(key: "settled_on") var settledOn: String?
  @Field(key: "lock_version") var lockVersion: Int64
  /// An individual's bill: the node keeping its member's record (M011); nil for a unit's.
  @OptionalField(key: "organisation_id") var organisationID: UUID?
  @Timestamp(key: "created_at", on: .create) var createdAt: Date?

  init() {}

  init(_ bill: Bill, pricePerShare: Money, rounding: RoundingRule) throws {
    id = bill.id.rawValue
    number = bill.number
    schemeCode = bill.schemeCode
    productCode = bill.productCode
    versionLabel = bill.versionLabel
    unitID = bill.unitID?.rawValue
    periodStart = bill.period.start.description
    periodEnd = bill.period.end.description
    issuedOn = bill.issuedOn.description
    self.pricePerShare = pricePerShare.fen
    self.rounding = rounding.rawValue
    split = String(decoding: try JSONEncoder.sorted.encode(bill.split), as: UTF8.self)
    memberCount = bill.memberCount
    totalDue = bill.totalDue.fen
    settledOn = bill.settledOn?.description
    lockVersion = 0
  }

  func domain(parts: [BillPartModel], payments: [PaymentModel]) throws -> Bill {
    guard let rule = try? JSONDecoder().decode(PayerSplitRule.self, from: Data(split.utf8)) else {
      throw CorruptRow(table: Self.schema, column: "split")
    }
    var paid: [PayerAmount] = []
    for payment in payments {
      guard let payer = PayerType(rawValue: payment.payerType) else {
        throw CorruptRow(table: PaymentModel.schema, column: "payer_type")
      }
      let amount = PayerAmount(payer: payer, payerName: payment.payerName, amount: Money(fen: payment.amount))
      if let index = paid.firstIndex(where: { $0.payer == payer && $0.payerName == payment.payerName }) {
        paid[index] = PayerAmount(
          payer: payer, payerName: payment.payerName, amount: paid[index].amount + amount.amount)
      } else {
        paid.append(amount)
      }
    }
    return Bill(
      id: .init(try requireID()), number: number, schemeCode: schemeCode, productCode: productCode,
      versionLabel: versionLabel, unitID: unitID.map { .init($0) },
      period: CoveragePeriod(
        start: try date(periodStart, column: "period_start"), end: try date(periodEnd, column: "period_end")),
      issuedOn: try date(issuedOn, column: "issued_on"), split: rule,
      due: try parts.map { part in
        guard let payer = PayerType(rawValue: part.payerType) else {
          throw CorruptRow(table: BillPartModel.schema, column: "payer_type")
        }
        return PayerAmount(payer: payer, payerName: part.payerName, amount: Money(fen: part.amountDue))
      },
      paid: paid, settledOn: try settledOn.map { try date($0, column: "settled_on") }, memberCount: memberCount)
  }
}

final class BillPartModel: Model, @unchecked Sendable {
  static let schema = "bill_parts"

  @ID(key: .id) var id: UUID?
  @Field(key: "bill_id") var billID: UUID
  @Field(key: "payer_type") var payerType: String
  @OptionalField(key: "payer_name") var payerName: String?
  @Field(key: "amount_due") var amountDue: Int64

  init() {}

  init(billID: UUID, _ part: PayerAmount) {
    id = UUID()
    self.billID = billID
    payerType = part.payer.rawValue
    payerName = part.payerName
    amountDue = part.amount.fen
  }
}

final class EnrollmentModel: Model, @unchecked Sendable {
  static let schema = "enrollments"

  @ID(key: .id) var id: UUID?
  @Field(key: "scheme_code") var schemeCode: String
  @Field(key: "product_code") var productCode: String
  @Field(key: "version_label") var versionLabel: String
  @Field(key: "worker_id") var workerID: UUID
  @OptionalField(key: "unit_id") var unitID: UUID?
  @Field(key: "period_start") var periodStart: String
  @Field(key: "period_end") var periodEnd: String
  @Field(key: "shares") var shares: Int
  @Field(key: "status") var status: String
  @OptionalField(key: "cover_from") var coverFrom: String?
  @OptionalField(key: "previous_cover_end") var previousCoverEnd: String?
  @Field(key: "certificate_number") var certificateNumber: String
  @Field(key: "enrolled_on") var enrolledOn: String
  @Field(key: "bill_id") var billID: UUID
  @OptionalField(key: "price_per_share") var pricePerShare: Int64?
  @Timestamp(key: "created_at", on: .create) var createdAt: Date?

  init() {}

  func domain() throws -> Enrollment {
    guard let status = EnrollmentStatus(rawValue: status) else {
      throw CorruptRow(table: Self.schema, column: "status")
    }
    return Enrollment(
      id: .init(try requireID()), schemeCode: schemeCode, productCode: productCode, versionLabel: versionLabel,
      workerID: .init(workerID), unitID: unitID.map { .init($0) },
      period: CoveragePeriod(
        start: try date(periodStart, column: "period_start"), end: try date(periodEnd, column: "period_end")),
      shares: shares, status: status, coverFrom: try coverFrom.map { try date($0, column: "cover_from") },
      previousCoverEnd: try previousCoverEnd.map { try date($0, column: "previous_cover_end") },
      certificateNumber: certificateNumber, enrolledOn: try date(enrolledOn, column: "enrolled_on"),
      billID: .init(billID), pricePerShare: pricePerShare.map(Money.init(fen:)))
  }
}

final class PaymentModel: Model, @unchecked Sendable {
  static let schema = "payments"

  @ID(key: .id) var id: UUID?
  @Field(key: "bill_id") var billID: UUID
  @Field(key: "receipt_number") var receiptNumber: String
  @Field(key: "payer_type") var payerType: String
  @OptionalField(key: "payer_name") var payerName: String?
  @Field(key: "amount") var amount: Int64
  @Field(key: "paid_on") var paidOn: String
  @Field(key: "reference") var reference: String
  @Field(key: "recorded_by") var recordedBy: String
  @OptionalField(key: "idempotency_key") var idempotencyKey: String?
  /// The request's content, to tell a replay from a different payment under the same key.
  @Field(key: "fingerprint") var fingerprint: String
  @Timestamp(key: "created_at", on: .create) var createdAt: Date?

  init() {}

  init(_ payment: Payment, idempotencyKey: String?, fingerprint: String) {
    id = payment.id.rawValue
    billID = payment.billID.rawValue
    receiptNumber = payment.receiptNumber
    payerType = payment.payer.rawValue
    payerName = payment.payerName
    amount = payment.amount.fen
    paidOn = payment.paidOn.description
    reference = payment.reference
    recordedBy = payment.recordedBy
    self.idempotencyKey = idempotencyKey
    self.fingerprint = fingerprint
  }

  func domain() throws -> Payment {
    guard let payer = PayerType(rawValue: payerType) else { throw CorruptRow(table: Self.schema, column: "payer_type") }
    return Payment(
      id: .init(try requireID()), billID: .init(billID), receiptNumber: receiptNumber, payer: payer,
      payerName: payerName, amount: Money(fen: amount), paidOn: try date(paidOn, column: "paid_on"),
      reference: reference, recordedBy: recordedBy)
  }
}

final class FundEntryModel: Model, @unchecked Sendable {
  static let schema = "fund_entries"

  @ID(key: .id) var id: UUID?
  @Field(key: "scheme_code") var schemeCode: String
  @Field(key: "product_code") var productCode: String
  @Field(key: "version_label") var versionLabel: String
  @Field(key: "posted_on") var postedOn: String
  @Field(key: "kind") var kind: String
  @OptionalField(key: "payer_type") var payerType: String?
  @Field(key: "amount") var amount: Int64
  @Field(key: "source_id") var sourceID: String
  @Field(key: "memo") var memo: String
  @Timestamp(key: "created_at", on: .create) var createdAt: Date?

  init() {}

  init(_ entry: FundEntry) {
    id = entry.id.rawValue
    schemeCode = entry.schemeCode
    productCode = entry.productCode
    versionLabel = entry.versionLabel
    postedOn = entry.postedOn.description
    kind = entry.kind.rawValue
    payerType = entry.payer?.rawValue
    amount = entry.amount.fen
    sourceID = entry.sourceID
    memo = entry.memo
  }

  func domain() throws -> FundEntry {
    guard let kind = FundEntryKind(rawValue: kind) else { throw CorruptRow(table: Self.schema, column: "kind") }
    return FundEntry(
      id: .init(try requireID()), schemeCode: schemeCode, productCode: productCode, versionLabel: versionLabel,
      postedOn: try date(postedOn, column: "posted_on"), kind: kind, payer: payerType.flatMap(PayerType.init),
      amount: Money(fen: amount), sourceID: sourceID, memo: memo)
  }
}

final class OutreachVisitModel: Model, @unchecked Sendable {
  static let schema = "outreach_visits"

  @ID(key: .id) var id: UUID?
  @Field(key: "unit_id") var unitID: UUID
  @Field(key: "visited_on") var visitedOn: String
  @Field(key: "visitor") var visitor: String
  @OptionalField(key: "contact") var contact: String?
  @OptionalField(key: "materials") var materials: String?
  @Field(key: "outcome") var outcome: String
  @OptionalField(key: "decline_reason") var declineReason: String?
  @OptionalField(key: "note") var note: String?
  @Timestamp(key: "created_at", on: .create) var createdAt: Date?

  init() {}

  init(_ visit: OutreachVisit) {
    id = visit.id.rawValue
    unitID = visit.unitID.rawValue
    visitedOn = visit.visitedOn.description
    visitor = visit.visitor
    contact = visit.contact
    materials = visit.materials
    outcome = visit.outcome.rawValue
    declineReason = visit.declineReason?.rawValue
    note = visit.note
  }

  func domain() throws -> OutreachVisit {
    guard let outcome = OutreachOutcome(rawValue: outcome) else {
      throw CorruptRow(table: Self.schema, column: "outcome")
    }
    return OutreachVisit(
      id: .init(try requireID()), unitID: .init(unitID), visitedOn: try date(visitedOn, column: "visited_on"),
      visitor: visitor, contact: contact, materials: materials, outcome: outcome,
      declineReason: declineReason.flatMap(DeclineReason.init), note: note)
  }
}

final class HardshipPairingModel: Model, @unchecked Sendable {
  static let schema = "hardship_pairings"

  @ID(key: .id) var id: UUID?
  @Field(key: "organisation_id") var organisationID: UUID
  @Field(key: "cadre_name") var cadreName: String
  @OptionalField(key: "cadre_phone") var cadrePhone: String?
  @Field(key: "worker_id") var workerID: UUID
  @Field(key: "hardship_level") var hardshipLevel: String
  @Field(key: "started_on") var startedOn: String
  @OptionalField(key: "ended_on") var endedOn: String?
  @Field(key: "cadre_pays") var cadrePays: Bool
  @Timestamp(key: "created_at", on: .create) var createdAt: Date?

  init() {}

  init(_ pairing: HardshipPairing) {
    id = pairing.id.rawValue
    organisationID = pairing.organisationID.rawValue
    cadreName = pairing.cadreName
    cadrePhone = pairing.cadrePhone
    workerID = pairing.workerID.rawValue
    hardshipLevel = pairing.hardshipLevel.rawValue
    startedOn = pairing.startedOn.description
    endedOn = pairing.endedOn?.description
    cadrePays = pairing.cadrePaysContribution
  }

  func domain() throws -> HardshipPairing {
    guard let level = HardshipLevel(rawValue: hardshipLevel) else {
      throw CorruptRow(table: Self.schema, column: "hardship_level")
    }
    return HardshipPairing(
      id: .init(try requireID()), organisationID: .init(organisationID), cadreName: cadreName, cadrePhone: cadrePhone,
      workerID: .init(workerID), hardshipLevel: level, startedOn: try date(startedOn, column: "started_on"),
      endedOn: try endedOn.map { try date($0, column: "ended_on") }, cadrePaysContribution: cadrePays)
  }
}

final class PairingVisitModel: Model, @unchecked Sendable {
  static let schema = "pairing_visits"

  @ID(key: .id) var id: UUID?
  @Field(key: "pairing_id") var pairingID: UUID
  @Field(key: "visited_on") var visitedOn: String
  @Field(key: "note") var note: String
  @Timestamp(key: "created_at", on: .create) var createdAt: Date?

  init() {}

  init(_ visit: PairingVisit) {
    id = visit.id.rawValue
    pairingID = visit.pairingID.rawValue
    visitedOn = visit.visitedOn.description
    note = visit.note
  }

  func domain() throws -> PairingVisit {
    PairingVisit(
      id: .init(try requireID()), pairingID: .init(pairingID), visitedOn: try date(visitedOn, column: "visited_on"),
      note: note)
  }
}

extension Model {
  /// A stored `YYYY-MM-DD` text as a date, or an error naming the table and column.
  func date(_ text: String, column: String) throws -> CalendarDate {
    guard let date = CalendarDate(text) else { throw CorruptRow(table: Self.schema, column: column) }
    return date
  }
}

extension JSONEncoder {
  /// Keys sorted: the same value always makes the same text.
  static var sorted: JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return encoder
  }
}
