import FluentKit
import Foundation
import HuzhuCore

final class AgencyTargetModel: Model, @unchecked Sendable {
  static let schema = "agency_targets"

  @ID(key: .id) var id: UUID?
  @Field(key: "organisation_id") var organisationID: UUID
  @Field(key: "period_start") var periodStart: String
  @Field(key: "period_end") var periodEnd: String
  @Field(key: "measure") var measure: String
  @Field(key: "target") var target: Int64
  @Field(key: "set_by") var setBy: String
  @Field(key: "set_at") var setAt: Date

  init() {}

  init(_ target: AgencyTarget, by: String) {
    id = target.id.rawValue
    organisationID = target.organisationID.rawValue
    periodStart = target.period.from.description
    periodEnd = target.period.to.description
    measure = target.measure.rawValue
    self.target = target.target
    setBy = by
    setAt = Date()
  }

  func domain() throws -> AgencyTarget {
    guard let measure = TargetMeasure(rawValue: measure) else {
      throw CorruptRow(table: Self.schema, column: "measure")
    }
    guard let from = CalendarDate(periodStart), let to = CalendarDate(periodEnd),
      let period = ReportPeriod(from: from, to: to)
    else { throw CorruptRow(table: Self.schema, column: "period_start") }
    return AgencyTarget(
      id: .init(id!), organisationID: .init(organisationID), period: period, measure: measure, target: target)
  }
}

/// One benefit's money of one paid claim, for the statistics by product and benefit.
final class ClaimPayoutModel: Model, @unchecked Sendable {
  static let schema = "claim_payouts"

  @ID(key: .id) var id: UUID?
  @Field(key: "claim_id") var claimID: UUID
  @Field(key: "worker_id") var workerID: UUID
  @OptionalField(key: "unit_id") var unitID: UUID?
  @OptionalField(key: "organisation_id") var organisationID: UUID?
  @Field(key: "scheme_code") var schemeCode: String
  @Field(key: "product_code") var productCode: String
  @Field(key: "benefit_code") var benefitCode: String
  @Field(key: "amount") var amount: Int64
  @Field(key: "paid_on") var paidOn: String

  init() {}

  init(record: ClaimRecord, amount: BenefitAmount, paidOn: CalendarDate) {
    id = UUID()
    claimID = record.id.rawValue
    workerID = record.workerID.rawValue
    unitID = record.unitID?.rawValue
    organisationID = record.organisationID?.rawValue
    schemeCode = record.schemeCode
    productCode = amount.product
    benefitCode = amount.benefit
    self.amount = amount.amount.fen
    self.paidOn = paidOn.description
  }
}
