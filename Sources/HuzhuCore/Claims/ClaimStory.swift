/// A paid claim told for publicity (the seeds: "publicity from real, anonymised claim
/// cases"): what a worker went through and what the scheme paid, with nothing that names
/// them — no name, no unit name, no date finer than the month, the age in decades ("40多岁").
public struct ClaimStory: Sendable, Equatable {
  public let schemeName: String
  /// The sector of the worker's unit; nil for someone enrolled on their own.
  public let sector: Sector?
  public let gender: Gender
  /// 40 for someone aged 40 to 49.
  public let ageBand: Int
  public let year: Int
  public let month: Int
  public let hospitalDays: Int?
  /// What the worker still paid after basic medical insurance, when the sheet says.
  public let selfPaid: Money?
  public let paid: Money
  /// The yearly contribution that bought the cover, when known.
  public let contribution: Money?

  /// Where the worker works, as a story says it.
  public var workplace: LocalizedText {
    sector?.label ?? LocalizedText(zh: "灵活就业（个人参保）", en: "flexible employment (enrolled individually)")
  }

  /// The story of `claim` under its scheme's rules, with the yearly contribution of the rule
  /// version that paid (the first paying benefit's product and version).
  public init(claim: ClaimRecord, worker: Worker, sector: Sector?, scheme: SchemeDefinition?) {
    let outcome = claim.explanation?.outcomes.first { $0.total.fen > 0 } ?? claim.explanation?.outcomes.first
    let price = scheme?.products.first { $0.code == outcome?.product }?.versions
      .first { $0.version == outcome?.version }?.contribution?.perShare
    self.init(
      claim: claim, worker: worker, sector: sector, schemeName: scheme?.scheme.name ?? claim.schemeCode,
      contribution: price)
  }

  public init(claim: ClaimRecord, worker: Worker, sector: Sector?, schemeName: String, contribution: Money?) {
    let event = claim.intake.event
    let date = event.dischargeDate ?? event.claimDate
    self.schemeName = schemeName
    self.sector = sector
    self.gender = worker.gender
    self.ageBand = worker.birthDate.age(on: date) / 10 * 10
    self.year = date.year
    self.month = date.month
    self.hospitalDays = event.hospitalDays
    self.selfPaid = event.figures?.selfPaidAfterInsurance
    self.paid = claim.payable
    self.contribution = contribution
  }
}

extension SettlementFigures {
  /// The self-paid part within the pooled scope: as stated, or the compliant cost less what
  /// the pooled fund and critical-illness insurance paid (never below zero).
  public var selfPaidAfterInsurance: Money? {
    self[.selfPaidInScope]
      ?? self[.inScopeCost].map {
        ($0 - (self[.pooledFundPaid] ?? .zero) - (self[.criticalIllnessInsurancePaid] ?? .zero)).clampedAtZero
      }
  }
}
