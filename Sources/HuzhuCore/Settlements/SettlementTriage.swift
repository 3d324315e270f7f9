import Foundation

/// Why a settlement did not become a claim that goes its way alone: each worked by staff from
/// the exceptions queue.
public enum SettlementException: String, Codable, Sendable, CaseIterable, Error {
  /// Nobody with this ID number in the organisation's registry.
  case notMember = "not_member"
  /// The ID number is a member's, the name another's.
  case nameMismatch = "name_mismatch"
  /// A member without paid cover in the source's scheme.
  case noCover = "no_cover"
  /// Cover exists, but not on the settlement's dates (lapsed, or not yet started).
  case notCoveredOnDates = "not_covered_on_dates"
  case waitingPeriod = "waiting_period"
  /// Calculated to nothing for another reason (outside the benefits, deadline, caps reached…).
  case nothingPayable = "nothing_payable"
  /// The rules need a paper the settlement does not stand for (a diagnosis certificate…).
  case documentsNeeded = "documents_needed"
  /// The record's amounts do not add up: the calculation would rest on them.
  case amountsInconsistent = "amounts_inconsistent"
  /// An outpatient settlement (chronic or special disease, dialysis…): the rules judge stays,
  /// so staff decide until the scheme states outpatient benefits of its own.
  case outpatient
  /// The stay or the settlement was claimed before (at the window, or by the old system).
  case possibleDuplicate = "possible_duplicate"
  /// The bureau cancelled or corrected a settlement whose claim is paid or being paid.
  case recoveryDue = "recovery_due"
  /// The bureau corrected a settlement whose claim was already rejected.
  case correctionAfterDecision = "correction_after_decision"
  /// A reversal of a settlement never received here.
  case unknownOriginal = "unknown_original"

  public var label: LocalizedText {
    switch self {
    case .notMember: LocalizedText(zh: "非本会会员", en: "not a member")
    case .nameMismatch: LocalizedText(zh: "姓名与身份证号不符", en: "name and ID number disagree")
    case .noCover: LocalizedText(zh: "未参加该互助保障", en: "no cover in the scheme")
    case .notCoveredOnDates: LocalizedText(zh: "就医日期不在保障期内", en: "not covered on the dates")
    case .waitingPeriod: LocalizedText(zh: "处于等待期", en: "in the waiting period")
    case .nothingPayable: LocalizedText(zh: "计算无应付金额", en: "nothing payable")
    case .documentsNeeded: LocalizedText(zh: "需补充材料", en: "documents needed")
    case .amountsInconsistent: LocalizedText(zh: "结算金额勾稽不符", en: "amounts do not add up")
    case .outpatient: LocalizedText(zh: "门诊结算，需人工判断", en: "outpatient settlement: staff decide")
    case .possibleDuplicate: LocalizedText(zh: "疑似重复申请", en: "possible duplicate")
    case .recoveryDue: LocalizedText(zh: "已支付后结算变更，需追回", en: "changed after payment: recovery due")
    case .correctionAfterDecision: LocalizedText(zh: "不予给付后结算变更", en: "changed after rejection")
    case .unknownOriginal: LocalizedText(zh: "冲销的原结算未收到", en: "reversal of an unknown settlement")
    }
  }

  /// Whether a claim exists to work on (else staff fix the registry and match again, or close).
  public var hasClaim: Bool {
    switch self {
    case .notMember, .nameMismatch, .noCover, .unknownOriginal: false
    default: true
    }
  }
}

/// Where a received settlement stands.
public enum SettlementStatus: String, Codable, Sendable, CaseIterable {
  /// A claim was made and goes its way.
  case claimed
  /// Held in the exceptions queue.
  case held
  /// Cancelled by the bureau (its claim withdrawn, or never made).
  case cancelled
  /// A reversal row: applied to the settlement it cancels.
  case reversal
  /// Arrived already voided: nothing to do.
  case voided
  /// Closed by staff without a claim, with their note.
  case dismissed

  public var label: LocalizedText {
    switch self {
    case .claimed: LocalizedText(zh: "已生成申请", en: "claimed")
    case .held: LocalizedText(zh: "待处理", en: "held")
    case .cancelled: LocalizedText(zh: "已撤销", en: "cancelled")
    case .reversal: LocalizedText(zh: "冲销记录", en: "reversal")
    case .voided: LocalizedText(zh: "无效记录", en: "voided")
    case .dismissed: LocalizedText(zh: "已关闭", en: "dismissed")
    }
  }
}

/// What an arriving record is, against what was received before under its key.
public enum SettlementArrival: Equatable, Sendable {
  /// Never seen: match it and make its claim.
  case new
  /// Sent before exactly so: nothing changes.
  case unchanged
  /// Sent before with other values: the bureau re-settled.
  case corrected
  /// A reversal row, or the record voided in place: cancels `settlementId`.
  case cancels(settlementId: String)
  /// Arrived voided, never seen valid: kept, nothing done.
  case voidedOnArrival

  public static func classify(_ record: SettlementRecord, previous: SettlementRecord?) -> SettlementArrival {
    if let previous, previous == record { return .unchanged }
    // A reversal row never becomes a claim, whatever it was sent as before: it cancels.
    if record.reversal { return .cancels(settlementId: record.originalSettlementId ?? "") }
    if previous != nil { return record.valid ? .corrected : .cancels(settlementId: record.settlementId) }
    return record.valid ? .new : .voidedOnArrival
  }
}

/// What a correction or cancellation does to the claim already made, by where the claim stands.
public enum SettlementCorrection: Equatable, Sendable {
  /// New facts, recalculated: the claim has not been reviewed.
  case updateClaim
  /// Reviewed or approved: back to review with the new facts, any approval given back.
  case reopenClaim
  /// Cancelled before the money left: the claim is withdrawn.
  case withdrawClaim
  /// The money left or is leaving: a recovery case, never a silent change.
  case recovery
  /// Already rejected: staff decide.
  case staffDecides

  public static func plan(for state: ClaimState, cancelling: Bool) -> SettlementCorrection {
    switch state {
    case .inPayment, .paid: .recovery
    case .rejected: cancelling ? .withdrawClaim : .staffDecides
    case .draft, .returned, .submitted: cancelling ? .withdrawClaim : .updateClaim
    case .reviewed, .approved: cancelling ? .withdrawClaim : .reopenClaim
    }
  }
}

/// The decisions that turn a settlement into a claim (docs/settlements.md): who it is, whether
/// they hold cover, and, once the claim is calculated, whether anything holds it back.
public enum SettlementTriage {
  /// The member a record names, or why there is none. `member` is whoever holds the ID
  /// number in the actor's registry; `holdsCover`, whether they hold paid cover in the scheme.
  public static func match(_ record: SettlementRecord, member: (id: Worker.ID, name: String)?, holdsCover: Bool)
    -> Result<Worker.ID, SettlementException>
  {
    guard let member else { return .failure(.notMember) }
    guard normalisedName(member.name) == normalisedName(record.name) else { return .failure(.nameMismatch) }
    guard holdsCover else { return .failure(.noCover) }
    return .success(member.id)
  }

  static func normalisedName(_ name: String) -> String {
    SettlementValue.clean(name).filter { !$0.isWhitespace && $0 != "·" && $0 != "•" }.uppercased()
  }

  /// The claim a matched record becomes, received today: a stay from admission to discharge,
  /// or an outpatient event on the day its period began (or it was settled).
  public static func intake(
    _ record: SettlementRecord, source: String, supplies: [String], today: CalendarDate
  ) -> ClaimIntake {
    let start = record.admissionDate ?? record.settledOn
    let end = record.dischargeDate ?? start
    var event =
      record.isInpatient
      ? ClaimEvent(
        admissionDate: start, dischargeDate: end, settlementDate: record.settledOn, claimDate: today,
        hospitalDays: max(1, end.dayNumber - start.dayNumber), figures: record.amounts.figures,
        treatmentCategory: record.treatmentCategory, setting: .inpatient)
      : ClaimEvent(
        settlementDate: record.settledOn, claimDate: today, figures: record.amounts.figures,
        treatmentCategory: record.treatmentCategory, visitDate: start, setting: .outpatient)
    event.hospitalLevel = record.hospitalLevel.flatMap(HospitalLevel.init(settlementText:))
    event.hospitalLocation = record.hospitalLocation
    return ClaimIntake(
      hospital: record.providerName,
      event: event,
      settlementSheetNumber: record.settlementId,
      settlement: SettlementLink(source: source, settlementId: record.settlementId, supplies: supplies))
  }

  /// What holds a calculated claim back from going on without a person, most serious first,
  /// with what staff are told; nil when nothing does.
  public static func hold(_ claim: ClaimRecord, record: SettlementRecord) -> (SettlementException, LocalizedText)? {
    let problems = record.amounts.inconsistencies
    if !problems.isEmpty {
      return (
        .amountsInconsistent,
        LocalizedText(
          zh: problems.map(\.zh).joined(separator: "；"), en: problems.map(\.en).joined(separator: "; "))
      )
    }
    if (claim.calculatedTotal ?? .zero).fen == 0 {
      // An outpatient period no benefit of the scheme pays: staff decide (the scheme may pay
      // visits by a decision of its own).
      if !record.isInpatient {
        let kind = [record.medicalType, record.diseaseCode, record.diseaseName].compactMap { $0 }.joined(separator: " ")
        return (
          .outpatient,
          LocalizedText(
            zh: "医疗类别 \(kind)：方案的保障不给付此类门诊，是否给付请人工判断",
            en: "medical type \(kind): no benefit of the scheme pays this outpatient care; staff decide")
        )
      }
      let reasons = claim.explanation?.outcomes.flatMap(\.reasons) ?? []
      let text = reasons.first.map(\.text) ?? LocalizedText(zh: "计算结果为0", en: "calculated to zero")
      let codes = Set(reasons.map(\.code))
      let uncovered: [Reason] = [.notCoveredOnDate, .coverEnded, .noRuleVersion]
      if uncovered.contains(where: { codes.contains($0.rawValue) }) { return (.notCoveredOnDates, text) }
      if codes.contains(Reason.waitingPeriod.rawValue) { return (.waitingPeriod, text) }
      return (.nothingPayable, text)
    }
    if !claim.progress.missingDocuments.isEmpty {
      let names = claim.progress.missingDocuments.map(RequiredDocument.label)
      return (
        .documentsNeeded,
        LocalizedText(zh: names.map(\.zh).joined(separator: "、"), en: names.map(\.en).joined(separator: ", "))
      )
    }
    if let flag = claim.duplicates.first {
      return (
        .possibleDuplicate,
        LocalizedText(
          zh: "\(flag.kind.label.zh)：\(flag.earlierClaimNumber)",
          en: "\(flag.kind.label.en): \(flag.earlierClaimNumber)")
      )
    }
    return nil
  }

  /// Whether a claim nothing holds back is approved without a person under `policy`: it pays
  /// at most the threshold and is not among the sample drawn for audit. The draw is fixed by
  /// the settlement ID, so sending a record again never changes it.
  public static func goesStraightThrough(_ claim: ClaimRecord, policy: OneStopPolicy, settlementId: String) -> Bool {
    guard let limit = policy.straightThroughUpTo, let total = claim.calculatedTotal, total.fen > 0, total <= limit
    else { return false }
    return !isSampled(settlementId, rate: policy.sample)
  }

  /// A stable draw: FNV-1a of the ID, as a share of 10,000, against the rate.
  public static func isSampled(_ settlementId: String, rate: Rate) -> Bool {
    guard rate.numerator > 0 else { return false }
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in settlementId.utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x100_0000_01b3
    }
    let draw = Int64(hash % 10_000)
    // draw / 10,000 < numerator / denominator, in integers.
    return draw * rate.denominator < rate.numerator * 10_000
  }
}
