/// A claim's explanation of benefit as the worker reads it: for each benefit judged, what it
/// paid and a sentence per step (what was counted, which rate, which deductible and cap, why
/// anything was not paid), then what was decided: the amount paid (and why it differs from the
/// calculation), or the reason for refusing. The staff's table says the same in columns.
public struct PlainExplanation: Sendable, Equatable {
  public struct Benefit: Sendable, Equatable {
    /// "住院医疗互助金（安阳市职工住院医疗互助保障 2019）".
    public let title: String
    public let total: Money
    public let sentences: [String]
    /// Why this benefit paid nothing, when it did not.
    public let nothingBecause: String?
  }

  public let benefits: [Benefit]
  /// What the rules calculated.
  public let calculated: Money?
  /// What the union decided to pay (nil while undecided or refused).
  public let decided: Money?
  /// The decision in a sentence: paid, adjusted (with the reason), refused (with the reason),
  /// or not yet decided.
  public let decision: String

  /// - Parameter refusal: the note of the refusal in the claim's history, when it was refused.
  public init(_ claim: ClaimRecord, refusal: String?, language: DisplayLanguage) {
    func t(_ zh: String, _ en: String) -> String { language == .en ? en : zh }
    let document = claim.explanation
    benefits = (document?.outcomes ?? []).map { outcome in
      var sentences: [String] = []
      for line in outcome.lines {
        sentences.append(Self.sentence(line, language: language))
      }
      let reasons = outcome.reasons.map { $0.text.text(for: language) }
      return Benefit(
        title: "\(outcome.benefitName.text(for: language))（\(outcome.productName.text(for: language))"
          + (outcome.version.map { " \($0)" } ?? "") + "）",
        total: outcome.total, sentences: sentences,
        nothingBecause: outcome.total.isZero
          ? (reasons.isEmpty ? t("计算结果为零", "the calculation came to nothing") : reasons.joined(separator: t("；", "; ")))
          : nil)
    }
    calculated = document?.total
    switch claim.state {
    case .rejected:
      decided = nil
      decision = t("经审核不予给付", "Refused") + (refusal.map { t("：\($0)", ": \($0)") } ?? "") + t("。", ".")
    case .approved, .inPayment, .paid:
      let amount = claim.payable
      decided = amount
      var text = t("经审核给付互助金 \(amount.formatted)", "Paid: \(amount.formatted)")
      if let adjustment = claim.adjustment, adjustment.amount != document?.total {
        text += t(
          "（按规则计算为 \(document?.total.formatted ?? "—")，经审核调整：\(adjustment.justification)）",
          " (the rules calculated \(document?.total.formatted ?? "—"); adjusted: \(adjustment.justification))")
      }
      decision = text + t("。", ".")
    default:
      decided = nil
      decision = t(
        "尚在办理中，按规则测算可给付 \(claim.payable.formatted)，以审批结果为准。",
        "Still being handled: the rules come to \(claim.payable.formatted), subject to approval.")
    }
  }

  /// One step as a sentence: its name, what it means here, the amount it worked on and what it
  /// added or took away ("分段计算：超过 1000.00 至 5000.00（含）的部分 × 30%，计算金额 ¥2,000.00，得 ¥600.00。").
  static func sentence(_ line: ExplanationReport.Document.Line, language: DisplayLanguage) -> String {
    func t(_ zh: String, _ en: String) -> String { language == .en ? en : zh }
    var text = line.label.text(for: language)
    let description = line.description.text(for: language)
    if !description.isEmpty { text += t("：", ": ") + description }
    if let base = line.base, line.step != .deductible {
      text += t("，计算金额 \(base.formatted)", ", on \(base.formatted)")
    }
    if line.amount.fen > 0 {
      text += t("，得 \(line.amount.formatted)", ", giving \(line.amount.formatted)")
    } else if line.amount.fen < 0 {
      let reduced = Money(fen: -line.amount.fen)
      text += t("，减少 \(reduced.formatted)", ", less \(reduced.formatted)")
    } else if line.step == .band || line.step == .rate {
      text += t("，得 ¥0.00", ", giving ¥0.00")
    }
    return text + t("。", ".")
  }
}
