/// Who pays (part of) a member's contribution. Reports and the fund ledger group money by it.
public enum PayerType: String, Codable, Sendable, CaseIterable {
  /// The employer (参保单位).
  case employer
  case worker
  /// Union subsidies by level (各级工会补贴).
  case unionProvince = "union_province"
  case unionCity = "union_city"
  case unionCounty = "union_county"
  /// Someone else for a named member, e.g. a cadre paying for a paired hardship worker.
  case thirdParty = "third_party"

  public var label: LocalizedText {
    switch self {
    case .employer: LocalizedText(zh: "单位", en: "employer")
    case .worker: LocalizedText(zh: "个人", en: "worker")
    case .unionProvince: LocalizedText(zh: "省级工会补贴", en: "provincial union subsidy")
    case .unionCity: LocalizedText(zh: "市级工会补贴", en: "city union subsidy")
    case .unionCounty: LocalizedText(zh: "县区工会补贴", en: "county union subsidy")
    case .thirdParty: LocalizedText(zh: "第三方代缴", en: "third party")
    }
  }
}

/// How a unit's contributions are shared for one period.
///
/// Applied per member in this order: union subsidies inside the price reduce what is left;
/// the employer pays its share of what is left (a percentage, rounded by the scheme's rule,
/// or a fixed amount per person); the worker pays the rest, unless a third party pays it for
/// them. Union subsidies `onTop` are paid to the fund in addition to the price.
public struct PayerSplitRule: Codable, Sendable, Equatable {
  public enum EmployerShare: Codable, Sendable, Equatable {
    case none
    case percent(Rate)
    case fixedPerPerson(Money)
  }

  public struct UnionSubsidy: Codable, Sendable, Equatable {
    public var payer: PayerType
    public var perPerson: Money
    /// Paid to the fund on top of the price (Anyang: 60 from unit and worker, plus 30).
    public var onTop: Bool

    public init(payer: PayerType, perPerson: Money, onTop: Bool) {
      self.payer = payer
      self.perPerson = perPerson
      self.onTop = onTop
    }
  }

  public var employer: EmployerShare
  public var unionSubsidies: [UnionSubsidy]
  /// Members whose own share someone else pays, and who pays it.
  public var thirdParties: [Worker.ID: String]

  public init(
    employer: EmployerShare = .none, unionSubsidies: [UnionSubsidy] = [], thirdParties: [Worker.ID: String] = [:]
  ) {
    self.employer = employer
    self.unionSubsidies = unionSubsidies
    self.thirdParties = thirdParties
  }

  public func validate() -> [FieldError] {
    var errors: [FieldError] = []
    switch employer {
    case .percent(let rate) where rate.isNegative || Rate.one < rate:
      errors.append(
        FieldError(
          field: "employer", code: "invalid_rate",
          message: LocalizedText(zh: "单位承担比例应在0–100%之间", en: "the employer's share is 0–100%")))
    case .fixedPerPerson(let amount) where amount.isNegative:
      errors.append(
        FieldError(
          field: "employer", code: "negative_amount",
          message: LocalizedText(zh: "金额不能为负数", en: "an amount cannot be negative")))
    default: break
    }
    for (index, subsidy) in unionSubsidies.enumerated() {
      if ![.unionProvince, .unionCity, .unionCounty].contains(subsidy.payer) {
        errors.append(
          FieldError(
            field: "unionSubsidies[\(index)].payer", code: "not_a_union",
            message: LocalizedText(
              zh: "工会补贴的付款方须为省、市或县区工会", en: "a union subsidy is paid by a provincial, city or county union")))
      }
      if subsidy.perPerson.isNegative {
        errors.append(
          FieldError(
            field: "unionSubsidies[\(index)].perPerson", code: "negative_amount",
            message: LocalizedText(zh: "金额不能为负数", en: "an amount cannot be negative")))
      }
    }
    return errors
  }
}

/// One member on a unit's bill.
public struct BillMember: Hashable, Sendable {
  public let worker: Worker.ID
  public let shares: Int
  /// The member's own price per share (a long-standing member's lower one); nil: the bill's.
  public let pricePerShare: Money?

  public init(worker: Worker.ID, shares: Int = 1, pricePerShare: Money? = nil) {
    self.worker = worker
    self.shares = shares
    self.pricePerShare = pricePerShare
  }
}

/// A unit's bill for one period: what each member costs and who pays each part.
public struct ContributionBill: Sendable, Equatable {
  public struct Part: Hashable, Sendable {
    public let payer: PayerType
    public let amount: Money
    /// The third party's name, for `thirdParty` parts.
    public let payerName: String?
  }

  public struct Line: Sendable, Equatable {
    public let worker: Worker.ID
    public let shares: Int
    /// Price × shares: what the member's cover costs.
    public let price: Money
    public let parts: [Part]

    /// Everything the fund receives for this member (price plus subsidies on top).
    public var collected: Money { parts.reduce(.zero) { $0 + $1.amount } }
  }

  public let lines: [Line]

  public var totalPrice: Money { lines.reduce(.zero) { $0 + $1.price } }
  public var totalCollected: Money { lines.reduce(.zero) { $0 + $1.collected } }

  /// Totals per payer type, in the order of ``PayerType/allCases``, zero totals left out.
  public var totalsByPayer: [(payer: PayerType, amount: Money)] {
    var sums: [PayerType: Money] = [:]
    for line in lines {
      for part in line.parts { sums[part.payer, default: .zero] += part.amount }
    }
    return PayerType.allCases.compactMap { payer in sums[payer].flatMap { $0.isZero ? nil : (payer, $0) } }
  }

  public func total(for payer: PayerType) -> Money {
    totalsByPayer.first { $0.payer == payer }?.amount ?? .zero
  }

  public static func == (lhs: ContributionBill, rhs: ContributionBill) -> Bool { lhs.lines == rhs.lines }

  /// The bill for `members` at `pricePerShare` (or each member's own), split by `rule`.
  public init(members: [BillMember], pricePerShare: Money, rule: PayerSplitRule, rounding: RoundingRule = .halfUp) {
    lines = members.map { member in
      let price = (member.pricePerShare ?? pricePerShare) * Int64(member.shares)
      var remaining = price
      var parts: [Part] = []
      func pay(_ payer: PayerType, _ amount: Money, name: String? = nil) {
        guard amount.fen > 0 else { return }
        parts.append(Part(payer: payer, amount: amount, payerName: name))
      }
      for subsidy in rule.unionSubsidies where !subsidy.onTop {
        let amount = min(subsidy.perPerson, remaining)
        pay(subsidy.payer, amount)
        remaining -= amount
      }
      let employer: Money
      switch rule.employer {
      case .none: employer = .zero
      case .percent(let rate): employer = remaining.multiplied(by: rate, rounding: rounding)
      case .fixedPerPerson(let amount): employer = min(amount, remaining)
      }
      pay(.employer, employer)
      remaining -= employer
      if let name = rule.thirdParties[member.worker] {
        pay(.thirdParty, remaining, name: name)
      } else {
        pay(.worker, remaining)
      }
      for subsidy in rule.unionSubsidies where subsidy.onTop {
        pay(subsidy.payer, subsidy.perPerson)
      }
      return Line(worker: member.worker, shares: member.shares, price: price, parts: parts)
    }
  }
}

// A readable, stable JSON form: it is stored with each bill and is the API's shape.
//   { "employer": { "kind": "percent", "rate": "75%" },
//     "unionSubsidies": [ { "payer": "union_city", "perPerson": "30.00", "onTop": true } ],
//     "thirdParties": [ { "workerId": "…", "payerName": "王某（包联干部）" } ] }
extension PayerSplitRule.EmployerShare {
  private enum CodingKeys: String, CodingKey { case kind, rate, amount }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    switch try container.decode(String.self, forKey: .kind) {
    case "none": self = .none
    case "percent": self = .percent(try container.decode(Rate.self, forKey: .rate))
    case "fixed_per_person": self = .fixedPerPerson(try container.decode(Money.self, forKey: .amount))
    case let other:
      throw DecodingError.dataCorruptedError(
        forKey: .kind, in: container,
        debugDescription: "unknown employer share \"\(other)\" (none, percent, fixed_per_person)")
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    switch self {
    case .none: try container.encode("none", forKey: .kind)
    case .percent(let rate):
      try container.encode("percent", forKey: .kind)
      try container.encode(rate, forKey: .rate)
    case .fixedPerPerson(let amount):
      try container.encode("fixed_per_person", forKey: .kind)
      try container.encode(amount, forKey: .amount)
    }
  }
}

extension PayerSplitRule {
  private enum CodingKeys: String, CodingKey { case employer, unionSubsidies, thirdParties }

  private struct ThirdParty: Codable {
    let workerId: Worker.ID
    let payerName: String
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    employer = try container.decodeIfPresent(EmployerShare.self, forKey: .employer) ?? .none
    unionSubsidies = try container.decodeIfPresent([UnionSubsidy].self, forKey: .unionSubsidies) ?? []
    let parties = try container.decodeIfPresent([ThirdParty].self, forKey: .thirdParties) ?? []
    thirdParties = Dictionary(parties.map { ($0.workerId, $0.payerName) }, uniquingKeysWith: { first, _ in first })
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(employer, forKey: .employer)
    try container.encode(unionSubsidies, forKey: .unionSubsidies)
    let parties = thirdParties.map { ThirdParty(workerId: $0.key, payerName: $0.value) }
      .sorted { $0.workerId.rawValue.uuidString < $1.workerId.rawValue.uuidString }
    try container.encode(parties, forKey: .thirdParties)
  }
}
