import Foundation
import HuzhuCore

/// The maintained statistics rows of a generated province (cover, claims by month, first
/// payments), counted in memory while the generator writes the records they stand for.
///
/// Recounting them with ``StatisticsAggregates/rebuildAll(on:)`` after the load read the
/// gigabytes just written back from disk and took four minutes of a full province's
/// generation; counted here they cost a second. The generator's test holds every row equal to
/// that recount, so the two cannot drift apart unnoticed. Contributions by month (a few
/// hundred thousand bill parts and payments) and the units' latest headcounts are still
/// recounted by the stores' own statements, which read little.
///
/// One scheme, and one node per member (nobody moves): so no member is ever paid at two
/// (node, scheme) pairs and `stat_paid_spread` has nothing to hold.
struct GeneratedAggregates {
  struct Cohort {
    let unit: UUID
    let organisation: UUID
    let period: CoveragePeriod
    let persons: Int
    let female: Int
    let renewing: Int
    let renewedLater: Int
  }

  struct PaidKey: Hashable {
    let organisation: UUID
    let sector: String
    let month: String
  }

  struct Paid {
    var claims: Int64 = 0
    var amount: Int64 = 0
    var largest: Int64 = 0
    var onTime: Int64 = 0
  }

  struct ServiceKey: Hashable {
    let organisation: UUID
    let month: String
    let workingDays: Int
  }

  struct BenefitKey: Hashable {
    let organisation: UUID
    let month: String
    let product: String
    let benefit: String
  }

  struct NodeMonth: Hashable {
    let organisation: UUID
    let month: String
  }

  struct MemberYear: Hashable {
    let member: Int
    let year: Int
  }

  let schemeCode: String
  let productCode: String
  var cohorts: [Cohort] = []
  var paid: [PaidKey: Paid] = [:]
  var service: [ServiceKey: (claims: Int64, onTime: Int64)] = [:]
  var benefits: [BenefitKey: (claims: Int64, amount: Int64)] = [:]
  /// Each member's first paid claim in a year and ever, with the member's node.
  var firstInYear: [MemberYear: (day: CalendarDate, organisation: UUID)] = [:]
  var firstEver: [Int: (day: CalendarDate, organisation: UUID)] = [:]

  init(schemeCode: String, productCode: String) {
    self.schemeCode = schemeCode
    self.productCode = productCode
  }

  /// A unit's cover in one period: `persons` members, one product each, `renewing` of them
  /// carried over from the period before and `renewedLater` carried into the next.
  mutating func cover(
    unit: UUID, organisation: UUID, period: CoveragePeriod, persons: Int, female: Int, renewing: Int,
    renewedLater: Int
  ) {
    cohorts.append(
      Cohort(
        unit: unit, organisation: organisation, period: period, persons: persons, female: female, renewing: renewing,
        renewedLater: renewedLater))
  }

  /// A paid claim as the claims and payouts rows hold it (`payout`: the benefit and amount
  /// of its payout row, if it has one).
  mutating func paidClaim(
    member: Int, organisation: UUID, sector: String, approved: Money, paidOn: CalendarDate, dueOn: CalendarDate,
    workingDays: Int?, payout: (benefit: String, amount: Money)?
  ) {
    let month = ReportPeriod.monthKey(year: paidOn.year, month: paidOn.month)
    let onTime: Int64 = paidOn <= dueOn ? 1 : 0
    paid[PaidKey(organisation: organisation, sector: sector, month: month), default: Paid()].add(
      approved.fen, onTime: onTime)
    let service = ServiceKey(organisation: organisation, month: month, workingDays: workingDays ?? -1)
    self.service[service, default: (0, 0)].claims += 1
    self.service[service]!.onTime += onTime
    if let payout {
      let key = BenefitKey(organisation: organisation, month: month, product: productCode, benefit: payout.benefit)
      benefits[key, default: (0, 0)].claims += 1
      benefits[key]!.amount += payout.amount.fen
    }
    let year = MemberYear(member: member, year: paidOn.year)
    if firstInYear[year].map({ paidOn < $0.day }) ?? true { firstInYear[year] = (paidOn, organisation) }
    if firstEver[member].map({ paidOn < $0.day }) ?? true { firstEver[member] = (paidOn, organisation) }
  }

  /// Writes every counted row.
  func write(with inserter: LiteralInserter) async throws {
    let scheme = LiteralInserter.Value.text(schemeCode)
    try await inserter.insert(
      into: "stat_cohorts",
      columns: [
        "unit_id", "organisation_id", "scheme_code", "product_code", "period_start", "period_end", "person_products",
        "new_products", "renewed_products", "renewed_later",
      ],
      rows: cohorts.map { cohort in
        [
          .uuid(cohort.unit), .uuid(cohort.organisation), scheme, .text(productCode),
          .text(cohort.period.start.description), .text(cohort.period.end.description), .int(Int64(cohort.persons)),
          .int(Int64(cohort.persons - cohort.renewing)), .int(Int64(cohort.renewing)),
          .int(Int64(cohort.renewedLater)),
        ]
      })
    try await inserter.insert(
      into: "stat_cohort_persons",
      columns: [
        "unit_id", "organisation_id", "scheme_code", "period_start", "period_end", "persons", "female_persons",
      ],
      rows: cohorts.map { cohort in
        [
          .uuid(cohort.unit), .uuid(cohort.organisation), scheme, .text(cohort.period.start.description),
          .text(cohort.period.end.description), .int(Int64(cohort.persons)), .int(Int64(cohort.female)),
        ]
      })
    try await inserter.insert(
      into: StatisticsAggregates.paidMonths.name,
      columns: ["organisation_id", "sector", "scheme_code", "month", "claims", "amount", "largest", "on_time"],
      rows: paid.map { key, counts in
        [
          .uuid(key.organisation), .text(key.sector), scheme, .text(key.month), .int(counts.claims),
          .int(counts.amount), .int(counts.largest), .int(counts.onTime),
        ]
      })
    try await inserter.insert(
      into: StatisticsAggregates.serviceMonths.name,
      columns: ["organisation_id", "scheme_code", "month", "working_days", "claims", "on_time"],
      rows: service.map { key, counts in
        [
          .uuid(key.organisation), scheme, .text(key.month), .int(Int64(key.workingDays)), .int(counts.claims),
          .int(counts.onTime),
        ]
      })
    try await inserter.insert(
      into: StatisticsAggregates.benefitMonths.name,
      columns: ["organisation_id", "scheme_code", "month", "product_code", "benefit_code", "claims", "amount"],
      rows: benefits.map { key, counts in
        [
          .uuid(key.organisation), scheme, .text(key.month), .text(key.product), .text(key.benefit),
          .int(counts.claims), .int(counts.amount),
        ]
      })
    // A row for every node-month with a paid claim, as the recount groups them, with the
    // firsts that fall in it.
    var firsts: [NodeMonth: (year: Int64, ever: Int64)] = [:]
    for key in paid.keys { firsts[NodeMonth(organisation: key.organisation, month: key.month)] = (0, 0) }
    for first in firstInYear.values {
      firsts[NodeMonth(organisation: first.organisation, month: Self.month(first.day)), default: (0, 0)].year += 1
    }
    for first in firstEver.values {
      firsts[NodeMonth(organisation: first.organisation, month: Self.month(first.day)), default: (0, 0)].ever += 1
    }
    try await inserter.insert(
      into: StatisticsAggregates.paidPersonMonths.name,
      columns: ["organisation_id", "scheme_code", "month", "year_firsts", "ever_firsts"],
      rows: firsts.map { key, counts in
        [.uuid(key.organisation), scheme, .text(key.month), .int(counts.year), .int(counts.ever)]
      })
  }

  static func month(_ day: CalendarDate) -> String { ReportPeriod.monthKey(year: day.year, month: day.month) }
}

extension GeneratedAggregates.Paid {
  mutating func add(_ amount: Int64, onTime: Int64) {
    claims += 1
    self.amount += amount
    largest = max(largest, amount)
    self.onTime += onTime
  }
}
