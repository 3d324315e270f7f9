/// The history behind the source articles' figures, generated on top of ``DemoData``: Anyang's
/// first scheme year (650 units, 49,231 insured, 519 claims paid by the end of November 2020,
/// the four named units' claims to the fen) and Yichun's first months under the Harbin office
/// (236 participating units among 132,565 in-service workers, 23,000 insured, the forestry
/// group's 51.7%, 232 workers paid 548,000+ yuan, the 760,000-yuan target met by 2022-01-31,
/// first in the province).
///
/// Only the articles' figures are fixed; everything else (unit names and sizes, dates,
/// headcounts, the spread of claim amounts) is drawn from a seeded generator, so every run
/// builds the same data. Each claim's settlement figures are found by asking the rules engine
/// which figures pay the amount wanted, so the totals come out of the real calculation.
/// Pure: `HuzhuPersistence` writes it through the stores.
public struct DemoHistory: Sendable {
  /// Workers added to a unit (new or from ``DemoData``), their enrollment and its payment.
  public struct Cohort: Sendable {
    public let unit: WorkUnit
    public let isNewUnit: Bool
    public let headcount: HeadcountReport?
    public let workers: [Worker]
    public let employedSince: CalendarDate
    /// Each order is paid in full by every payer on its day.
    public let orders: [(order: EnrollmentOrder, paidOn: CalendarDate)]

    public init(
      unit: WorkUnit, isNewUnit: Bool, headcount: HeadcountReport?, workers: [Worker], employedSince: CalendarDate,
      orders: [(order: EnrollmentOrder, paidOn: CalendarDate)]
    ) {
      self.unit = unit
      self.isNewUnit = isNewUnit
      self.headcount = headcount
      self.workers = workers
      self.employedSince = employedSince
      self.orders = orders
    }
  }

  public enum Outcome: Sendable, Equatable {
    case paid(on: CalendarDate)
    case rejected(RejectionReason, on: CalendarDate)
    /// Submitted and waiting in the queue.
    case pending
  }

  public struct ClaimPlan: Sendable {
    public let schemeCode: String
    public let workerID: Worker.ID
    public let intake: ClaimIntake
    public let filedOn: CalendarDate
    public let outcome: Outcome
  }

  /// Nodes the base data lacks (the province's other agencies).
  public let organisations: [Organisation]
  public let cohorts: [Cohort]
  public let claims: [ClaimPlan]
  public let targets: [AgencyTarget]

  /// The generator's failures are programming errors in the figures above, never user input.
  public struct GenerationError: Error, CustomStringConvertible {
    public let description: String
  }

  public static func make(base: DemoData, anyang: CompiledScheme, yichun: CompiledScheme) throws(GenerationError)
    -> DemoHistory
  {
    var builder = Builder(base: base)
    try builder.anyang(scheme: anyang)
    try builder.yichun(scheme: yichun)
    return DemoHistory(
      organisations: builder.organisations, cohorts: builder.cohorts, claims: builder.claims, targets: builder.targets)
  }

  /// The amounts the articles name for Anyang's four units: insured, first day of cover,
  /// paid claims and their total.
  public static let anyangNamedUnits: [(name: String, insured: Int, since: String, claims: Int, paid: String)] = [
    ("河南安彩高科股份有限公司", 2_283, "2019-12-15", 48, "71691.16"),
    ("河南中烟工业有限责任公司安阳卷烟厂", 1_260, "2020-01-15", 46, "38414.84"),
    ("安阳公交集团", 1_461, "2020-01-15", 24, "18283.88"),
    ("安阳市道路绿化管理站", 199, "2019-11-15", 18, "7134.87"),
  ]
}

extension DemoHistory {
  struct Builder {
    let base: DemoData
    var organisations: [Organisation] = []
    var cohorts: [Cohort] = []
    var claims: [ClaimPlan] = []
    var targets: [AgencyTarget] = []
    var random = SplitMix64(seed: 20_191_016)
    var workerCount = 0
    var unitCount = 0
    var invoiceCount = 0
    let reservedNames: Set<String>

    init(base: DemoData) {
      self.base = base
      reservedNames = Set(base.workers.map(\.worker.name))
    }

    func node(_ code: String) -> Organisation { base.organisations.first { $0.code == code }! }

    // MARK: People and units

    mutating func workers(_ count: Int, in unit: WorkUnit, region: String, femaleShare: Int = 50) -> [Worker] {
      let surnames = Array("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧")
      let given = Array("秀英建国丽伟静军敏磊芳强洋艳勇娟杰涛明超霞平刚桂兰玉华")
      return (0..<count).map { _ in
        let index = workerCount
        workerCount += 1
        let gender: Gender = random.int(0..<100) < femaleShare ? .female : .male
        // Distinct by construction: the birth day and the sequence come from the running index.
        let birth = CalendarDate(year: 1970, month: 1, day: 1)!.adding(days: index % 10_950)
        let number = ResidentIDNumber.compose(
          region: region, birthDate: birth, sequence: 200 + (index / 10_950) % 300, gender: gender)
        // Never one of the demo data's own workers' names, so that searching for them finds them.
        var name = ""
        repeat {
          name =
            String(surnames[random.int(0..<surnames.count)]) + String(given[random.int(0..<given.count)])
            + (random.int(0..<3) == 0 ? "" : String(given[random.int(0..<given.count)]))
        } while reservedNames.contains(name)
        return Worker(
          name: name, idNumber: number, unitID: unit.id, phone: "135\(String(index + 10_000_000).suffix(8))",
          bankName: "中国工商银行", bankAccount: "6222021\(String(index + 100_000_000_000).suffix(12))")
      }
    }

    mutating func unit(_ name: String, sector: Sector, under organisation: Organisation, region: String) -> WorkUnit {
      unitCount += 1
      let prefix = sector == .publicInstitution || sector == .government ? "12" : "91"
      let serial = String(100_000 + unitCount)
      let body = prefix + region + String(repeating: "0", count: 9 - serial.count) + serial
      return WorkUnit(
        organisationID: organisation.id, name: name, creditCode: CreditCode.compose(body).value, sector: sector)
    }

    mutating func headcount(insured: Int, on day: CalendarDate, spare: ClosedRange<Int>) -> HeadcountReport {
      let total = insured + insured * random.int(spare) / 100 + random.int(0...3)
      return HeadcountReport(asOf: day, total: total, female: total * random.int(30...55) / 100)
    }

    // MARK: Claims

    /// The figures of a stay that make the engine pay exactly `amount` to this member: the
    /// self-paid part is searched (the benefit never falls as it grows), the other figures
    /// follow from it.
    func stay(
      paying amount: Money, member: Worker, cover: [CoverFacts], event: ClaimEvent, scheme: CompiledScheme,
      figures: (Money) -> SettlementFigures
    ) throws(GenerationError) -> SettlementFigures {
      func pays(_ selfPaid: Money) throws(GenerationError) -> Money {
        var event = event
        event.figures = figures(selfPaid)
        return try judge(event, member: member, cover: cover, scheme: scheme)
      }
      var high: Int64 = 100
      while try pays(Money(fen: high)) < amount {
        high *= 2
        guard high < 1_000_000_000 else {
          throw GenerationError(description: "no stay pays \(amount) under \(scheme.code): \(event)")
        }
      }
      var low: Int64 = 0
      while low < high {
        let middle = (low + high) / 2
        if try pays(Money(fen: middle)) < amount { low = middle + 1 } else { high = middle }
      }
      guard try pays(Money(fen: low)) == amount else {
        throw GenerationError(description: "no stay pays exactly \(amount) under \(scheme.code)")
      }
      return figures(Money(fen: low))
    }

    /// What the engine pays this member for the event (nothing yet paid this period).
    func judge(_ event: ClaimEvent, member: Worker, cover: [CoverFacts], scheme: CompiledScheme)
      throws(GenerationError) -> Money
    {
      do {
        let claim = ClaimCase(
          member: MemberFacts(
            birthDate: member.birthDate, gender: member.gender, insuranceType: member.insuranceType,
            categories: member.categories, cover: cover), event: event)
        return try Adjudicator.adjudicate(claim, under: scheme).total
      } catch {
        throw GenerationError(description: "the engine refused a generated claim: \(error)")
      }
    }

    /// `total` split into `count` amounts in fen, spread out (a few large, most small).
    mutating func amounts(total: Money, count: Int, minimum: Money) -> [Money] {
      let weights = (0..<count).map { _ in Int64(1 + random.int(0..<12) * random.int(0..<12)) }
      let spare = total.fen - minimum.fen * Int64(count)
      let sum = weights.reduce(0, +)
      var result = weights.map { Money(fen: minimum.fen + spare * $0 / sum) }
      result[count - 1] += total - result.reduce(.zero, +)
      return result
    }

    mutating func nextInvoice(_ prefix: String) -> (invoice: String, sheet: String) {
      invoiceCount += 1
      return ("\(prefix)-FP\(100_000 + invoiceCount)", "\(prefix)-JS\(100_000 + invoiceCount)")
    }

    // MARK: Anyang

    mutating func anyang(scheme: CompiledScheme) throws(GenerationError) {
      let areas = [
        "HA-AY", "HA-AY-SZ", "HA-AY-WF", "HA-AY-BG", "HA-AY-YD", "HA-AY-LA", "HA-AY-AYX", "HA-AY-LZ",
      ].map(node)
      let split = PayerSplitRule(
        employer: .percent(Rate(percent: 50)),
        unionSubsidies: [.init(payer: .unionCity, perPerson: Money(fen: 3000), onTop: true)])
      let version = "anyang-hospital"
      func order(_ unit: WorkUnit, _ workers: [Worker], _ start: CalendarDate) -> EnrollmentOrder {
        EnrollmentOrder(
          schemeCode: "anyang", productCode: version, periodStart: start, unitID: unit.id,
          workerIDs: workers.map(\.id), split: split, requestDate: start)
      }
      // The four named units already hold three demo workers each.
      var namedMembers: [[Worker]] = []
      for named in DemoHistory.anyangNamedUnits {
        let unit = base.units.first { $0.name == named.name }!
        let since = CalendarDate(named.since)!
        let existing = base.workers.filter { $0.worker.unitID == unit.id }.map(\.worker)
        let added = workers(named.insured - existing.count, in: unit, region: "410522")
        cohorts.append(
          Cohort(
            unit: unit, isNewUnit: false, headcount: headcount(insured: named.insured, on: since, spare: 3...15),
            workers: added, employedSince: since, orders: [(order(unit, added, since), since)]))
        // The history's claims are its own members': the demo data's few workers keep a clean
        // record for trying the claim path by hand.
        namedMembers.append(added)
      }
      // 646 more units: 650 in all, 49,231 insured with the named units' 5,203.
      var otherMembers: [(worker: Worker, start: CalendarDate)] = []
      var usedNames = Set(base.units.map(\.name))
      for (index, size) in random.sizes(total: 49_231 - 5_203, count: 646, minimum: 8).enumerated() {
        let area = areas[index % areas.count]
        let (name, sector) = unitName(
          place: area.code == "HA-AY" || area.code == "HA-AY-SZ"
            ? "安阳市" : area.name.replacingOccurrences(of: "总工会", with: ""), used: &usedNames)
        let unit = unit(name, sector: sector, under: area, region: "410500")
        // Enrolled on the 15th of a month from November 2019 to September 2020.
        let since = CalendarDate(year: 2019, month: 11, day: 15)!.adding(months: random.int(0...10))
        let added = workers(size, in: unit, region: "410522")
        cohorts.append(
          Cohort(
            unit: unit, isNewUnit: true, headcount: headcount(insured: size, on: since, spare: 0...40), workers: added,
            employedSince: since, orders: [(order(unit, added, since), since)]))
        otherMembers += added.map { ($0, since) }
      }

      // Claims: the named units' to the fen, 383 more to make 519 paid by 2020-11-30, some
      // paid in December, a few rejected, a few still in the queue.
      let lastPaid = CalendarDate(year: 2020, month: 11, day: 30)!
      for (named, people) in zip(DemoHistory.anyangNamedUnits, namedMembers) {
        let since = CalendarDate(named.since)!
        let picked = pick(named.claims, from: people.map { ($0, since) })
        for (amount, member) in zip(
          amounts(total: Money(yuan: named.paid)!, count: named.claims, minimum: Money(fen: 8_000)), picked)
        {
          try anyangClaim(amount, member: member.0, since: member.1, paidBy: lastPaid, scheme: scheme)
        }
      }
      // Claims paid in December or still waiting come from units whose cover runs to the year's end.
      let coveredInDecember = otherMembers.filter { $0.start >= CalendarDate(year: 2020, month: 1, day: 1)! }
      var others = pick(383, from: otherMembers)
      others += pick(12, from: coveredInDecember)
      for (position, member) in others.enumerated() {
        let amount = Money(fen: Int64(15_000 + random.int(0..<40) * random.int(0..<40) * 900 + random.int(0..<100)))
        if position < 383 {
          try anyangClaim(amount, member: member.0, since: member.1, paidBy: lastPaid, scheme: scheme)
        } else {
          // December 2020: paid after the articles' count.
          try anyangClaim(
            amount, member: member.0, since: member.1, paidBy: CalendarDate(year: 2020, month: 12, day: 18)!,
            earliestPaid: CalendarDate(year: 2020, month: 12, day: 3)!, scheme: scheme)
        }
      }
      let reasons: [RejectionReason] = [.notCovered, .outsideScope, .deadlinePassed, .duplicate, .outsideScope, .other]
      for (reason, member) in zip(reasons, pick(reasons.count, from: otherMembers)) {
        try anyangClaim(
          Money(fen: 30_000), member: member.0, since: member.1, paidBy: lastPaid, scheme: scheme, rejected: reason)
      }
      for member in pick(7, from: coveredInDecember) {
        try anyangClaim(
          Money(fen: Int64(20_000 + random.int(0..<300_000))), member: member.0, since: member.1,
          paidBy: CalendarDate(year: 2020, month: 12, day: 4)!,
          earliestPaid: CalendarDate(year: 2020, month: 11, day: 26)!,
          scheme: scheme, pending: true)
      }
    }

    /// A plausible unit name in `place` (a city, district or county), never one already used.
    mutating func unitName(place: String, kinds: ClosedRange<Int> = 0...9, used: inout Set<String>) -> (String, Sector)
    {
      let brands = ["华丰", "恒达", "中原", "金源", "宏达", "利民", "永安", "红旗", "新兴", "东方", "兴华", "鑫源", "广润", "瑞丰", "安泰", "天成"]
      let trades = ["机械", "纺织", "建材", "食品", "物流", "化工", "电子", "印刷", "钢构", "农资", "商贸", "制药"]
      let offices = ["财政局", "教育局", "卫生健康委员会", "人力资源和社会保障局", "住房和城乡建设局", "交通运输局", "市场监督管理局", "农业农村局", "文化广电和旅游局", "水利局"]
      let streets = ["光明", "东风", "南关", "西大街", "中华路", "解放路", "红旗路", "人民大道", "开发区", "城东"]
      while true {
        let (name, sector): (String, Sector) =
          switch random.int(kinds) {
          case 0...3:
            (
              "\(place)\(brands[random.int(0..<brands.count)])\(trades[random.int(0..<trades.count)])有限公司",
              .privateEnterprise
            )
          case 4:
            ("\(place)\(trades[random.int(0..<trades.count)])集团有限公司", .stateEnterprise)
          case 5:
            ("\(place)第\(random.int(1...30))中学", .publicInstitution)
          case 6:
            ("\(place)\(["人民医院", "中医院", "妇幼保健院", "第二人民医院"][random.int(0..<4)])", .publicInstitution)
          case 7, 8:
            ("\(place)\(offices[random.int(0..<offices.count)])", .government)
          default:
            ("\(place)\(streets[random.int(0..<streets.count)])街道办事处", .government)
          }
        if used.insert(name).inserted { return (name, sector) }
        // Taken: a branch of the same name.
        let branch = "\(name)\(["第一", "第二", "第三", "第四", "第五"][random.int(0..<5)])分公司"
        if sector == .privateEnterprise || sector == .stateEnterprise, used.insert(branch).inserted {
          return (branch, sector)
        }
      }
    }

    /// `count` different members, drawn without repeats.
    mutating func pick<T>(_ count: Int, from people: [T]) -> [T] {
      var indices = Set<Int>()
      while indices.count < min(count, people.count) { indices.insert(random.int(0..<people.count)) }
      return indices.sorted().map { people[$0] }
    }

    mutating func anyangClaim(
      _ amount: Money, member: Worker, since: CalendarDate, paidBy: CalendarDate, earliestPaid: CalendarDate? = nil,
      scheme: CompiledScheme, rejected: RejectionReason? = nil, pending: Bool = false
    ) throws(GenerationError) {
      // Admitted while covered; discharged 2–15 days later, filed 1–20 days after that, paid
      // 3–12 days after filing, no later than `paidBy`.
      let coverEnd = since.adding(years: 1).adding(days: -1)
      let (days, filing, processing) = (random.int(2...15), random.int(1...20), random.int(3...12))
      let total = days + filing + processing
      let earliest = max(earliestPaid ?? since.adding(days: 25), since.adding(days: total + 1))
      var paid = earliest.adding(days: random.int(0...max(0, earliest.days(until: paidBy))))
      var admission = paid.adding(days: -total)
      if coverEnd < admission {
        admission = coverEnd.adding(days: -random.int(0...5))
        paid = admission.adding(days: total)
        if paidBy < paid {
          admission = admission.adding(days: paid.days(until: paidBy))
          paid = paidBy
        }
      }
      guard since < admission, paid <= paidBy, earliestPaid.map({ $0 <= paid }) ?? true else {
        throw GenerationError(description: "no stay fits the cover from \(since) and payment by \(paidBy)")
      }
      let discharge = admission.adding(days: days)
      let filed = discharge.adding(days: filing)
      let papers = nextInvoice("AY")
      var event = ClaimEvent(
        admissionDate: admission, dischargeDate: discharge, claimDate: filed,
        hospitalDays: admission.days(until: discharge))
      let cover = [CoverFacts(product: "anyang-hospital", start: since, end: coverEnd)]
      event.figures = try stay(paying: amount, member: member, cover: cover, event: event, scheme: scheme) { selfPaid in
        // 合规费用 = what basic insurance paid (about twice the self-paid part) + the self-paid part.
        let pooled = Money(fen: selfPaid.fen * 2 + 37_00)
        return SettlementFigures([
          .totalCost: selfPaid + pooled + Money(fen: selfPaid.fen / 5), .inScopeCost: selfPaid + pooled,
          .pooledFundPaid: pooled, .criticalIllnessInsurancePaid: .zero,
        ])
      }
      let hospitals = ["安阳市人民医院", "安阳地区医院", "安阳市肿瘤医院", "林州市人民医院", "安阳市中医院"]
      claims.append(
        ClaimPlan(
          schemeCode: "anyang", workerID: member.id,
          intake: ClaimIntake(
            hospital: hospitals[random.int(0..<hospitals.count)], event: event, invoiceNumbers: [papers.invoice],
            settlementSheetNumber: papers.sheet),
          filedOn: filed,
          outcome: rejected.map { .rejected($0, on: filed.adding(days: 2)) } ?? (pending ? .pending : .paid(on: paid))))
    }

    // MARK: Yichun and the province

    mutating func yichun(scheme: CompiledScheme) throws(GenerationError) {
      let harbin = node("HLJ")
      let yichun = node("HLJ-YC")
      let direct = node("HLJ-YC-SZ")
      let counties = ["YM", "WC", "YH", "JL", "TL", "JY", "TW", "FL"].map { node("HLJ-YC-\($0)") }
      let start = CalendarDate(year: 2021, month: 12, day: 10)!
      let product = "yc-comprehensive-plus"
      func split(_ employer: PayerSplitRule.EmployerShare) -> PayerSplitRule { PayerSplitRule(employer: employer) }
      func order(_ unit: WorkUnit, _ workers: [Worker], _ rule: PayerSplitRule, product: String = product)
        -> EnrollmentOrder
      {
        EnrollmentOrder(
          schemeCode: "hlj-yichun", productCode: product, periodStart: start, unitID: unit.id,
          workerIDs: workers.map(\.id), split: rule, requestDate: start)
      }
      // Payment days: the units paying before 2022-01-31 make the 760,000 in "one month and
      // twenty days"; the forestry group pays its 75% share in March.
      var members: [(worker: Worker, paidOn: CalendarDate)] = []
      var femaleMembers: [(worker: Worker, unit: WorkUnit, rule: PayerSplitRule, paidOn: CalendarDate)] = []

      // The forestry group: 24,000 in service, 12,408 insured (51.70%).
      let forestryUnit = base.units.first { $0.name == "伊春森林工业集团有限责任公司" }!
      let forestryExisting = base.workers.filter { $0.worker.unitID == forestryUnit.id }.map(\.worker)
      let forestryAdded = workers(12_408 - forestryExisting.count, in: forestryUnit, region: "230703", femaleShare: 40)
      let forestryPaid = CalendarDate(year: 2022, month: 3, day: 8)!
      cohorts.append(
        Cohort(
          unit: forestryUnit, isNewUnit: false, headcount: HeadcountReport(asOf: start, total: 24_000, female: 9_100),
          workers: forestryAdded, employedSince: start,
          orders: [(order(forestryUnit, forestryAdded, split(.percent(Rate(percent: 75)))), forestryPaid)]))
      members += forestryAdded.map { ($0, forestryPaid) }

      // 235 more participating units (34 city-level, 194 in the eight counties and districts,
      // 8 enterprises with the forestry group), 10,592 insured in them.
      var plans: [(WorkUnit, Bool, PayerSplitRule.EmployerShare)] = []
      let cityNames = ["市财政局", "市教育局", "市卫健委", "市人社局", "市住建局", "市第二中学", "市图书馆", "市中心医院"]
      let existingCity = base.units.filter { $0.organisationID == direct.id }
      var usedNames = Set(base.units.map(\.name))
      for unit in existingCity { plans.append((unit, false, .percent(Rate(percent: 50)))) }
      for index in 0..<(34 - existingCity.count) {
        let (name, sector) =
          index < cityNames.count
          ? ("伊春\(cityNames[index])", index >= 5 ? Sector.publicInstitution : .government)
          : unitName(place: "伊春市", kinds: 5...9, used: &usedNames)
        usedNames.insert(name)
        plans.append(
          (self.unit(name, sector: sector, under: direct, region: "230700"), true, .percent(Rate(percent: 50))))
      }
      let existingCounty = base.units.filter { unit in counties.contains { $0.id == unit.organisationID } }
      for unit in existingCounty { plans.append((unit, false, .fixedPerPerson(Money(fen: 3000)))) }
      for index in 0..<(194 - existingCounty.count) {
        let county = counties[index % counties.count]
        let (name, sector) = unitName(place: county.name.replacingOccurrences(of: "总工会", with: ""), used: &usedNames)
        plans.append(
          (self.unit(name, sector: sector, under: county, region: "230700"), true, .fixedPerPerson(Money(fen: 3000))))
      }
      for _ in 0..<7 {
        let (name, sector) = unitName(place: "伊春", kinds: 0...4, used: &usedNames)
        plans.append((self.unit(name, sector: sector, under: yichun, region: "230700"), true, .none))
      }
      let existingInsured = base.workers.filter { worker in
        plans.contains { $0.0.id == worker.worker.unitID }
      }.count
      let planSizes = random.sizes(total: 10_592 - existingInsured, count: plans.count, minimum: 6)
      for (index, (plan, size)) in zip(plans, planSizes).enumerated() {
        let (unit, isNew, employer) = plan
        // Spread over ten weeks from the opening: about two thirds pay by the end of January.
        let paidOn = start.adding(days: min(75, (index + 1) * 75 / plans.count + random.int(0...2)))
        let added = workers(size, in: unit, region: "230703", femaleShare: 45)
        let existing = base.workers.filter { $0.worker.unitID == unit.id }.count
        cohorts.append(
          Cohort(
            unit: unit, isNewUnit: isNew, headcount: headcount(insured: size + existing, on: start, spare: 60...260),
            workers: added, employedSince: start, orders: [(order(unit, added, split(employer)), paidOn)]))
        members += added.map { ($0, paidOn) }
        for worker in added where worker.gender == .female && worker.birthDate.year >= 1972 {
          femaleMembers.append((worker, unit, split(employer), paidOn))
        }
      }
      // Units that have not joined (yet): the rest of the city's 132,565 in-service workers.
      let joinedHeadcount = cohorts.suffix(plans.count + 1).compactMap(\.headcount).reduce(0) { $0 + $1.total }
      let others = random.sizes(total: 132_565 - joinedHeadcount, count: 120, minimum: 40)
      for (index, total) in others.enumerated() {
        let county = counties[index % counties.count]
        let (name, sector) = unitName(place: county.name.replacingOccurrences(of: "总工会", with: ""), used: &usedNames)
        let unit = self.unit(name, sector: sector, under: county, region: "230700")
        cohorts.append(
          Cohort(
            unit: unit, isNewUnit: true, headcount: HeadcountReport(asOf: start, total: total, female: total * 2 / 5),
            workers: [], employedSince: start, orders: []))
      }
      // 700 women also take the female special-disease product (30 yuan): 2,781,000 yuan in all.
      var byUnit: [WorkUnit.ID: (WorkUnit, PayerSplitRule, CalendarDate, [Worker])] = [:]
      for member in femaleMembers.prefix(700) {
        byUnit[member.unit.id, default: (member.unit, member.rule, member.paidOn, [])].3.append(member.worker)
      }
      for (unit, rule, paidOn, women) in byUnit.values.sorted(by: { $0.0.name < $1.0.name }) {
        cohorts.append(
          Cohort(
            unit: unit, isNewUnit: false, headcount: nil, workers: [], employedSince: start,
            orders: [(order(unit, women, rule, product: "yc-female"), paidOn)]))
      }

      // The province's other agencies, each with a target and a smaller share of it met.
      let agencies: [(code: String, name: String, target: Int64, insured: Int)] = [
        ("HLJ-HRB", "省职工互助保障哈尔滨代办处", 1_500_000, 6_100),
        ("HLJ-QQHR", "省职工互助保障齐齐哈尔代办处", 900_000, 2_900),
        ("HLJ-MDJ", "省职工互助保障牡丹江代办处", 800_000, 2_400),
        ("HLJ-JMS", "省职工互助保障佳木斯代办处", 700_000, 1_500),
      ]
      let targetPeriod = ReportPeriod(from: start, to: start.adding(years: 1).adding(days: -1))!
      targets.append(
        AgencyTarget(organisationID: yichun.id, period: targetPeriod, measure: .collected, target: 760_000_00))
      for (offset, agency) in agencies.enumerated() {
        let organisation = Organisation(
          parentID: harbin.id, kind: .cityAgency, code: agency.code, name: agency.name, nameEn: nil)
        organisations.append(organisation)
        targets.append(
          AgencyTarget(
            organisationID: organisation.id, period: targetPeriod, measure: .collected, target: agency.target * 100))
        for part in 0..<2 {
          let city = agency.name.replacingOccurrences(of: "省职工互助保障", with: "").replacingOccurrences(of: "代办处", with: "")
          let (name, sector) = unitName(place: city + "市", kinds: 0...4, used: &usedNames)
          let unit = self.unit(name, sector: sector, under: organisation, region: "230100")
          let added = workers(agency.insured / 2, in: unit, region: "230104", femaleShare: 45)
          let paidOn = start.adding(days: 30 + 25 * part + 7 * offset)
          cohorts.append(
            Cohort(
              unit: unit, isNewUnit: true, headcount: headcount(insured: added.count, on: start, spare: 100...300),
              workers: added, employedSince: start,
              orders: [(order(unit, added, split(.percent(Rate(percent: 50)))), paidOn)]))
        }
      }

      // 232 workers paid 548,316.40 yuan: five critical-illness lump sums, the rest hospital
      // top-ups, eight of the workers with a second stay; all with the two-level approval.
      let paidMembers = pick(232, from: members)
      let lumpSumMembers = Set(paidMembers.filter { $0.worker.gender == .male }.prefix(5).map(\.worker.id))
      var lumpSums = Money.zero
      let lastPaid = CalendarDate(year: 2022, month: 11, day: 30)!
      for member in paidMembers where lumpSumMembers.contains(member.worker.id) {
        lumpSums += try yichunClaim(
          nil, member: member.worker, coverFrom: member.paidOn, paidBy: lastPaid, scheme: scheme)
      }
      let hospitalAmounts = amounts(
        total: Money(yuan: "548316.40")! - lumpSums, count: 232 - lumpSumMembers.count + 8, minimum: Money(fen: 12_000))
      var amountIndex = 0
      for member in paidMembers where !lumpSumMembers.contains(member.worker.id) {
        for _ in 0..<(amountIndex < 16 ? 2 : 1) {
          _ = try yichunClaim(
            hospitalAmounts[amountIndex], member: member.worker, coverFrom: member.paidOn, paidBy: lastPaid,
            scheme: scheme)
          amountIndex += 1
        }
      }
      let rest = pick(9, from: members)
      for (index, member) in rest.enumerated() {
        _ = try yichunClaim(
          Money(fen: Int64(30_000 + random.int(0..<200_000))), member: member.worker, coverFrom: member.paidOn,
          paidBy: CalendarDate(year: 2022, month: 12, day: 5)!, scheme: scheme,
          outcome: index < 4
            ? .pending
            : .rejected([.waitingPeriod, .outsideScope, .documentsFalse, .other, .duplicate][index - 4], on: lastPaid))
      }
    }

    /// A hospital stay paying `amount`, or (amount nil) a critical illness paying the lump sum;
    /// returns what the engine pays for it.
    @discardableResult
    mutating func yichunClaim(
      _ amount: Money?, member: Worker, coverFrom: CalendarDate, paidBy: CalendarDate, scheme: CompiledScheme,
      outcome: Outcome? = nil
    ) throws(GenerationError) -> Money {
      // After the 30-day waiting period (a lump sum after the 60-day observation); paid within
      // three working days or so.
      let earliest = coverFrom.adding(days: amount == nil ? 75 : 45)
      let paid = earliest.adding(days: random.int(0...max(0, earliest.days(until: paidBy))))
      let filed = paid.adding(days: -random.int(1...4))
      let discharge = filed.adding(days: -random.int(2...15))
      let admission = max(coverFrom.adding(days: amount == nil ? 65 : 32), discharge.adding(days: -random.int(2...12)))
      let papers = nextInvoice("YC")
      var event = ClaimEvent(
        admissionDate: admission, dischargeDate: max(admission, discharge), claimDate: filed,
        hospitalDays: admission.days(until: max(admission, discharge)))
      let cover = [
        CoverFacts(
          product: "yc-comprehensive-plus", start: coverFrom, end: CalendarDate(year: 2022, month: 12, day: 9)!)
      ]
      if let amount {
        event.figures = try stay(paying: amount, member: member, cover: cover, event: event, scheme: scheme) {
          selfPaid in
          // The fund paid 85% on its first pass; the self-paid part is capped at it.
          let pooled = Money(fen: selfPaid.fen * 17 / 3 + 100)
          return SettlementFigures([
            .totalCost: selfPaid + pooled + Money(fen: 50_00), .inScopeCost: selfPaid + pooled, .pooledFundPaid: pooled,
            .selfPaidInScope: selfPaid,
          ])
        }
      } else {
        event.diagnosisDate = admission
        event.diagnoses = [Diagnosis(class: "malignant_tumor")]
        // The settlement sheet's self-paid part is left out: the claim is for the lump sum.
        event.figures = SettlementFigures([.inScopeCost: Money(yuan: 60_000), .pooledFundPaid: Money(yuan: 51_000)])
      }
      let pays = try judge(event, member: member, cover: cover, scheme: scheme)
      let hospitals = ["伊春市中心医院", "伊春林业中心医院", "铁力市人民医院", "哈尔滨医科大学附属第一医院"]
      claims.append(
        ClaimPlan(
          schemeCode: "hlj-yichun", workerID: member.id,
          intake: ClaimIntake(
            hospital: hospitals[random.int(0..<hospitals.count)], event: event, invoiceNumbers: [papers.invoice],
            settlementSheetNumber: papers.sheet),
          filedOn: filed, outcome: outcome ?? .paid(on: paid)))
      return pays
    }
  }
}
