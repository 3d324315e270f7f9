/// The numbers of a rule version a leader may change in the what-if simulator ("can we raise
/// the 30% to 40%?"): the contribution, band rates, flat rates, deductibles, caps, claim-count
/// limits and lump sums. Each has a stable key; a changed version is validated whole by the
/// scheme compiler before anything is simulated.
public struct RuleParameter: Sendable, Equatable {
  public enum Kind: Sendable, Equatable { case rate, money, count }

  /// e.g. `anyang-hospital-topup.band.0.rate`, `limits.perPeriod`.
  public let key: String
  public let label: LocalizedText
  public let kind: Kind
  /// As written in a scheme file ("30%", "100000.00", "3"); empty when not set.
  public let value: String
}

public enum RuleParameters {
  /// Every editable number of the version, in the order of the file.
  public static func list(_ version: RuleVersionDefinition) -> [RuleParameter] {
    var result: [RuleParameter] = []
    func add(_ key: String, _ zh: String, _ en: String, _ kind: RuleParameter.Kind, _ value: String?) {
      result.append(RuleParameter(key: key, label: LocalizedText(zh: zh, en: en), kind: kind, value: value ?? ""))
    }
    if let contribution = version.contribution {
      add(
        "contribution.perShare", "每份缴费（元）", "Contribution per share (yuan)", .money, contribution.perShare.decimalString
      )
      for (index, step) in (contribution.continuity ?? []).enumerated() {
        add(
          "contribution.continuity.\(index).perShare", "连续参保第 \(step.fromYear) 年起每份缴费（元）",
          "Contribution per share from unbroken year \(step.fromYear) (yuan)", .money, step.perShare.decimalString)
      }
    }
    add(
      "limits.perPeriod", "本产品每期限额（元）", "Product cap per period (yuan)", .money,
      version.limits?.perPeriod?.decimalString)
    add(
      "limits.maxPaidClaims", "本产品每期赔付次数上限", "Product's paid claims per period", .count,
      version.limits?.maxPaidClaims.map(String.init))
    for benefit in version.benefits {
      let code = benefit.code
      let name = benefit.name
      let nameEn = benefit.nameEn ?? benefit.code
      if let hospital = benefit.hospital {
        switch hospital.schedule {
        case .progressive(let bands), .wholeAmount(let bands):
          for (index, band) in bands.enumerated() {
            let range = "\(band.from?.decimalString ?? (index == 0 ? "0" : "…"))–\(band.upTo?.decimalString ?? "")"
            if let amount = band.amount {
              add(
                "\(code).band.\(index).amount", "\(name) \(range) 元段定额（元）",
                "\(nameEn) band \(range) fixed amount (yuan)",
                .money, amount.decimalString)
            } else {
              add(
                "\(code).band.\(index).rate", "\(name) \(range) 元段比例", "\(nameEn) band \(range) rate", .rate,
                band.rate?.percentText)
            }
          }
        case .flat(let rate):
          add("\(code).rate", "\(name) 比例", "\(nameEn) rate", .rate, rate.percentText)
        case .byStay:
          break
        }
        add(
          "\(code).deductible.firstStay", "\(name) 起付线（首次住院，元）", "\(nameEn) deductible, first stay (yuan)", .money,
          hospital.deductible?.firstStay.decimalString)
        add(
          "\(code).deductible.laterStays", "\(name) 起付线（再次住院，元）", "\(nameEn) deductible, later stays (yuan)", .money,
          hospital.deductible?.laterStays?.decimalString)
      }
      let dayBands = benefit.allowance?.paidDaysByStay ?? []
      for (index, band) in dayBands.enumerated() {
        add(
          "\(code).paidDaysByStay.\(index).days",
          "\(name) 住院\(PaidDaysBandDefinition.range(index, of: dayBands, in: .zh))给付天数",
          "\(nameEn) days paid for a stay of \(PaidDaysBandDefinition.range(index, of: dayBands, in: .en))", .count,
          String(band.days))
      }
      if let lumpSum = benefit.lumpSum {
        add("\(code).amount", "\(name) 给付金额（元）", "\(nameEn) amount (yuan)", .money, lumpSum.amount.decimalString)
      }
      add(
        "\(code).limits.perClaim", "\(name) 每次限额（元）", "\(nameEn) cap per claim (yuan)", .money,
        benefit.limits?.perClaim?.decimalString)
      add(
        "\(code).limits.minimumPerClaim", "\(name) 每次最低给付（元）", "\(nameEn) minimum payment per claim (yuan)",
        .money, benefit.limits?.minimumPerClaim?.decimalString)
      add(
        "\(code).limits.perPeriod", "\(name) 每期限额（元）", "\(nameEn) cap per period (yuan)", .money,
        benefit.limits?.perPeriod?.decimalString)
      add(
        "\(code).limits.maxPaidClaims", "\(name) 每期赔付次数上限", "\(nameEn) paid claims per period", .count,
        benefit.limits?.maxPaidClaims.map(String.init))
      for (index, step) in (benefit.continuity ?? []).enumerated() {
        if benefit.hospital != nil {
          add(
            "\(code).continuity.\(index).rateIncrease", "\(name) 连续参保满\(step.fromYear)年比例提高",
            "\(nameEn) rate increase from year \(step.fromYear)", .rate, step.rateIncrease?.percentText)
        }
        add(
          "\(code).continuity.\(index).capIncrease", "\(name) 连续参保满\(step.fromYear)年封顶线提高（元）",
          "\(nameEn) cap increase from year \(step.fromYear) (yuan)", .money, step.capIncrease?.decimalString)
      }
    }
    return result
  }

  /// The version with `values` (by key) applied: an empty value removes an optional limit,
  /// an unreadable one is reported against its key. Keys not in ``list(_:)`` are refused.
  public static func apply(_ values: [String: String], to version: RuleVersionDefinition) throws(ValidationFailure)
    -> RuleVersionDefinition
  {
    var version = version
    var errors: [FieldError] = []
    let known = Dictionary(list(version).map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
    for (key, raw) in values.sorted(by: { $0.key < $1.key }) {
      let text = raw.trimmingWhitespace
      guard let parameter = known[key] else {
        errors.append(
          FieldError(
            field: key, code: "unknown_parameter", message: LocalizedText(zh: "没有这个参数", en: "no such parameter")))
        continue
      }
      guard text != parameter.value else { continue }
      var money: Money?
      var rate: Rate?
      var count: Int?
      if !text.isEmpty {
        switch parameter.kind {
        case .money: money = Money(yuan: text)
        case .rate: rate = Rate(text: text)
        case .count: count = Int(text)
        }
        let valid =
          switch parameter.kind {
          case .money: money.map { !$0.isNegative && $0 <= SchemeDefinition.largestAmount } ?? false
          case .rate: rate.map { !$0.isNegative && $0 <= .one } ?? false
          case .count: count.map { $0 > 0 } ?? false
          }
        guard valid else {
          errors.append(
            FieldError(
              field: key, code: "invalid_value",
              message: parameter.kind == .rate
                ? LocalizedText(zh: "比例应为0%–100%，如 40%", en: "a rate is 0%–100%, e.g. 40%")
                : parameter.kind == .money
                  ? LocalizedText(
                    zh: "金额应为 0 至 \(SchemeDefinition.largestAmount.decimalString) 元，如 1000.00",
                    en: "an amount is 0 to \(SchemeDefinition.largestAmount.decimalString), e.g. 1000.00")
                  : LocalizedText(zh: "次数应为正整数", en: "a count is a positive whole number")))
          continue
        }
      }
      set(key, money: money, rate: rate, count: count, in: &version)
    }
    guard errors.isEmpty else { throw ValidationFailure(errors) }
    return version
  }

  private static func set(
    _ key: String, money: Money?, rate: Rate?, count: Int?, in version: inout RuleVersionDefinition
  ) {
    switch key {
    case "contribution.perShare": if let money { version.contribution?.perShare = money }
    case _ where key.hasPrefix("contribution.continuity."):
      let parts = key.split(separator: ".")
      if parts.count == 4, parts[3] == "perShare", let step = Int(parts[2]), let money,
        version.contribution?.continuity?.indices.contains(step) == true
      {
        version.contribution?.continuity?[step].perShare = money
      }
    case "limits.perPeriod": version.limits = limits(version.limits) { $0.perPeriod = money }
    case "limits.maxPaidClaims": version.limits = limits(version.limits) { $0.maxPaidClaims = count }
    default:
      for index in version.benefits.indices {
        let code = version.benefits[index].code
        guard key.hasPrefix(code + ".") else { continue }
        let rest = String(key.dropFirst(code.count + 1))
        var benefit = version.benefits[index]
        switch rest {
        case "rate": if let rate { benefit.hospital?.schedule = .flat(rate) }
        case "amount": if let money { benefit.lumpSum?.amount = money }
        case "deductible.firstStay":
          if let money {
            let later = benefit.hospital?.deductible?.laterStays
            benefit.hospital?.deductible = DeductibleDefinition(firstStay: money, laterStays: later)
          } else {
            benefit.hospital?.deductible = nil
          }
        case "deductible.laterStays":
          // A deductible for later stays alone: the first stay deducts nothing.
          if let money, benefit.hospital?.deductible == nil {
            benefit.hospital?.deductible = DeductibleDefinition(firstStay: .zero, laterStays: money)
          } else {
            benefit.hospital?.deductible?.laterStays = money
          }
        case "limits.perClaim": benefit.limits = limits(benefit.limits) { $0.perClaim = money }
        case "limits.minimumPerClaim": benefit.limits = limits(benefit.limits) { $0.minimumPerClaim = money }
        case "limits.perPeriod": benefit.limits = limits(benefit.limits) { $0.perPeriod = money }
        case "limits.maxPaidClaims": benefit.limits = limits(benefit.limits) { $0.maxPaidClaims = count }
        default:
          // band.<i>.rate or .amount, continuity.<i>.rateIncrease or .capIncrease,
          // paidDaysByStay.<i>.days
          let parts = rest.split(separator: ".")
          if parts.count == 3, parts[0] == "paidDaysByStay", parts[2] == "days", let band = Int(parts[1]),
            let count, benefit.allowance?.paidDaysByStay?.indices.contains(band) == true
          {
            benefit.allowance?.paidDaysByStay?[band].days = count
          }
          if parts.count == 3, parts[0] == "continuity", let step = Int(parts[1]),
            benefit.continuity?.indices.contains(step) == true
          {
            if parts[2] == "rateIncrease" { benefit.continuity?[step].rateIncrease = rate }
            if parts[2] == "capIncrease" { benefit.continuity?[step].capIncrease = money }
          }
          if parts.count == 3, parts[0] == "band", let band = Int(parts[1]), var hospital = benefit.hospital,
            parts[2] == "rate" ? rate != nil : money != nil
          {
            // A band keeps what it pays by (``list(_:)`` offers its rate or its amount).
            func change(_ bands: inout [BandDefinition]) {
              if parts[2] == "rate" { bands[band].rate = rate } else { bands[band].amount = money }
            }
            switch hospital.schedule {
            case .progressive(var bands) where bands.indices.contains(band):
              change(&bands)
              hospital.schedule = .progressive(bands)
            case .wholeAmount(var bands) where bands.indices.contains(band):
              change(&bands)
              hospital.schedule = .wholeAmount(bands)
            default: break
            }
            benefit.hospital = hospital
          }
        }
        version.benefits[index] = benefit
      }
    }
  }

  private static func limits(_ limits: LimitsDefinition?, _ change: (inout LimitsDefinition) -> Void)
    -> LimitsDefinition
  {
    var value = limits ?? LimitsDefinition()
    change(&value)
    return value
  }
}
