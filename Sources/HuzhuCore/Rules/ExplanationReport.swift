/// The explanation of benefit for people and programs: a sentence per line in Chinese or
/// English, a plain-text table for the terminal, and an encodable document for JSON.
public struct ExplanationReport: Sendable {
  public let explanation: Explanation
  public let scheme: CompiledScheme

  public init(_ explanation: Explanation, scheme: CompiledScheme) {
    self.explanation = explanation
    self.scheme = scheme
  }

  // MARK: Sentences

  /// A band's amounts in words, its edges as scheme notices state them: `1000.00（含）以下`,
  /// `超过 1000.00 至 5000.00（含）`, `超过 5000.00`; `up to 1000.00 (inclusive)`, `above
  /// 1000.00 up to 5000.00 (inclusive)`, `above 5000.00`.
  /// An edge written the other way round reads `10000.00（含）至 20000.00（不含）`, `不足
  /// 10000.00`, `20000.00（含）以上`; `from 10000.00 up to 20000.00 (exclusive)`, `below
  /// 10000.00`, `20000.00 or more`.
  public static func range(
    from lower: Money?, to upper: Money?, includesFrom: Bool = false, excludesTo: Bool = false,
    in language: DisplayLanguage
  ) -> String {
    let from = lower.flatMap { $0.fen > 0 ? $0.decimalString : nil }
    let to = upper?.decimalString
    let en = language == .en
    switch (from, to) {
    case (nil, let to?):
      if excludesTo { return en ? "below \(to)" : "不足 \(to)" }
      return en ? "up to \(to) (inclusive)" : "\(to)（含）以下"
    case (let from?, let to?):
      let end = excludesTo ? (en ? " (exclusive)" : "（不含）") : (en ? " (inclusive)" : "（含）")
      if en { return "\(includesFrom ? "from" : "above") \(from) up to \(to)\(end)" }
      return includesFrom ? "\(from)（含）至 \(to)\(end)" : "超过 \(from) 至 \(to)\(end)"
    case (let from?, nil):
      if includesFrom { return en ? "\(from) or more" : "\(from)（含）以上" }
      return en ? "above \(from)" : "超过 \(from)"
    case (nil, nil): return en ? "any amount" : "全部金额"
    }
  }

  /// The band of a line in words.
  static func range(of line: ExplanationLine, in language: DisplayLanguage) -> String {
    range(
      from: line.bandFrom, to: line.bandTo, includesFrom: line.bandIncludesFrom, excludesTo: line.bandExcludesTo,
      in: language)
  }

  /// What a line means, e.g. "超过 1000.00的部分 × 50%".
  public func describe(_ line: ExplanationLine, of outcome: BenefitOutcome, in language: DisplayLanguage) -> String {
    func t(_ zh: String, _ en: String) -> String { language == .en ? en : zh }
    var text: String
    switch line.step {
    case .eligibility:
      text = ""
    case .base:
      text = baseFormula(of: outcome).map { $0.text(for: language) } ?? line.step.label.text(for: language)
    case .hospitalRule:
      text =
        hospitalRule(line.count ?? 0, of: outcome).map { hospitals in
          t(
            "按\(Self.describe(hospitals, in: language))的规则",
            "under the rule for \(Self.describe(hospitals, in: language))")
        } ?? ""
    case .deductible:
      let stay = line.count ?? 1
      text = t(
        "第\(stay)次住院起付标准 \(line.limit?.decimalString ?? "")",
        "deductible for stay \(stay): \(line.limit?.decimalString ?? "")")
    case .band:
      // A band holds the amounts above its lower edge up to and including its upper edge, as
      // scheme notices write it: 1000元（含）以下, 超过1000元至5000元（含）, 超过5000元.
      let rate = line.rate?.percentText ?? ""
      let range = Self.range(of: line, in: language)
      text = t("\(range)的部分 × \(rate)", "part \(range) × \(rate)")
    case .rate:
      text = t("按 \(line.rate?.percentText ?? "") 计算", "at \(line.rate?.percentText ?? "")")
      if line.bandFrom != nil {
        let range = Self.range(of: line, in: language)
        text += t("（全额适用“\(range)”档比例）", " (the whole amount at the rate of the band \(range))")
      }
    case .bandAmount:
      let range = Self.range(of: line, in: language)
      let amount = line.amount.decimalString
      text = t("全额“\(range)”档：定额 \(amount)", "the whole amount in the band \(range): a fixed \(amount)")
    case .lumpSum:
      if let subject = line.subject, let diseaseClass = scheme.diseaseClasses[scheme.code(of: subject)]?.definition {
        text = t("病种：\(diseaseClass.name)", "disease: \(diseaseClass.nameEn ?? diseaseClass.name)")
      } else {
        text = ""
      }
    case .observation:
      text = t("参保第 \(line.count ?? 0) 天", "day \(line.count ?? 0) of cover")
    case .paidDaysBand:
      let days = line.count ?? 0
      text = t("住院 \(days) 天", "a stay of \(days) days")
      if let bands = paidDaysBands(of: outcome) {
        let band = PaidDaysBandDefinition.band(of: days, in: bands)
        let range = PaidDaysBandDefinition.range(band, of: bands, in: language)
        text += t("，属“\(range)”档，给付 \(bands[band].days) 天", ", in the band \(range): \(bands[band].days) days paid")
      }
    case .allowanceDays:
      text =
        line.count.map {
          t("\($0) 天 × \(line.base?.decimalString ?? "")", "\($0) days × \(line.base?.decimalString ?? "")")
        } ?? ""
      if let subject = line.subject, let diseaseClass = scheme.diseaseClasses[scheme.code(of: subject)]?.definition {
        text += t("除外病种：\(diseaseClass.name)", "excluded: \(diseaseClass.nameEn ?? diseaseClass.name)")
      }
    case .accidentDeath:
      text = t(
        "保障金额 \(line.base?.decimalString ?? "") × \(line.rate?.percentText ?? "")",
        "sum insured \(line.base?.decimalString ?? "") × \(line.rate?.percentText ?? "")")
    case .accidentDisability:
      text = t(
        "\(line.count ?? 0)级伤残：保障金额 × \(line.rate?.percentText ?? "")",
        "grade \(line.count ?? 0) disability: sum × \(line.rate?.percentText ?? "")")
    case .death:
      text = ""
    case .deathTopUp:
      text = t(
        "补足至 \(line.limit?.decimalString ?? "")，本期已获 \(line.base?.decimalString ?? "")",
        "made up to \(line.limit?.decimalString ?? ""); paid this period \(line.base?.decimalString ?? "")")
    case .accidentOffset:
      text = t(
        "已付身故/伤残金 \(line.limit?.decimalString ?? "")",
        "death/disability already paid: \(line.limit?.decimalString ?? "")")
    case .accidentMedical:
      text =
        line.rate.map {
          t(
            "(医疗费 − 免赔额) × \($0.percentText)，限额 \(line.limit?.decimalString ?? "")",
            "(medical cost − deductible) × \($0.percentText), limit \(line.limit?.decimalString ?? "")")
        } ?? ""
    case .shares:
      text = t("按 \(line.count ?? 1) 份计", "\(line.count ?? 1) shares")
    case .continuity:
      var rewards: [String] = []
      if let rate = line.rate {
        rewards.append(t("给付比例提高 \(rate.percentText)", "rates \(rate.percentText) higher"))
      }
      if let cap = line.limit {
        rewards.append(t("封顶线提高 \(cap.decimalString)", "caps \(cap.decimalString) higher"))
      }
      text =
        t("连续参保第 \(line.count ?? 1) 年：", "year \(line.count ?? 1) of unbroken membership: ")
        + rewards.joined(separator: t("，", ", "))
    case .minimumPayment:
      let least = line.limit?.decimalString ?? ""
      text = t("不足最低给付额，按 \(least) 给付", "raised to the minimum payment of \(least)")
    case .claimCountLimit:
      text = t("每期最多给付 \(line.count ?? 0) 次", "at most \(line.count ?? 0) paid claims a period")
    case .categoryLimit, .perClaimCap, .periodCap, .productCap, .schemeCap:
      text = line.limit.map { t("限额 \($0.decimalString)", "limit \($0.decimalString)") } ?? ""
      if let subject = line.subject { text = "\(scheme.code(of: subject)) " + text }
    }
    if let reason = line.reason {
      let reasonText = reason.text.text(for: language)
      text = text.isEmpty ? reasonText : text + t("；", "; ") + reasonText
    }
    return text
  }

  /// The compiled benefit an outcome was judged under, for what its lines do not carry.
  private func benefit(of outcome: BenefitOutcome) -> CompiledBenefit? {
    scheme.product(outcome.product)?.versions.first { $0.label == outcome.version }?.benefits
      .first { $0.code == outcome.benefit }
  }

  /// The days-paid bands of the outcome's allowance, as the scheme states them.
  private func paidDaysBands(of outcome: BenefitOutcome) -> [PaidDaysBandDefinition]? {
    guard case .allowance(let rule) = benefit(of: outcome)?.rule else { return nil }
    return rule.paidDaysByStay
  }

  /// The hospitals of a hospital rule's `number`th override (from 1).
  private func hospitalRule(_ number: Int, of outcome: BenefitOutcome) -> HospitalsDefinition? {
    guard case .hospital(let rule) = benefit(of: outcome)?.rule, rule.hospitalOverrides.indices.contains(number - 1)
    else { return nil }
    return rule.hospitalOverrides[number - 1].definition
  }

  /// "三级医院、统筹区内" / "level-3 hospital, in the member's city".
  public static func describe(_ hospitals: HospitalsDefinition, in language: DisplayLanguage) -> String {
    let levels = (hospitals.levels ?? []).map { $0.label.text(for: language) }
    let locations = (hospitals.locations ?? []).map { $0.label.text(for: language) }
    let or = language == .en ? " or " : "或"
    return [levels.joined(separator: or), locations.joined(separator: or)].filter { !$0.isEmpty }
      .joined(separator: language == .en ? ", " : "、")
  }

  private func baseFormula(of outcome: BenefitOutcome) -> LocalizedText? {
    guard case .hospital(let rule) = benefit(of: outcome)?.rule else { return nil }
    return Self.formula(rule.base)
  }

  static func formula(_ base: BaseDefinition) -> LocalizedText {
    switch base {
    case .figure(let figure): return figure.label
    case .min(let parts):
      let texts = parts.map(formula)
      return LocalizedText(
        zh: "取较小者（\(texts.map(\.zh).joined(separator: "，"))）",
        en: "the smaller of (\(texts.map(\.en).joined(separator: ", ")))")
    case .max(let parts):
      let texts = parts.map(formula)
      return LocalizedText(
        zh: "取较大者（\(texts.map(\.zh).joined(separator: "，"))）",
        en: "the larger of (\(texts.map(\.en).joined(separator: ", ")))")
    case .subtract(let parts):
      let texts = parts.map(formula)
      return LocalizedText(zh: texts.map(\.zh).joined(separator: " − "), en: texts.map(\.en).joined(separator: " − "))
    }
  }

  // MARK: Terminal table

  /// A table for the terminal, one block per benefit, then the total.
  public func table(in language: DisplayLanguage = .zh) -> String {
    func t(_ zh: String, _ en: String) -> String { language == .en ? en : zh }
    var rows: [[String]] = [[t("步骤", "Step"), t("说明", "Detail"), t("基数", "Base"), t("金额", "Amount")]]
    var separators: Set<Int> = [1]
    for outcome in explanation.outcomes {
      let title =
        "\(outcome.benefitName.text(for: language))（\(outcome.productName.text(for: language))"
        + (outcome.version.map { " \($0)" } ?? "") + "）"
      rows.append([title, "", "", ""])
      for line in outcome.lines {
        rows.append([
          "  " + line.step.label.text(for: language), describe(line, of: outcome, in: language),
          line.base?.decimalString ?? "",
          line.amount.isZero && line.step != .band && line.step != .rate ? "" : line.amount.decimalString,
        ])
      }
      rows.append([
        "  " + t("小计", "Subtotal"), outcome.endsCover ? t("本期该项保障终止", "ends this benefit for the period") : "", "",
        outcome.total.decimalString,
      ])
      separators.insert(rows.count)
    }
    let schemeName = language == .en ? (scheme.definition.scheme.nameEn ?? scheme.name) : scheme.name
    rows.append([t("合计", "Total"), schemeName, "", explanation.total.decimalString])
    return TextTable.render(rows, rightAligned: [2, 3], separatorsBefore: separators)
  }

  // MARK: JSON

  public struct Document: Codable, Sendable, Equatable {
    public struct Outcome: Codable, Sendable, Equatable {
      public let product: String
      public let productName: LocalizedText
      public let version: String?
      public let benefit: String
      public let benefitName: LocalizedText
      public let kind: String?
      public let total: Money
      public let endsCover: Bool
      public let reasons: [ReasonText]
      public let lines: [Line]
    }

    public struct Line: Codable, Sendable, Equatable {
      public let step: Step
      public let label: LocalizedText
      public let description: LocalizedText
      public let base: Money?
      public let rate: String?
      public let amount: Money
      public let limit: Money?
      public let count: Int?
      public let reason: ReasonText?
    }

    public struct ReasonText: Codable, Sendable, Equatable {
      public let code: String
      public let text: LocalizedText
    }

    public let scheme: String
    public var currency = "CNY"
    /// The total as a decimal string in yuan, e.g. "1300.00".
    public let total: Money
    public let outcomes: [Outcome]
  }

  public var document: Document {
    Document(
      scheme: scheme.code, total: explanation.total,
      outcomes: explanation.outcomes.map { outcome in
        Document.Outcome(
          product: outcome.product, productName: outcome.productName, version: outcome.version,
          benefit: outcome.benefit,
          benefitName: outcome.benefitName, kind: outcome.kind?.rawValue, total: outcome.total,
          endsCover: outcome.endsCover,
          reasons: outcome.reasons.map { Document.ReasonText(code: $0.rawValue, text: $0.text) },
          lines: outcome.lines.map { line in
            Document.Line(
              step: line.step, label: line.step.label,
              description: LocalizedText(
                zh: describe(line, of: outcome, in: .zh), en: describe(line, of: outcome, in: .en)),
              base: line.base, rate: line.rate?.percentText, amount: line.amount, limit: line.limit, count: line.count,
              reason: line.reason.map { Document.ReasonText(code: $0.rawValue, text: $0.text) })
          })
      })
  }
}

/// Plain-text tables that line up with Chinese text: CJK characters take two columns.
public enum TextTable {
  public static func render(_ rows: [[String]], rightAligned: Set<Int> = [], separatorsBefore: Set<Int> = []) -> String
  {
    let columns = rows.map(\.count).max() ?? 0
    var widths = Array(repeating: 0, count: columns)
    for row in rows {
      for (index, cell) in row.enumerated() { widths[index] = max(widths[index], displayWidth(cell)) }
    }
    let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-")
    var output: [String] = []
    for (index, row) in rows.enumerated() {
      if separatorsBefore.contains(index) { output.append(rule) }
      let cells = (0..<columns).map { column -> String in
        let cell = column < row.count ? row[column] : ""
        let padding = String(repeating: " ", count: widths[column] - displayWidth(cell))
        return rightAligned.contains(column) ? padding + cell : cell + padding
      }
      var line = cells.joined(separator: " | ")
      while line.hasSuffix(" ") { line.removeLast() }
      output.append(line)
    }
    return output.joined(separator: "\n")
  }

  /// Columns a string takes in a terminal: East Asian wide and full-width characters take two.
  public static func displayWidth(_ text: String) -> Int {
    text.unicodeScalars.reduce(0) { width, scalar in
      let value = scalar.value
      let wide =
        (0x1100...0x115F).contains(value) || (0x2E80...0xA4CF).contains(value) || (0xAC00...0xD7A3).contains(value)
        || (0xF900...0xFAFF).contains(value) || (0xFE30...0xFE4F).contains(value) || (0xFF00...0xFF60).contains(value)
        || (0xFFE0...0xFFE6).contains(value) || (0x20000...0x3FFFD).contains(value)
      return width + (wide ? 2 : 1)
    }
  }
}
