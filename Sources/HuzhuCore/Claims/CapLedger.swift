/// The cap ledger: what each benefit has paid a member in a coverage period. A claim is
/// calculated against it, and an approved claim is recorded in it, in the same transaction,
/// so that two claims of one member can never together pay more than a cap allows.
public struct CapLedger: Equatable, Sendable {
  /// By product code, then benefit code.
  public var histories: [String: [String: BenefitHistory]]

  public init(histories: [String: [String: BenefitHistory]] = [:]) {
    self.histories = histories
  }

  /// What the engine reads: per benefit, per product and for the whole scheme.
  public func caseHistory() -> (history: [String: BenefitHistory], productPaid: [String: Money], schemePaid: Money) {
    var history: [String: BenefitHistory] = [:]
    var productPaid: [String: Money] = [:]
    var schemePaid = Money.zero
    for (product, benefits) in histories {
      for (benefit, used) in benefits {
        history[benefit] = used
        productPaid[product, default: .zero] += used.paidAmount
        schemePaid += used.paidAmount
      }
    }
    return (history, productPaid, schemePaid)
  }

  /// The ledger after paying `amounts` (per product and benefit: the explanation's totals, or
  /// an adjusted split) for the event.
  public mutating func record(_ explanation: Explanation, paying amounts: [BenefitAmount], event: ClaimEvent) {
    for outcome in explanation.outcomes {
      let paid = amounts.first { $0.product == outcome.product && $0.benefit == outcome.benefit }?.amount ?? .zero
      record(
        product: outcome.product, benefit: outcome.benefit, kind: outcome.kind, paid: paid,
        facts: Adjudicator.LedgerFacts(outcome.lines), endsCover: outcome.endsCover, event: event)
    }
  }

  private mutating func record(
    product: String, benefit: String, kind: BenefitDefinition.Kind?, paid: Money, facts: Adjudicator.LedgerFacts,
    endsCover: Bool, event: ClaimEvent
  ) {
    var used = histories[product]?[benefit] ?? .none
    used.record(paid: paid, kind: kind, facts: facts, endsCover: endsCover, event: event)
    histories[product, default: [:]][benefit] = used
  }
}

extension BenefitHistory {
  /// The history after a claim paid `paid` under the benefit: the one rule of what a ledger
  /// counts, for the claims' ledger and the what-if's.
  mutating func record(
    paid: Money, kind: BenefitDefinition.Kind?, facts: Adjudicator.LedgerFacts, endsCover: Bool, event: ClaimEvent
  ) {
    paidAmount += paid
    if paid.fen > 0 { paidClaims += 1 }
    if kind == .hospital && event.careSetting?.isStay != false && facts.hadBase { stays += 1 }
    if paid.fen > 0 { allowanceDays += facts.allowanceDays }
    if endsCover { coverEnded = true }
    if kind == .accident { accidentSumPaid += paid }
    if let category = event.treatmentCategory, paid.fen > 0 {
      var used = categories ?? [:]
      let before = used[category] ?? CategoryHistory(paidAmount: .zero, paidClaims: 0)
      used[category] = CategoryHistory(paidAmount: before.paidAmount + paid, paidClaims: before.paidClaims + 1)
      categories = used
    }
  }
}

/// A member's ledger as batch work keeps it while replaying their claims (the what-if): one
/// entry per product, coverage period and benefit, found by looking along a short list
/// rather than by hashing (a member has a few), and a claim recorded in the period of the
/// cover it was judged under, so that a member's claims in two periods never share caps.
public struct ReplayLedger: Sendable {
  struct Entry: Sendable {
    let product: String
    let coverStart: CalendarDate
    let benefit: String
    var history: BenefitHistory
  }

  var entries: [Entry] = []

  public init() {}

  public var isEmpty: Bool { entries.isEmpty }

  func history(product: String, coverStart: CalendarDate, benefit: String) -> BenefitHistory {
    entries.first { $0.coverStart == coverStart && $0.benefit == benefit && $0.product == product }?.history ?? .none
  }

  /// What the product's benefits paid in the period starting on `coverStart`.
  func paid(product: String, coverStart: CalendarDate) -> Money {
    entries.reduce(.zero) { $1.coverStart == coverStart && $1.product == product ? $0 + $1.history.paidAmount : $0 }
  }

  /// The ledger after paying each judged benefit its total.
  mutating func record(_ judged: [Adjudicator.Judged], event: ClaimEvent) {
    for item in judged {
      let index =
        entries.firstIndex {
          $0.coverStart == item.coverStart && $0.benefit == item.benefit && $0.product == item.product
        }
        ?? {
          entries.append(
            Entry(product: item.product, coverStart: item.coverStart, benefit: item.benefit, history: .none))
          return entries.count - 1
        }()
      entries[index].history.record(
        paid: item.total, kind: item.kind, facts: item.facts, endsCover: item.endsCover, event: event)
    }
  }
}

extension Explanation {
  /// The explanation as stored on a claim, with what the ledger reads of each line (step,
  /// base, amount, count).
  public init(_ document: ExplanationReport.Document) {
    self.init(
      outcomes: document.outcomes.map { outcome in
        BenefitOutcome(
          product: outcome.product, productName: outcome.productName, version: outcome.version,
          benefit: outcome.benefit, benefitName: outcome.benefitName,
          kind: outcome.kind.flatMap(BenefitDefinition.Kind.init),
          lines: outcome.lines.map {
            ExplanationLine(step: $0.step, base: $0.base, amount: $0.amount, count: $0.count)
          },
          total: outcome.total, endsCover: outcome.endsCover)
      })
  }
}

extension CapLedger {
  /// The ledger without what an approval recorded: an appealed approval is taken back before
  /// the claim is judged again.
  public mutating func reverse(_ explanation: Explanation, paying amounts: [BenefitAmount], event: ClaimEvent) {
    var recorded = CapLedger()
    recorded.record(explanation, paying: amounts, event: event)
    for (product, benefits) in recorded.histories {
      for (benefit, taken) in benefits {
        guard var used = histories[product]?[benefit] else { continue }
        used.paidAmount -= taken.paidAmount
        used.paidClaims -= taken.paidClaims
        used.stays -= taken.stays
        used.allowanceDays -= taken.allowanceDays
        used.accidentSumPaid -= taken.accidentSumPaid
        if taken.coverEnded { used.coverEnded = false }
        for (category, part) in taken.categories ?? [:] {
          if let before = used.categories?[category] {
            used.categories?[category] = CategoryHistory(
              paidAmount: before.paidAmount - part.paidAmount, paidClaims: before.paidClaims - part.paidClaims)
          }
        }
        histories[product, default: [:]][benefit] = used
      }
    }
  }
}

/// An amount paid under one benefit of one product.
public struct BenefitAmount: Hashable, Sendable, Codable {
  public let product: String
  public let benefit: String
  public let amount: Money

  public init(product: String, benefit: String, amount: Money) {
    self.product = product
    self.benefit = benefit
    self.amount = amount
  }

  /// The explanation's amounts, or, when a reviewer set a different total, that total split
  /// over the benefits: a reduction comes off the last paying benefits first, an increase
  /// goes to the first benefit that pays (or the first benefit).
  public static func split(_ explanation: Explanation, total: Money?) -> [BenefitAmount] {
    var amounts = explanation.outcomes.map { BenefitAmount(product: $0.product, benefit: $0.benefit, amount: $0.total) }
    guard let total, total != explanation.total, !amounts.isEmpty else { return amounts }
    var difference = total - explanation.total
    if difference.fen > 0 {
      let index = amounts.firstIndex { $0.amount.fen > 0 } ?? 0
      amounts[index] = BenefitAmount(
        product: amounts[index].product, benefit: amounts[index].benefit, amount: amounts[index].amount + difference)
      return amounts
    }
    for index in amounts.indices.reversed() where difference.fen < 0 {
      let cut = min(amounts[index].amount, Money(fen: -difference.fen))
      amounts[index] = BenefitAmount(
        product: amounts[index].product, benefit: amounts[index].benefit, amount: amounts[index].amount - cut)
      difference += cut
    }
    return amounts
  }
}

/// The case the engine judges for a claim: the member, the cover they held on the event's
/// day, the event, and what the ledger says was already paid.
public enum ClaimCaseBuilder {
  public static func build(
    worker: Worker, riskClass: Int? = nil, enrollments: [Enrollment], intake: ClaimIntake, claimDate: CalendarDate,
    ledger: CapLedger
  ) -> ClaimCase {
    build(
      member: MemberFacts(worker, riskClass: riskClass),
      cover: enrollments.compactMap(\.heldCover), event: intake.event, claimDate: claimDate, ledger: ledger)
  }

  /// The same from the facts alone (the what-if replays stored facts, not records): `cover`
  /// is the member's paid cover in the scheme; `member.cover` is replaced by the part of it
  /// in force on the event's day.
  public static func build(
    member: MemberFacts, cover: [HeldCover], event: ClaimEvent, claimDate: CalendarDate, ledger: CapLedger
  ) -> ClaimCase {
    var event = event
    event.claimDate = claimDate
    var member = member
    member.cover = withMembership(coverInForce(cover, on: event.eventDate ?? claimDate), among: cover).map(\.facts)
    let used = ledger.caseHistory()
    return ClaimCase(
      member: member, event: event, history: used.history, productPaid: used.productPaid, schemePaid: used.schemePaid)
  }
}

extension ClaimCaseBuilder {
  /// The cover whose period contains the event's `day`; when none does, all of it, so that a
  /// claim for an event outside every period still gets an explanation (each benefit says
  /// "not covered"). Choosing again from the result gives the same.
  public static func coverInForce(_ cover: [HeldCover], on day: CalendarDate) -> [HeldCover] {
    func inForce(_ held: HeldCover) -> Bool { held.period.start <= day && day <= held.period.end }
    // Usually every cover given is in force (the what-if's cases hold only that): no new array.
    if cover.allSatisfy(inForce) { return cover }
    let held = cover.filter(inForce)
    return held.isEmpty ? cover : held
  }

  /// `inForce` with each period's unbroken membership counted (``CoverFacts/consecutiveYears``)
  /// from the member's other periods of the product in `all`: each earlier period ending the
  /// day before the next starts, and the earliest's own `previousCoverEnd` (a renewal taken
  /// over from before) one more. Periods with no earlier one are left as they are; so is
  /// everything when `all` holds nothing else (the common case, and no new array).
  public static func withMembership(_ inForce: [HeldCover], among all: [HeldCover]) -> [HeldCover] {
    guard all.count > inForce.count else { return inForce }
    return inForce.map { held in
      guard held.facts.consecutiveYears == nil else { return held }
      var years = 1
      var start = held.period.start
      var earliest = held
      while let previous = all.first(where: {
        $0.facts.product == held.facts.product && $0.period.end.adding(days: 1) == start
      }) {
        years += 1
        start = previous.period.start
        earliest = previous
        guard years < 100 else { break }
      }
      guard years > 1 else { return held }
      if let before = earliest.facts.previousCoverEnd, before.adding(days: 1) == earliest.period.start {
        years += 1
      }
      var facts = held.facts
      facts.consecutiveYears = years
      return HeldCover(period: held.period, facts: facts)
    }
  }
}

/// Paid-for cover as the case builder chooses among it: the period bought, and the facts the
/// engine reads (which may start later, at `coverFrom`).
public struct HeldCover: Sendable, Equatable, Codable {
  public let period: CoveragePeriod
  public let facts: CoverFacts

  public init(period: CoveragePeriod, facts: CoverFacts) {
    self.period = period
    self.facts = facts
  }
}

extension Enrollment {
  /// The cover this enrollment gives, once it is paid for.
  public var heldCover: HeldCover? { status == .active ? HeldCover(period: period, facts: coverFacts) : nil }
}

/// Text messages (SMS-ready, in Chinese) the outbox sends at each step.
public enum ClaimNotice: String, Hashable, Sendable, Codable, CaseIterable {
  case submitted, returned, approved, rejected, paid
  /// Approved straight from the medical-insurance settlement, nobody having asked (`note`: the
  /// hospital).
  case settled
  /// The bank sent the transfer back (`note`: the bank's reason).
  case paymentReturned = "payment_returned"
  /// A paid claim was found wrong and money is to be paid back (`note`: what was found).
  case recoveryOpened = "recovery_opened"

  public func text(claimNumber: String, amount: Money?, note: String?, dueOn: CalendarDate?) -> String {
    switch self {
    case .settled:
      "【职工互助】您\(note.map { "在\($0)" } ?? "")的住院已完成医保结算，互助金\(amount?.decimalString ?? "0.00")元"
        + "将转入您登记的银行卡，无需提交材料（申请\(claimNumber)）。"
    case .submitted:
      "【职工互助】您的互助金申请（\(claimNumber)）已受理"
        + (dueOn.map { "，预计于\($0)前办结" } ?? "") + "。"
    case .returned:
      "【职工互助】您的互助金申请（\(claimNumber)）需补充材料：\(note ?? "请联系经办窗口")。补齐后继续办理。"
    case .approved:
      "【职工互助】您的互助金申请（\(claimNumber)）已审批，给付金额\(amount?.decimalString ?? "0.00")元，将转入您登记的银行账户。"
    case .rejected:
      "【职工互助】您的互助金申请（\(claimNumber)）经审核不予给付：\(note ?? "")。如有异议可申诉一次。"
    case .paid:
      "【职工互助】互助金\(amount?.decimalString ?? "0.00")元（申请\(claimNumber)）已支付"
        + (note.map { "，其中\($0)元抵扣应退回的互助金" } ?? "") + "，请注意查收。"
    case .paymentReturned:
      "【职工互助】互助金（申请\(claimNumber)）被银行退回：\(note ?? "账户有误")。请携银行卡到经办窗口更正账户，更正后重新支付。"
    case .recoveryOpened:
      "【职工互助】经核查，互助金（申请\(claimNumber)）需退回\(amount?.decimalString ?? "")元：\(note ?? "")。"
        + "请到经办窗口办理或来电咨询。"
    }
  }
}

/// What the engine and the rules say about a claim's facts: its explanation, the approval
/// levels it needs, and the documents still missing. One function for a claim opened alone,
/// a claim in a file, and a claim whose facts changed.
public enum ClaimAssessment {
  public static func assess(
    _ record: inout ClaimRecord, worker: Worker, enrollments: [Enrollment], ledger: CapLedger,
    suppliedDocuments: Set<String>, scheme: CompiledScheme
  ) throws(ValidationFailure) {
    let claimCase = ClaimCaseBuilder.build(
      worker: worker, enrollments: enrollments, intake: record.intake, claimDate: record.intake.event.claimDate,
      ledger: ledger)
    let explanation = try Adjudicator.adjudicate(claimCase, under: scheme)
    record.explanation = ExplanationReport(explanation, scheme: scheme).document
    let kinds = Set(explanation.outcomes.filter { $0.total.fen > 0 }.compactMap(\.kind))
    record.progress.requiredLevels = scheme.claimsPolicy.approval.levels(
      for: kinds.isEmpty ? Set(explanation.outcomes.compactMap(\.kind)) : kinds)
    record.progress.missingDocuments = missingDocuments(of: record, in: scheme, supplied: suppliedDocuments)
  }

  /// The required documents neither attached nor stood for by the claim's settlement record.
  public static func missingDocuments(of record: ClaimRecord, in scheme: CompiledScheme, supplied: Set<String>)
    -> [String]
  {
    let standingIn = Set(record.intake.settlement?.supplies ?? [])
    return requiredDocuments(of: record, in: scheme).filter { !supplied.contains($0) && !standingIn.contains($0) }
  }

  /// The documents the claim needs, in the scheme's order: every product's version list, and
  /// the own list of each benefit the claim would pay.
  public static func requiredDocuments(of record: ClaimRecord, in scheme: CompiledScheme) -> [String] {
    var result: [String] = []
    for outcome in record.explanation?.outcomes ?? [] {
      let version = scheme.product(outcome.product)?.versions.first { $0.label == outcome.version }
      var codes = version?.requiredDocuments ?? []
      if outcome.total.fen > 0 {
        codes += version?.benefits.first { $0.code == outcome.benefit }?.requiredDocuments ?? []
      }
      for code in codes where !result.contains(code) { result.append(code) }
    }
    return result
  }
}

/// Where a running claim stands against its due date.
public enum ClaimDeadline: String, Sendable, Codable {
  case overdue
  case dueToday = "due_today"
  case onTime = "on_time"

  /// States in which the clock runs.
  public static let running: Set<ClaimState> = [.submitted, .reviewed, .approved, .inPayment]
  /// Running and still in staff's hands (not yet with the bank): what the dashboard counts as
  /// due today or overdue, and what its links to the queue show.
  public static let chased: Set<ClaimState> = [.submitted, .reviewed, .approved]

  public var label: LocalizedText {
    switch self {
    case .overdue: LocalizedText(zh: "已超期", en: "overdue")
    case .dueToday: LocalizedText(zh: "今日到期", en: "due today")
    case .onTime: LocalizedText(zh: "未到期", en: "on time")
    }
  }
}

extension ClaimRecord {
  /// Against `today`; nil when no clock runs (not submitted, returned, decided, or no due date).
  public func deadline(on today: CalendarDate) -> ClaimDeadline? {
    guard ClaimDeadline.running.contains(state), let due = dueOn else { return nil }
    if due < today { return .overdue }
    return due == today ? .dueToday : .onTime
  }
}
