import Foundation
import HuzhuCore

/// Adjudicates a generated batch of cases and reports cases per second on one core.
struct CalcBenchmark {
  let anyang: CompiledScheme
  let yichun: CompiledScheme
  let count: Int
  /// Timed passes over the same batch; the best is reported (the first warms caches).
  var repeats = 3

  struct Result {
    let name: String
    let cases: Int
    let seconds: Double
    let totalPaid: Money

    var perSecond: Double { Double(cases) / seconds }
  }

  func run(only filter: String? = nil) -> [Result] {
    let all: [(String, () -> Result)] = [
      ("anyang hospital (engine core)", anyangCore), ("anyang hospital (full explanation)", anyangFull),
      ("yichun mix, 4 benefits (full explanation)", yichunMix),
    ]
    return all.filter { filter == nil || $0.0.contains(filter!) }.map { $0.1() }
  }

  /// The engine's core on the Anyang hospital benefit, as batch work calls it: contexts
  /// prepared from stored facts (the rule version resolved per coverage period), one reused
  /// line buffer, no allocation per case.
  func anyangCore() -> Result {
    var random = SplitMix64(seed: 2019_10_16)
    let product = anyang.product("anyang-hospital")!
    let contexts = (0..<count).map { _ in
      let claim = anyangCase(&random)
      let cover = claim.member.cover[0]
      let version = product.version(forCoverageStartingOn: cover.start)!
      return Adjudicator.Context(
        version: version, benefit: version.benefits[0], member: claim.member, cover: cover,
        event: claim.event, history: claim.history?["anyang-hospital-topup"] ?? .none)
    }
    return best("anyang hospital (engine core)") {
      // The line buffer is a local, so no exclusivity check forces a copy of it. (Each
      // context is still copied for the call, its references counted: as batch work's
      // contexts, made for each benefit, are.)
      contexts.withUnsafeBufferPointer { batch in
        var lines: [ExplanationLine] = []
        lines.reserveCapacity(8)
        var paid = Money.zero
        for index in batch.indices {
          paid += Adjudicator.adjudicate(batch[index], lines: &lines).total
        }
        return paid
      }
    }
  }

  /// The public API on the same cases: builds a full `Explanation` per case.
  func anyangFull() -> Result {
    var random = SplitMix64(seed: 2019_10_17)
    let cases = (0..<count).map { _ in anyangCase(&random) }
    return best("anyang hospital (full explanation)") {
      var paid = Money.zero
      for claim in cases {
        paid += (try! Adjudicator.adjudicate(claim, under: anyang)).total
      }
      return paid
    }
  }

  /// Yichun's comprehensive product (hospital + critical + female critical + accident) on a
  /// mix of stays, diagnoses and accidents, through the public API.
  func yichunMix() -> Result {
    var random = SplitMix64(seed: 2021_12_10)
    let cases = (0..<count).map { _ in yichunCase(&random) }
    return best("yichun mix, 4 benefits (full explanation)") {
      var paid = Money.zero
      for claim in cases {
        paid += (try! Adjudicator.adjudicate(claim, under: yichun)).total
      }
      return paid
    }
  }

  /// The what-if's replay (no database) of `count` decided claims, 600 members for every
  /// thousand claims (most members one claim, some two or three), one in twenty refused by a
  /// rule, under Anyang's rules and with the first band at 40%: the whole of ``WhatIf/run``,
  /// on every core, as the simulator page runs it after reading the claims. The best of the
  /// passes, in seconds.
  func whatIfReplay() throws -> (seconds: Double, result: WhatIf.Result) {
    var random = SplitMix64(seed: 2020_04_01)
    var changedDefinition = anyang.definition
    changedDefinition.products[0].versions[0] = try RuleParameters.apply(
      ["anyang-hospital-topup.band.0.rate": "40%"], to: changedDefinition.products[0].versions[0])
    let changed = try SchemeCompiler.compile(changedDefinition)
    let units = (0..<20_000).map { _ in WorkUnit.ID() }
    // One member in ten on their own (no unit).
    let members = (0..<max(1, count * 6 / 10)).map { _ in
      (id: Worker.ID(), unit: random.int(0..<10) == 0 ? nil : units[random.int(0..<units.count)])
    }
    let cases = (0..<count).map { index -> SimulationCase in
      let claim = anyangCase(&random)
      let member = members[index < members.count ? index : random.int(0..<members.count)]
      let refused = random.int(0..<20) == 0
      // The member without their list of cover, as the store decodes a case (the case's cover
      // is held beside it).
      var facts = claim.member
      facts.cover = []
      return SimulationCase(
        claimNumber: "LP-\(index)", memberID: member.id, unitID: member.unit, member: facts,
        cover: claim.member.cover.map { HeldCover(period: CoveragePeriod(start: $0.start, end: $0.end), facts: $0) },
        event: claim.event, decidedOn: claim.event.claimDate, paid: refused ? .zero : Money(fen: 100),
        refusal: refused ? .outsideScope : nil)
    }
    var best = Double.infinity
    var result: WhatIf.Result?
    for _ in 0..<repeats {
      let clock = ContinuousClock()
      let started = clock.now
      result = WhatIf.run(
        cases, current: anyang, changed: changed, collected: .zero, insuredPersons: 0, fundBalance: .zero)
      let elapsed = clock.now - started
      best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
    return (best, result!)
  }

  func anyangCase(_ random: inout SplitMix64) -> ClaimCase {
    let start = CalendarDate(year: 2019, month: 11, day: 15)!.adding(days: random.int(0..<400))
    let admission = start.adding(days: random.int(0..<380))
    let selfPaid = Money(fen: Int64(random.int(0..<3_000_000)))
    let inScope = selfPaid + Money(fen: Int64(random.int(0..<5_000_000)))
    let pooled = (inScope - selfPaid)
    return ClaimCase(
      member: MemberFacts(
        birthDate: CalendarDate(
          year: 1965 + random.int(0..<35), month: 1 + random.int(0..<12), day: 1 + random.int(0..<28))!,
        gender: random.int(0..<2) == 0 ? .male : .female,
        cover: [CoverFacts(product: "anyang-hospital", start: start, end: start.adding(years: 1).adding(days: -1))]),
      event: ClaimEvent(
        admissionDate: admission, dischargeDate: admission.adding(days: 3 + random.int(0..<20)),
        claimDate: admission.adding(days: 10 + random.int(0..<200)),
        figures: SettlementFigures([
          .inScopeCost: inScope, .pooledFundPaid: pooled, .criticalIllnessInsurancePaid: .zero,
        ])),
      history: random.int(0..<4) == 0
        ? [
          "anyang-hospital-topup": BenefitHistory(
            paidAmount: Money(fen: Int64(random.int(0..<10_000_000))), paidClaims: random.int(0..<5),
            stays: random.int(0..<5))
        ]
        : nil)
  }

  func yichunCase(_ random: inout SplitMix64) -> ClaimCase {
    let start = CalendarDate(year: 2022, month: 1, day: 1)!.adding(days: random.int(0..<300))
    let eventDate = start.adding(days: random.int(0..<365))
    let kind = random.int(0..<10)
    var event = ClaimEvent(claimDate: eventDate.adding(days: 15 + random.int(0..<60)))
    switch kind {
    case 0..<6:
      let selfPaid = Money(fen: Int64(random.int(0..<2_000_000)))
      event.admissionDate = eventDate
      event.dischargeDate = eventDate.adding(days: 2 + random.int(0..<25))
      event.figures = SettlementFigures([
        .selfPaidInScope: selfPaid, .pooledFundPaid: Money(fen: Int64(random.int(0..<5_000_000))),
      ])
      if kind == 0 {
        event.diagnoses = [
          Diagnosis(class: ["malignant_tumor", "breast_cancer", "stroke_sequelae"][random.int(0..<3)])
        ]
      }
      if kind == 0 { event.diagnosisDate = eventDate }
    case 6..<8:
      event.diagnosisDate = eventDate
      event.diagnoses = [
        Diagnosis(class: ["malignant_tumor", "cervical_cancer", "deep_coma", "lupus_nephritis"][random.int(0..<4)])
      ]
    default:
      event.accidentDate = eventDate
      event.accident = AccidentFacts(
        outcome: random.int(0..<5) == 0 ? .death : .disability, disabilityGrade: 1 + random.int(0..<10))
    }
    return ClaimCase(
      member: MemberFacts(
        birthDate: CalendarDate(
          year: 1967 + random.int(0..<35), month: 1 + random.int(0..<12), day: 1 + random.int(0..<28))!,
        gender: random.int(0..<2) == 0 ? .male : .female,
        cover: [
          CoverFacts(
            product: "yc-comprehensive-plus", start: start, end: start.adding(years: 1).adding(days: -1),
            previousCoverEnd: random.int(0..<2) == 0 ? start.adding(days: -1) : nil)
        ]),
      event: event)
  }

  /// Runs `pass` `repeats` times and keeps the fastest.
  private func best(_ name: String, _ pass: () -> Money) -> Result {
    var fastest = Double.infinity
    var paid = Money.zero
    for _ in 0..<max(1, repeats) {
      let started = ContinuousClock.now
      paid = pass()
      fastest = min(fastest, seconds(since: started))
    }
    return Result(name: name, cases: count, seconds: fastest, totalPaid: paid)
  }

  private func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
  }
}
