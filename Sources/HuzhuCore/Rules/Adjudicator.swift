/// The rules engine: judges an event against a compiled scheme and explains every step.
///
/// Pure and deterministic: the same case and scheme always give the same explanation.
/// ``adjudicate(_:in:lines:)`` is the allocation-free core that batch work and the
/// benchmark call with a reused line buffer.
public enum Adjudicator {
  /// Every benefit of every product the member holds, for one event.
  ///
  /// - Throws: ``ValidationFailure`` when the case names a product the scheme lacks or a
  ///   number of shares the rule version does not allow: bad input, not a zero benefit.
  public static func adjudicate(_ claim: ClaimCase, under scheme: CompiledScheme) throws(ValidationFailure)
    -> Explanation
  {
    var outcomes: [BenefitOutcome] = []
    var lines: [ExplanationLine] = []
    try judgeEach(
      claim.member.cover, member: claim.member, event: claim.event, under: scheme,
      history: { _, benefit in claim.history?[benefit] ?? .none },
      productPaid: { claim.productPaid?[$0.product] ?? .zero }, schemePaid: claim.schemePaid ?? .zero, lines: &lines
    ) { product, version, benefit, _, total, endsCover, lines in
      outcomes.append(
        BenefitOutcome(
          product: product.code, productName: product.name, version: version?.label,
          benefit: benefit?.code ?? product.code, benefitName: benefit?.name ?? product.name, kind: benefit?.kind,
          lines: lines, total: total, endsCover: endsCover))
    }
    return Explanation(outcomes: outcomes)
  }

  /// One benefit's judgement reduced to what a cap ledger records and what a tally adds up:
  /// batch work that shows no explanation (the what-if's replay of a year) keeps these instead
  /// of explanations, and reuses one line buffer for every benefit.
  ///
  /// A judgement points at the compiled product and benefit without holding them: it lives in
  /// a buffer of the replay that judged it, under rules the replay holds, and counting two
  /// references for each of a million judgements was a tenth of the replay. So neither this
  /// nor ``judge(_:of:event:ledger:under:lines:into:)`` leaves HuzhuCore.
  struct Judged: Sendable {
    // The compiled objects, not their codes: a code is a string every copy of the rules
    // shares, and retaining it on two cores at once made them wait on each other.
    unowned(unsafe) let compiledProduct: CompiledProduct
    unowned(unsafe) let compiledBenefit: CompiledBenefit?
    public let total: Money
    public let endsCover: Bool
    /// What the ledger reads of the lines: a base was worked out, and the days paid.
    public let facts: LedgerFacts
    /// The start of the cover it was judged under (its period, for the ledger).
    public let coverStart: CalendarDate

    public var product: String { compiledProduct.code }
    /// The product's code when no rule version covers the period (then `kind` is nil).
    public var benefit: String { compiledBenefit?.code ?? compiledProduct.code }
    public var kind: BenefitDefinition.Kind? { compiledBenefit?.kind }
    /// The product's place among its scheme's products.
    var productPosition: Int { compiledProduct.position }
  }

  /// What a cap ledger counts of a benefit's lines besides the money: whether a base was
  /// worked out (a stay reaching the deductible), and the allowance days paid.
  public struct LedgerFacts: Sendable, Equatable {
    public let hadBase: Bool
    public let allowanceDays: Int

    public init(_ lines: [ExplanationLine]) {
      var hadBase = false
      var days = 0
      for line in lines {
        if line.step == .base && line.base != nil { hadBase = true }
        if line.step == .allowanceDays && line.amount.fen > 0 { days += line.count ?? 0 }
      }
      self.hadBase = hadBase
      self.allowanceDays = days
    }
  }

  /// Every benefit of the cover in force, judged against `ledger` (what the member's earlier
  /// claims paid under these rules) into `judged`, without an explanation: the same loop and
  /// the same rules as ``adjudicate(_:under:)``, writing lines only into the reused buffer.
  ///
  /// `cover` is the member's cover in force (``ClaimCaseBuilder/coverInForce(_:on:)``): an
  /// array, or the usual one cover held in the case (both specialised here, in the module,
  /// rather than run through a collection's witnesses, which copied every element).
  ///
  /// - Throws: ``ValidationFailure`` as ``adjudicate(_:under:)`` does.
  static func judge(
    _ cover: some Collection<HeldCover>, of member: MemberFacts, event: ClaimEvent, ledger: ReplayLedger,
    under scheme: CompiledScheme, lines: inout [ExplanationLine], into judged: inout [Judged]
  ) throws(ValidationFailure) {
    judged.removeAll(keepingCapacity: true)
    // Most claims of a year are their member's first: nothing to look up.
    var schemePaid = Money.zero
    if !ledger.isEmpty {
      for held in cover { schemePaid += ledger.paid(product: held.facts.product, coverStart: held.facts.start) }
    }
    try judgeEach(
      cover.lazy.map { $0.facts }, member: member, event: event, under: scheme,
      history: { cover, benefit in
        ledger.isEmpty ? .none : ledger.history(product: cover.product, coverStart: cover.start, benefit: benefit)
      },
      productPaid: { ledger.isEmpty ? .zero : ledger.paid(product: $0.product, coverStart: $0.start) },
      schemePaid: schemePaid, lines: &lines
    ) { product, _, benefit, cover, total, endsCover, lines in
      judged.append(
        Judged(
          compiledProduct: product, compiledBenefit: benefit, total: total, endsCover: endsCover,
          facts: LedgerFacts(lines), coverStart: cover.start))
    }
  }

  /// The one loop over a member's products and benefits: each benefit judged in order, the
  /// product's and scheme's running totals carried from one to the next, and `judged` called
  /// with the lines of each (valid only during the call). A period no rule version covers
  /// gives one outcome without a version or benefit.
  @inline(__always)
  static func judgeEach(
    _ covers: some Collection<CoverFacts>, member: MemberFacts, event: ClaimEvent, under scheme: CompiledScheme,
    history: (_ cover: CoverFacts, _ benefit: String) -> BenefitHistory, productPaid: (CoverFacts) -> Money,
    schemePaid: Money, lines: inout [ExplanationLine],
    judged: (CompiledProduct, CompiledVersion?, CompiledBenefit?, CoverFacts, Money, Bool, [ExplanationLine]) -> Void
  ) throws(ValidationFailure) {
    var schemePaid = schemePaid
    var errors: [FieldError] = []
    for (index, cover) in covers.enumerated() {
      guard let product = scheme.product(cover.product) else {
        errors.append(
          FieldError(
            field: "member.cover[\(index)].product", code: "unknown_product",
            message: LocalizedText(
              zh: "方案中没有产品“\(cover.product)”", en: "the scheme has no product \"\(cover.product)\"")))
        continue
      }
      guard let version = product.version(forCoverageStartingOn: cover.start) else {
        lines.removeAll(keepingCapacity: true)
        lines.append(ExplanationLine(step: .eligibility, reason: .noRuleVersion))
        judged(product, nil, nil, cover, .zero, false, lines)
        continue
      }
      if let shares = cover.shares, !version.shares.contains(shares) {
        errors.append(
          FieldError(
            field: "member.cover[\(index)].shares", code: "invalid_shares",
            message: LocalizedText(
              zh: "份数应在 \(version.shares.lowerBound)–\(version.shares.upperBound) 之间",
              en: "shares must be \(version.shares.lowerBound)–\(version.shares.upperBound)")))
        continue
      }
      var productPaid = productPaid(cover)
      // Benefits not both paid on one event: each judged first as it would pay (in the order
      // listed, totals running), then the group's others paid nothing, and the rest judged
      // again with the totals that leaves.
      var excluded: [Bool] = []
      if !version.exclusive.isEmpty {
        var totals: [Money] = []
        var (trialProduct, trialScheme) = (productPaid, schemePaid)
        for benefit in version.benefits {
          let context = Context(
            version: version, benefit: benefit, member: member, cover: cover, event: event,
            history: history(cover, benefit.code), productPaid: trialProduct, schemePaid: trialScheme)
          let total = adjudicate(context, lines: &lines).total
          trialProduct += total
          trialScheme += total
          totals.append(total)
        }
        excluded = Array(repeating: false, count: totals.count)
        for group in version.exclusive {
          for loser in group.losers(totals) { excluded[loser] = true }
        }
      }
      for (place, benefit) in version.benefits.enumerated() {
        if !excluded.isEmpty && excluded[place] {
          lines.removeAll(keepingCapacity: true)
          lines.append(ExplanationLine(step: .eligibility, reason: .paidUnderExclusiveBenefit))
          judged(product, version, benefit, cover, .zero, false, lines)
          continue
        }
        let context = Context(
          version: version, benefit: benefit, member: member, cover: cover, event: event,
          history: history(cover, benefit.code), productPaid: productPaid, schemePaid: schemePaid)
        let result = adjudicate(context, lines: &lines)
        productPaid += result.total
        schemePaid += result.total
        judged(product, version, benefit, cover, result.total, result.endsCover, lines)
      }
    }
    guard errors.isEmpty else { throw ValidationFailure(errors) }
  }

  /// The facts one benefit is judged on.
  public struct Context: Sendable {
    public let version: CompiledVersion
    public let benefit: CompiledBenefit
    /// The member without their list of cover (the context has the one judged): a context is
    /// made for every benefit of every claim, and every reference in it is counted each time.
    public let member: MemberFacts
    public let cover: CoverFacts
    public let event: ClaimEvent
    public let history: BenefitHistory
    /// Paid by this product this period, including earlier benefits of the same event.
    public let productPaid: Money
    public let schemePaid: Money

    public init(
      version: CompiledVersion, benefit: CompiledBenefit, member: MemberFacts,
      cover: CoverFacts, event: ClaimEvent, history: BenefitHistory, productPaid: Money = .zero,
      schemePaid: Money = .zero
    ) {
      self.version = version
      self.benefit = benefit
      self.member = MemberFacts(
        birthDate: member.birthDate, gender: member.gender, insuranceType: member.insuranceType,
        categories: member.categories, riskClass: member.riskClass, cover: [])
      self.cover = cover
      self.event = event
      self.history = history
      self.productPaid = productPaid
      self.schemePaid = schemePaid
    }

    var shares: Int64 { Int64(cover.shares ?? version.shares.lowerBound) }

    /// The periods of unbroken membership this one ends: as the cover states, else 2 for a
    /// continuous renewal and 1 for anything else.
    var consecutiveYears: Int { cover.consecutiveYears ?? (isContinuousRenewal ? 2 : 1) }

    /// The continuity reward the membership has reached, if any.
    var continuityReward: ContinuityReward? {
      let years = consecutiveYears
      return benefit.continuity.last { $0.fromYear <= years }
    }

    /// The renewal continues the previous period closely enough to skip new waiting and
    /// observation periods.
    var isContinuousRenewal: Bool {
      guard let previousEnd = cover.previousCoverEnd, previousEnd < cover.start else { return false }
      return previousEnd.days(until: cover.start) - 1 <= version.continuityDays
    }

    /// Whether the event carries the kind of facts this benefit judges (a stay, a diagnosis,
    /// an accident), whatever its dates.
    var eventHasFactsForBenefit: Bool {
      switch benefit.kind {
      case .hospital: event.figures != nil || event.dischargeDate != nil
      case .allowance: event.hospitalDays != nil || event.dischargeDate != nil
      case .lumpSum: !(event.diagnoses ?? []).isEmpty
      case .accident: event.accident != nil
      case .death: event.deathDate != nil
      }
    }

    /// The date that decides cover: admission (or the visit), diagnosis or accident.
    var eventDate: CalendarDate? {
      switch benefit.kind {
      case .hospital, .allowance: event.admissionDate ?? event.visitDate
      case .lumpSum: event.diagnosisDate ?? event.admissionDate ?? event.visitDate
      case .accident: event.accidentDate
      case .death: event.deathDate
      }
    }
  }

  /// One benefit. Clears `lines`, writes the explanation into it, returns the total.
  public static func adjudicate(_ context: Context, lines: inout [ExplanationLine]) -> (total: Money, endsCover: Bool) {
    lines.removeAll(keepingCapacity: true)
    if let reason = ineligibility(context) {
      lines.append(ExplanationLine(step: .eligibility, reason: reason))
      return (.zero, false)
    }
    var endsCover = false
    var subtotal: Money
    // A reward for unbroken membership, stated before the calculation it changes.
    let reward = context.benefit.rewardsContinuity ? context.continuityReward : nil
    if let reward {
      lines.append(
        ExplanationLine(
          step: .continuity, rate: reward.rateIncrease == .zero ? nil : reward.rateIncrease,
          limit: reward.capIncrease.isZero ? nil : reward.capIncrease, count: context.consecutiveYears))
    }
    switch context.benefit.rule {
    case .hospital(let rule): subtotal = hospital(rule, context, &lines, rateIncrease: reward?.rateIncrease ?? .zero)
    case .lumpSum(let rule): (subtotal, endsCover) = lumpSum(rule, context, &lines)
    case .allowance(let rule): subtotal = allowance(rule, context, &lines)
    case .accident(let rule): subtotal = accident(rule, context, &lines)
    case .death(let rule):
      subtotal = death(rule, context, &lines)
      endsCover = true
    }
    if context.shares > 1, subtotal.fen > 0, context.benefit.paysPerShare {
      let extra = subtotal * (context.shares - 1)
      lines.append(ExplanationLine(step: .shares, amount: extra, count: Int(context.shares)))
      subtotal += extra
    }
    // "At least 100 yuan when anything is payable": raised before the caps, which still bind.
    if subtotal.fen > 0, let minimum = context.benefit.limits.minimumPerClaim {
      let least = minimum * context.shares
      if subtotal < least {
        lines.append(ExplanationLine(step: .minimumPayment, amount: least - subtotal, limit: least))
        subtotal = least
      }
    }
    if subtotal.fen > 0 {
      applyLimits(context, &subtotal, &lines, capIncrease: reward?.capIncrease ?? .zero)
    }
    return (subtotal, endsCover)
  }

  // MARK: Conditions common to every benefit

  static func ineligibility(_ context: Context) -> Reason? {
    // A benefit for named treatments, or one that leaves them to such a benefit: decided by
    // the event's treatment category before anything else.
    if context.benefit.judgesTreatment, let reason = treatmentReason(context) { return reason }
    if context.benefit.settings != 0, let setting = context.event.careSetting,
      context.benefit.settings & setting.bit == 0
    {
      return .settingNotCovered
    }
    if !context.benefit.hospitals.isAny {
      switch context.benefit.hospitals.contain(context.event) {
      case nil: return .hospitalNotStated
      case false?: return .hospitalNotCovered
      case true?: break
      }
    }
    guard let eventDate = context.eventDate else {
      // An accident benefit asked about an illness is not "missing data": it does not apply.
      return context.eventHasFactsForBenefit ? .missingEventData : .notApplicable
    }
    let cover = context.cover
    if eventDate < cover.start || cover.end < eventDate { return .notCoveredOnDate }
    if let eligibility = context.version.compiledEligibility {
      let member = context.member
      let age = member.birthDate.age(on: cover.start)
      if let from = eligibility.ageFrom, age < from { return .ageNotEligible }
      if let under = member.gender == .male ? eligibility.ageUnderMale : eligibility.ageUnderFemale, age >= under {
        return .ageNotEligible
      }
      if eligibility.genders != 0,
        eligibility.genders & CompiledEligibility.bit(member.gender, in: Gender.allCases) == 0
      {
        return .genderNotEligible
      }
      let insurance = CompiledEligibility.bit(member.insuranceType ?? .urbanEmployee, in: InsuranceType.allCases)
      if eligibility.insuranceTypes != 0, eligibility.insuranceTypes & insurance == 0 {
        return .insuranceTypeNotEligible
      }
    }
    if let genders = context.benefit.genders, !genders.contains(context.member.gender) { return .genderNotEligible }
    if let deadline = context.version.compiledDeadline,
      let last = lastClaimDay(deadline, context.event, eventDate: eventDate),
      last < context.event.claimDate
    {
      return .deadlinePassed
    }
    if context.history.coverEnded { return .coverEnded }
    if let waiting = context.version.waitingPeriod, waiting.days > 0, !context.isContinuousRenewal,
      eventDate < cover.start.adding(days: waiting.days)
    {
      return .waitingPeriod
    }
    return nil
  }

  /// Why a benefit for named treatments, or one that leaves them to another, does not take
  /// this event.
  static func treatmentReason(_ context: Context) -> Reason? {
    let category = context.event.treatmentCategory
    if let treatments = context.benefit.treatments {
      guard let category, treatments.contains(category) else { return .treatmentNotCovered }
      return nil
    }
    guard let category, context.benefit.leavesTreatments.contains(category) else { return nil }
    return .treatmentPaidElsewhere
  }

  /// The last day a claim may be made, counted from the deadline's anchor date.
  static func lastClaimDay(_ deadline: CompiledDeadline, _ event: ClaimEvent, eventDate: CalendarDate) -> CalendarDate?
  {
    let anchor: CalendarDate
    switch deadline.anchor {
    case .discharge: anchor = event.dischargeDate ?? eventDate
    case .settlement: anchor = event.settlementDate ?? event.dischargeDate ?? eventDate
    case .event: anchor = eventDate
    }
    switch deadline.span {
    case .days(let days): return anchor.adding(days: days)
    case .years(let years): return anchor.adding(years: years)
    case .nextYearBy(let month, let day):
      let year = anchor.year + 1
      return CalendarDate(year: year, month: month, day: min(day, CalendarDate.daysIn(month: month, year: year)))
    }
  }

  /// The last day a claim for `event` may be made under `version`, if it has a deadline.
  public static func lastClaimDay(under version: CompiledVersion, for event: ClaimEvent, eventDate: CalendarDate)
    -> CalendarDate?
  {
    version.compiledDeadline.flatMap { lastClaimDay($0, event, eventDate: eventDate) }
  }

  // MARK: Hospital top-up

  static func hospital(
    _ rule: HospitalRule, _ context: Context, _ lines: inout [ExplanationLine], rateIncrease: Rate = .zero
  ) -> Money {
    // The compiler keeps every raised rate within 100% and 64 bits.
    func raised(_ rate: Rate) -> Rate { rateIncrease == .zero ? rate : rate.adding(rateIncrease) ?? rate }
    guard let figures = context.event.figures else {
      lines.append(ExplanationLine(step: .base, reason: .missingEventData))
      return .zero
    }
    guard let base = evaluate(rule.program, figures) else {
      lines.append(ExplanationLine(step: .base, reason: .missingFigure))
      return .zero
    }
    let stay = context.history.stays + 1
    var deductible = rule.deductible
    var schedule = rule.schedule
    var hospitalRule: Int?
    // The first override whose hospitals the event's are; one that needs a fact the claim
    // lacks, before any matched, leaves the rule unknown. (Asked empty first: iterating the
    // array would retain it for every claim of the many benefits without overrides.)
    if !rule.hospitalOverrides.isEmpty {
      for (index, override) in rule.hospitalOverrides.enumerated() {
        guard let applies = override.hospitals.contain(context.event) else {
          lines.append(ExplanationLine(step: .hospitalRule, reason: .hospitalNotStated))
          return .zero
        }
        guard applies else { continue }
        deductible = override.deductible ?? deductible
        schedule = override.schedule ?? schedule
        hospitalRule = index + 1
        break
      }
    }
    let categories = context.member.categories ?? []
    if !rule.overrides.isEmpty, let override = rule.overrides.first(where: { categories.contains($0.category) }) {
      deductible = override.deductible ?? deductible
      schedule = override.schedule ?? schedule
    }
    lines.append(ExplanationLine(step: .base, base: base, reason: base.fen > 0 ? nil : .zeroBase))
    if let hospitalRule { lines.append(ExplanationLine(step: .hospitalRule, count: hospitalRule)) }
    var remaining = base.clampedAtZero
    if let deductible {
      let amount = stay == 1 ? deductible.firstStay : (deductible.laterStays ?? deductible.firstStay)
      if amount.fen > 0 {
        let belowDeductible = remaining.fen > 0 && remaining <= amount
        lines.append(
          ExplanationLine(
            step: .deductible, base: remaining, limit: amount, count: stay,
            reason: belowDeductible ? .belowDeductible : nil))
        remaining = (remaining - amount).clampedAtZero
      }
    }
    guard remaining.fen > 0 else { return .zero }
    if case .byStay(let stays) = schedule {
      schedule = stays[min(stay, stays.count) - 1].schedule
    }
    let rounding = context.version.rounding
    switch schedule {
    case .flat(let written):
      let rate = raised(written)
      let amount = remaining.multiplied(by: rate, rounding: rounding)
      lines.append(
        ExplanationLine(
          step: .rate, base: remaining, rate: rate, amount: amount,
          reason: zeroReason(amount, everyRateZero: rate == .zero)))
      return amount
    case .progressive(let bands):
      var total = Money.zero
      var everyRateZero = true
      for band in bands where remaining.fen > band.lower {
        let slice = Money(fen: min(remaining.fen, band.upper) - band.lower)
        let rate = raised(band.rate)
        let amount = slice.multiplied(by: rate, rounding: rounding)
        var line = ExplanationLine(step: .band, base: slice, rate: rate, amount: amount)
        band.describe(&line)
        lines.append(line)
        total += amount
        everyRateZero = everyRateZero && rate == .zero
      }
      // Nothing from any band ("below 2,000 nothing"): the last band says why.
      if total.fen == 0 { lines[lines.count - 1].reason = zeroReason(total, everyRateZero: everyRateZero) }
      return total
    case .wholeAmount(let bands):
      let band = bands.first { remaining.fen <= $0.upper } ?? bands[bands.count - 1]
      if let fixed = band.amount {
        // The band's fixed amount, whatever the base within it (continuity raises rates only).
        let amount = Money(fen: fixed)
        var line = ExplanationLine(
          step: .bandAmount, base: remaining, amount: amount, reason: fixed == 0 ? .zeroAmount : nil)
        band.describe(&line)
        lines.append(line)
        return amount
      }
      let rate = raised(band.rate)
      let amount = remaining.multiplied(by: rate, rounding: rounding)
      var line = ExplanationLine(
        step: .rate, base: remaining, rate: rate, amount: amount,
        reason: zeroReason(amount, everyRateZero: rate == .zero))
      band.describe(&line)
      lines.append(line)
      return amount
    case .byStay:
      return .zero  // Unreachable: the compiler never nests byStay.
    }
  }

  /// Why a positive base paid nothing at its rates: every rate it met was 0% (a band meant to
  /// pay nothing), or what they gave was under a fen and rounded away. Nil when it paid.
  static func zeroReason(_ amount: Money, everyRateZero: Bool) -> Reason? {
    guard amount.fen == 0 else { return nil }
    return everyRateZero ? .zeroRate : .roundedToZero
  }

  /// The base's value, or nil when a figure it needs is missing.
  static func evaluate(_ program: [BaseOperation], _ figures: SettlementFigures) -> Money? {
    // A postfix program on a small stack: no allocation, no recursion.
    withUnsafeTemporaryAllocation(of: Int64.self, capacity: program.count) { stack in
      var depth = 0
      for operation in program {
        switch operation {
        case .figure(let figure):
          guard let value = figures[figure] else { return nil }
          stack[depth] = value.fen
          depth += 1
        case .min(let count), .max(let count), .subtract(let count):
          let first = depth - count
          var result = stack[first]
          for index in (first + 1)..<depth {
            switch operation {
            case .min: result = Swift.min(result, stack[index])
            case .max: result = Swift.max(result, stack[index])
            default: result -= stack[index]
            }
          }
          if case .subtract = operation { result = Swift.max(0, result) }
          stack[first] = result
          depth = first + 1
        }
      }
      return Money(fen: stack[0])
    }
  }

  // MARK: Death

  static func death(_ rule: DeathDefinition, _ context: Context, _ lines: inout [ExplanationLine]) -> Money {
    if let amount = rule.amount {
      lines.append(ExplanationLine(step: .death, amount: amount, reason: amount.isZero ? .zeroAmount : nil))
      return amount
    }
    // What the product paid the member this period, this event's earlier benefits included,
    // made up to the floor.
    let floor = (rule.madeUpTo ?? .zero) * context.shares
    let paid = context.productPaid
    let topUp = (floor - paid).clampedAtZero
    lines.append(
      ExplanationLine(
        step: .deathTopUp, base: paid, amount: topUp, limit: floor, reason: topUp.isZero ? .floorReached : nil))
    return topUp
  }

  // MARK: Lump sums

  static func lumpSum(_ rule: LumpSumRule, _ context: Context, _ lines: inout [ExplanationLine]) -> (Money, Bool) {
    var best: (code: String, amount: Money)?
    for diagnosis in context.event.diagnoses ?? []
    where rule.classes.contains(diagnosis.class) {
      var amount = rule.amount
      if let classAmount = rule.classAmounts[diagnosis.class] {
        amount = classAmount
      } else if let severity = diagnosis.severity {
        amount = (severity == .mild ? rule.severityAmounts?.mild : rule.severityAmounts?.severe) ?? amount
      }
      if best == nil || best!.amount < amount { best = (diagnosis.class, amount) }
    }
    guard let best else {
      lines.append(ExplanationLine(step: .lumpSum, reason: .notInList))
      return (.zero, false)
    }
    lines.append(ExplanationLine(step: .lumpSum, amount: best.amount, subject: context.benefit.subjects[best.code]))
    if !context.isContinuousRenewal, let eventDate = context.eventDate {
      let day = context.cover.start.days(until: eventDate) + 1
      if let step = rule.observation.first(where: { day <= $0.untilDay }) {
        let reason: Reason = step.pay.isZero ? .observationPeriod : .observationConsolation
        lines.append(ExplanationLine(step: .observation, amount: step.pay - best.amount, count: day, reason: reason))
        return (step.pay, step.coverEnds ?? false)
      }
    }
    return (best.amount, rule.coverEndsAfterPayment && best.amount.fen > 0)
  }

  // MARK: Daily allowance

  static func allowance(_ rule: AllowanceDefinition, _ context: Context, _ lines: inout [ExplanationLine]) -> Money {
    let event = context.event
    guard
      let stated = event.hospitalDays
        ?? event.admissionDate.flatMap({ admission in
          event.dischargeDate.map { admission.days(until: $0) }
        })
    else {
      lines.append(ExplanationLine(step: .allowanceDays, reason: .missingEventData))
      return .zero
    }
    let days = min(stated, AllowanceDefinition.longestStay)
    if let excluded = rule.excludedClasses,
      let diagnosis = event.diagnoses?.first(where: { excluded.contains($0.class) })
    {
      lines.append(
        ExplanationLine(
          step: .allowanceDays, subject: context.benefit.subjects[diagnosis.class], reason: .excludedDiagnosis))
      return .zero
    }
    if let qualifying = rule.staysLongerThan, days <= qualifying {
      lines.append(ExplanationLine(step: .allowanceDays, base: rule.perDay, count: days, reason: .stayNotQualifying))
      return .zero
    }
    var payable: Int
    if let bands = rule.paidDaysByStay {
      // The stay's length picks the days paid (the report names the band from the rule).
      payable = bands[PaidDaysBandDefinition.band(of: days, in: bands)].days
      lines.append(ExplanationLine(step: .paidDaysBand, count: days))
      guard payable > 0 else {
        lines.append(ExplanationLine(step: .allowanceDays, base: rule.perDay, count: 0, reason: .stayNotQualifying))
        return .zero
      }
    } else {
      payable = days - ((rule.fromDay ?? 1) - 1)
    }
    guard payable > 0 else {
      lines.append(ExplanationLine(step: .allowanceDays, base: rule.perDay, count: days, reason: .stayTooShort))
      return .zero
    }
    var reason: Reason?
    if let perStay = rule.maxDaysPerStay, payable > perStay { payable = perStay }
    if let perPeriod = rule.maxDaysPerPeriod {
      let left = max(0, perPeriod - context.history.allowanceDays)
      if payable > left {
        payable = left
        reason = .allowanceDaysExhausted
      }
    }
    let amount = rule.perDay * Int64(payable)
    lines.append(
      ExplanationLine(step: .allowanceDays, base: rule.perDay, amount: amount, count: payable, reason: reason))
    return amount
  }

  // MARK: Accident

  static func accident(_ rule: AccidentRule, _ context: Context, _ lines: inout [ExplanationLine]) -> Money {
    guard let facts = context.event.accident else {
      lines.append(ExplanationLine(step: .accidentDeath, reason: .notApplicable))
      return .zero
    }
    let shares = context.shares
    let sum = (context.member.riskClass.flatMap { rule.sumByRiskClass[$0] } ?? rule.sumInsured) * shares
    if shares > 1 { lines.append(ExplanationLine(step: .shares, base: sum, count: Int(shares))) }
    let rounding = context.version.rounding
    var total = Money.zero
    switch facts.outcome {
    case .death:
      let amount = sum.multiplied(by: rule.death, rounding: rounding)
      lines.append(ExplanationLine(step: .accidentDeath, base: sum, rate: rule.death, amount: amount))
      total = amount
    case .disability:
      guard let grade = facts.disabilityGrade, let rate = rule.disability[grade] else {
        lines.append(
          ExplanationLine(step: .accidentDisability, count: facts.disabilityGrade, reason: .missingEventData))
        break
      }
      let amount = sum.multiplied(by: rate, rounding: rounding)
      lines.append(ExplanationLine(step: .accidentDisability, base: sum, rate: rate, amount: amount, count: grade))
      total = amount
    case .injury:
      break
    }
    // Death and disability together never exceed the sum insured.
    if total.fen > 0 {
      let left = (sum - context.history.accidentSumPaid).clampedAtZero
      if total > left {
        lines.append(
          ExplanationLine(
            step: .accidentOffset, amount: left - total, limit: context.history.accidentSumPaid,
            reason: .deathDisabilityExclusive))
        total = left
      }
    }
    if let medical = rule.medical, let cost = facts.medicalCost {
      let base = (cost - (medical.deductible ?? .zero)).clampedAtZero
      let cap = medical.cap * shares
      let amount = Swift.min(base.multiplied(by: medical.rate, rounding: rounding), cap)
      lines.append(ExplanationLine(step: .accidentMedical, base: base, rate: medical.rate, amount: amount, limit: cap))
      total += amount
    }
    if total.isZero && lines.allSatisfy({ $0.reason == nil }) {
      lines.append(ExplanationLine(step: .accidentMedical, reason: .notApplicable))
    }
    return total
  }

  // MARK: Limits

  static func applyLimits(
    _ context: Context, _ subtotal: inout Money, _ lines: inout [ExplanationLine], capIncrease: Money = .zero
  ) {
    let benefit = context.benefit
    let history = context.history
    let shares = context.shares

    func reduce(to allowed: Money, _ step: Step, limit: Money, reason: Reason) {
      let allowed = allowed.clampedAtZero
      guard allowed < subtotal else { return }
      lines.append(ExplanationLine(step: step, amount: allowed - subtotal, limit: limit, reason: reason))
      subtotal = allowed
    }

    if let maximum = benefit.limits.maxPaidClaims, history.paidClaims >= maximum {
      lines.append(ExplanationLine(step: .claimCountLimit, amount: -subtotal, count: maximum, reason: .claimCountLimit))
      subtotal = .zero
      return
    }
    if !benefit.limits.categories.isEmpty, let category = context.event.treatmentCategory,
      let limit = benefit.limits.categories.first(where: { $0.category == category })
    {
      let used = history.categories?[category]
      if let maximum = limit.maxPaidClaims, (used?.paidClaims ?? 0) >= maximum {
        lines.append(
          ExplanationLine(
            step: .categoryLimit, amount: -subtotal, count: maximum, subject: context.benefit.subjects[category],
            reason: .categoryClaimLimit))
        subtotal = .zero
        return
      }
      if let cap = limit.perPeriod {
        let scaled = cap * shares
        reduce(to: scaled - (used?.paidAmount ?? .zero), .categoryLimit, limit: scaled, reason: .categoryCapReached)
      }
    }
    if let written = benefit.limits.perClaim {
      let cap = written + capIncrease
      reduce(to: cap * shares, .perClaimCap, limit: cap * shares, reason: .perClaimCap)
    }
    if let written = benefit.limits.perPeriod {
      let cap = written + capIncrease
      reduce(to: cap * shares - history.paidAmount, .periodCap, limit: cap * shares, reason: .annualCapReached)
    }
    if let cap = context.version.limits.perPeriod {
      reduce(to: cap - context.productPaid, .productCap, limit: cap, reason: .productCapReached)
    }
    if let cap = context.version.schemePerPeriod {
      reduce(to: cap - context.schemePaid, .schemeCap, limit: cap, reason: .schemeCapReached)
    }
  }
}
