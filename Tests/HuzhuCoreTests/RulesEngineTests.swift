import HuzhuCore
import HuzhuSchemeFiles
import HuzhuTestSupport
import Testing

/// Shared loaders: every scheme in these tests comes through the public file format.
enum Schemes {
  static let anyang = try! SchemeFile.load(RepositoryFiles.path("schemes/anyang.yaml"))
  static let yichun = try! SchemeFile.load(RepositoryFiles.path("schemes/yichun.yaml"))
  static let features = try! SchemeFile.load(RepositoryFiles.path("schemes/examples/features.yaml"))
  static let bands = try! SchemeFile.load(RepositoryFiles.path("schemes/examples/bands.yaml"))
  static let stays = try! SchemeFile.load(RepositoryFiles.path("schemes/examples/stays.yaml"))
  static let treatments = try! SchemeFile.load(RepositoryFiles.path("schemes/examples/treatments.yaml"))
  static let participation = try! SchemeFile.load(RepositoryFiles.path("schemes/examples/participation.yaml"))
  static let settings = try! SchemeFile.load(RepositoryFiles.path("schemes/examples/settings.yaml"))
  static let continuity = try! SchemeFile.load(RepositoryFiles.path("schemes/examples/continuity.yaml"))
  static let minimum = try! SchemeFile.load(RepositoryFiles.path("schemes/examples/minimum.yaml"))
  static let exclusive = try! SchemeFile.load(RepositoryFiles.path("schemes/examples/exclusive.yaml"))
  static let figures = try! SchemeFile.load(RepositoryFiles.path("schemes/examples/figures.yaml"))
  static let hospitals = try! SchemeFile.load(RepositoryFiles.path("schemes/examples/hospitals.yaml"))
  static let death = try! SchemeFile.load(RepositoryFiles.path("schemes/examples/death.yaml"))
}

func date(_ text: String) -> CalendarDate { CalendarDate(text)! }
func yuan(_ text: String) -> Money { Money(yuan: text)! }

/// A hospital stay for a member holding `product` from `start` for a year.
func stay(
  product: String, start: String, admission: String, discharge: String? = nil, claim: String? = nil,
  figures: [SettlementFigure: String], birth: String = "1980-06-15", gender: Gender = .male,
  insurance: InsuranceType = .urbanEmployee, categories: [MemberCategory] = [], shares: Int? = nil,
  previousCoverEnd: String? = nil, history: [String: BenefitHistory] = [:], days: Int? = nil,
  diagnoses: [Diagnosis]? = nil, treatment: String? = nil, productPaid: [String: Money]? = nil,
  schemePaid: Money? = nil
) -> ClaimCase {
  let startDate = date(start)
  let dischargeDate = discharge.map(date) ?? date(admission).adding(days: 7)
  return ClaimCase(
    member: MemberFacts(
      birthDate: date(birth), gender: gender, insuranceType: insurance, categories: MemberCategories(categories),
      cover: [
        CoverFacts(
          product: product, start: startDate, end: startDate.adding(years: 1).adding(days: -1), shares: shares,
          previousCoverEnd: previousCoverEnd.map(date))
      ]),
    event: ClaimEvent(
      admissionDate: date(admission), dischargeDate: dischargeDate, settlementDate: dischargeDate,
      claimDate: claim.map(date) ?? dischargeDate.adding(days: 5), hospitalDays: days,
      figures: SettlementFigures(figures.mapValues(yuan)), diagnoses: diagnoses, treatmentCategory: treatment),
    history: history, productPaid: productPaid, schemePaid: schemePaid)
}

extension Explanation {
  func outcome(_ benefit: String) -> BenefitOutcome { outcomes.first { $0.benefit == benefit }! }
}

@Suite("Anyang scheme (seed 000)")
struct AnyangTests {
  func calculate(selfPaid: String, history: BenefitHistory = .none, start: String = "2019-12-15") throws
    -> BenefitOutcome
  {
    let claim = stay(
      product: "anyang-hospital", start: start, admission: date(start).adding(days: 60).description,
      figures: [.inScopeCost: selfPaid, .pooledFundPaid: "0.00", .criticalIllnessInsurancePaid: "0.00"],
      history: ["anyang-hospital-topup": history])
    return try Adjudicator.adjudicate(claim, under: Schemes.anyang).outcome("anyang-hospital-topup")
  }

  @Test func selfPaid3000Pays1300InProgressiveBands() throws {
    let outcome = try calculate(selfPaid: "3000.00")
    #expect(outcome.total == yuan("1300.00"))
    let bands = outcome.lines.filter { $0.step == .band }
    #expect(bands.map(\.base) == [yuan("1000.00"), yuan("2000.00")])
    #expect(bands.map(\.amount) == [yuan("300.00"), yuan("1000.00")])
    #expect(bands.map(\.rate) == [Rate(percent: 30), Rate(percent: 50)])
  }

  @Test func selfPaid800Pays240() throws {
    #expect(try calculate(selfPaid: "800.00").total == yuan("240.00"))
  }

  @Test func theBaseIsInScopeCostLessWhatInsurancePaid() throws {
    let claim = stay(
      product: "anyang-hospital", start: "2019-12-15", admission: "2020-03-02",
      figures: [.inScopeCost: "18000.00", .pooledFundPaid: "13500.00", .criticalIllnessInsurancePaid: "1500.00"])
    let outcome = try Adjudicator.adjudicate(claim, under: Schemes.anyang).outcome("anyang-hospital-topup")
    #expect(outcome.lines.first?.base == yuan("3000.00"))
    #expect(outcome.total == yuan("1300.00"))
  }

  @Test func theYearlyCapIs100000() throws {
    let huge = try calculate(selfPaid: "300000.00")
    #expect(huge.total == yuan("100000.00"))
    #expect(huge.reasons == [.annualCapReached])
    let nearlyUsed = try calculate(
      selfPaid: "3000.00", history: BenefitHistory(paidAmount: yuan("99500.00"), paidClaims: 7))
    #expect(nearlyUsed.total == yuan("500.00"))
    let used = try calculate(selfPaid: "3000.00", history: BenefitHistory(paidAmount: yuan("100000.00"), paidClaims: 9))
    #expect(used.total == .zero)
    #expect(used.reasons == [.annualCapReached])
  }

  @Test func aCoveragePeriodIsJudgedByTheVersionInForceWhenItStarted() throws {
    // The same stay, under a period that started after 2020-10-16: 40% / 60%.
    let later = try calculate(selfPaid: "3000.00", start: "2020-11-01")
    #expect(later.version == "2020")
    #expect(later.total == yuan("1600.00"))
    #expect(try calculate(selfPaid: "3000.00", start: "2020-10-15").version == "2019")
  }

  @Test func residentInsuranceWorkersJoinOnlyUnderTheLaterVersion() throws {
    func outcome(start: String) throws -> BenefitOutcome {
      let claim = stay(
        product: "anyang-hospital", start: start, admission: date(start).adding(days: 30).description,
        figures: [.inScopeCost: "2000.00", .pooledFundPaid: "0.00", .criticalIllnessInsurancePaid: "0.00"],
        insurance: .urbanRuralResident)
      return try Adjudicator.adjudicate(claim, under: Schemes.anyang).outcome("anyang-hospital-topup")
    }
    #expect(try outcome(start: "2020-01-15").reasons == [.insuranceTypeNotEligible])
    #expect(try outcome(start: "2021-01-15").total == yuan("1000.00"))
  }

  @Test func claimsAfterTheDeadlineAreRefused() throws {
    // 2019 version: by 31 March of the year after discharge.
    let late = stay(
      product: "anyang-hospital", start: "2019-12-15", admission: "2020-05-01", discharge: "2020-05-10",
      claim: "2021-04-01",
      figures: [.inScopeCost: "1000.00", .pooledFundPaid: "0.00", .criticalIllnessInsurancePaid: "0.00"])
    #expect(
      try Adjudicator.adjudicate(late, under: Schemes.anyang).outcome("anyang-hospital-topup").reasons == [
        .deadlinePassed
      ])
    var onTime = late
    onTime.event.claimDate = date("2021-03-31")
    #expect(try Adjudicator.adjudicate(onTime, under: Schemes.anyang).total == yuan("300.00"))
  }

  @Test func anEventOutsideTheCoverageYearIsNotCovered() throws {
    let claim = stay(
      product: "anyang-hospital", start: "2019-12-15", admission: "2020-12-15",
      figures: [.inScopeCost: "1000.00", .pooledFundPaid: "0.00", .criticalIllnessInsurancePaid: "0.00"])
    #expect(
      try Adjudicator.adjudicate(claim, under: Schemes.anyang).outcome("anyang-hospital-topup").reasons == [
        .notCoveredOnDate
      ])
  }
}

@Suite("Yichun scheme (seed 001)")
struct YichunTests {
  @Test func oneIllnessStacksHospitalCriticalAndFemaleBenefits() throws {
    // The article's worker received 31,714 yuan for hospitalisation + critical illness +
    // female critical illness; the split is ours (the amounts are illustrative).
    let claim = try ClaimCaseFile.load(RepositoryFiles.path("schemes/cases/yichun-stacked.json"))
    let explanation = try Adjudicator.adjudicate(claim, under: Schemes.yichun)
    #expect(explanation.total == yuan("31714.00"))
    #expect(explanation.outcome("yc1-hospital").total == yuan("1714.00"))
    #expect(explanation.outcome("yc1-critical").total == yuan("20000.00"))
    #expect(explanation.outcome("yc1-female-critical").total == yuan("10000.00"))
    #expect(explanation.outcome("yc1-accident").reasons == [.notApplicable])
    #expect(explanation.outcome("yc1-critical").endsCover)
  }

  @Test func hospitalBenefitIs20PercentOf60PercentOfSelfPaidCappedAtTheFundsPayment() throws {
    func total(selfPaid: String, fund: String) throws -> Money {
      let claim = stay(
        product: "yc-comprehensive", start: "2022-01-01", admission: "2022-05-01",
        figures: [.selfPaidInScope: selfPaid, .pooledFundPaid: fund])
      return try Adjudicator.adjudicate(claim, under: Schemes.yichun).outcome("yc2-hospital").total
    }
    #expect(try total(selfPaid: "5000.00", fund: "20000.00") == yuan("600.00"))
    // The self-paid part counts only up to what the fund paid.
    #expect(try total(selfPaid: "5000.00", fund: "2000.00") == yuan("240.00"))
    // Half-up to the fen: 12% of 123.45 = 14.814.
    #expect(try total(selfPaid: "123.45", fund: "9999.00") == yuan("14.81"))
  }

  @Test func femaleBenefitsAreForWomenOnly() throws {
    var claim = try ClaimCaseFile.load(RepositoryFiles.path("schemes/cases/yichun-stacked.json"))
    claim.member.gender = .male
    let explanation = try Adjudicator.adjudicate(claim, under: Schemes.yichun)
    #expect(explanation.outcome("yc1-female-critical").reasons == [.genderNotEligible])
    #expect(explanation.outcome("yc1-critical").total == yuan("20000.00"))
  }

  @Test func accidentDisabilityIsAGradeShareAndDeathDeductsIt() throws {
    let disability = try ClaimCaseFile.load(RepositoryFiles.path("schemes/cases/yichun-accident.json"))
    #expect(try Adjudicator.adjudicate(disability, under: Schemes.yichun).total == yuan("6000.00"))
    var death = disability
    death.event.accident = AccidentFacts(outcome: .death)
    death.history = [
      "yc1-accident": BenefitHistory(paidAmount: yuan("6000.00"), paidClaims: 1, accidentSumPaid: yuan("6000.00"))
    ]
    let outcome = try Adjudicator.adjudicate(death, under: Schemes.yichun).outcome("yc1-accident")
    #expect(outcome.total == yuan("14000.00"))
    #expect(outcome.reasons == [.deathDisabilityExclusive])
  }

  @Test func theObservationLadderRunsFromTheStartOfCover() throws {
    func critical(diagnosedOnDay day: Int, previousCoverEnd: String? = nil) throws -> BenefitOutcome {
      let start = date("2022-03-01")
      let diagnosed = start.adding(days: day - 1)
      let claim = ClaimCase(
        member: MemberFacts(
          birthDate: date("1979-02-02"), gender: .male,
          cover: [
            CoverFacts(
              product: "yc-comprehensive", start: start, end: date("2023-02-28"),
              previousCoverEnd: previousCoverEnd.map(date))
          ]),
        event: ClaimEvent(
          diagnosisDate: diagnosed, claimDate: diagnosed.adding(days: 10),
          diagnoses: [Diagnosis(class: "stroke_sequelae")]))
      return try Adjudicator.adjudicate(claim, under: Schemes.yichun).outcome("yc2-critical")
    }
    // The product's 30-day waiting period comes first; observation steps follow.
    #expect(try critical(diagnosedOnDay: 20).reasons == [.waitingPeriod])
    let consolation = try critical(diagnosedOnDay: 45)
    #expect(consolation.total == yuan("1000.00"))
    #expect(consolation.reasons == [.observationConsolation])
    #expect(consolation.endsCover)
    #expect(try critical(diagnosedOnDay: 61).total == yuan("20000.00"))
    // A renewal within 30 days keeps continuity: no waiting, no observation.
    let renewed = try critical(diagnosedOnDay: 20, previousCoverEnd: "2022-02-28")
    #expect(renewed.total == yuan("20000.00"))
  }

  @Test func aLumpSumEndsTheBenefitForThePeriod() throws {
    var claim = try ClaimCaseFile.load(RepositoryFiles.path("schemes/cases/yichun-stacked.json"))
    claim.history = ["yc1-critical": BenefitHistory(paidAmount: yuan("20000.00"), paidClaims: 1, coverEnded: true)]
    let explanation = try Adjudicator.adjudicate(claim, under: Schemes.yichun)
    #expect(explanation.outcome("yc1-critical").reasons == [.coverEnded])
    #expect(explanation.total == yuan("11714.00"))
  }

  @Test func ageLimitsDifferByGender() throws {
    func reasons(birth: String, gender: Gender) throws -> [Reason] {
      let claim = stay(
        product: "yc-comprehensive", start: "2022-01-01", admission: "2022-05-01",
        figures: [.selfPaidInScope: "1000.00", .pooledFundPaid: "5000.00"], birth: birth, gender: gender)
      return try Adjudicator.adjudicate(claim, under: Schemes.yichun).outcome("yc2-hospital").reasons
    }
    #expect(try reasons(birth: "1966-06-01", gender: .female) == [.ageNotEligible])  // 55 at the start
    #expect(try reasons(birth: "1966-06-01", gender: .male).isEmpty)  // 55: men are covered to 60
    #expect(try reasons(birth: "1961-12-31", gender: .male) == [.ageNotEligible])  // 60
  }

  @Test func waitingPeriodAppliesToNewMembersOnly() throws {
    let fresh = stay(
      product: "yc-comprehensive", start: "2022-01-01", admission: "2022-01-20",
      figures: [.selfPaidInScope: "1000.00", .pooledFundPaid: "5000.00"])
    #expect(
      try Adjudicator.adjudicate(fresh, under: Schemes.yichun).outcome("yc2-hospital").reasons == [.waitingPeriod])
    let renewal = stay(
      product: "yc-comprehensive", start: "2022-01-01", admission: "2022-01-20",
      figures: [.selfPaidInScope: "1000.00", .pooledFundPaid: "5000.00"], previousCoverEnd: "2021-12-20")
    #expect(try Adjudicator.adjudicate(renewal, under: Schemes.yichun).outcome("yc2-hospital").total == yuan("120.00"))
    let lapsed = stay(
      product: "yc-comprehensive", start: "2022-01-01", admission: "2022-01-20",
      figures: [.selfPaidInScope: "1000.00", .pooledFundPaid: "5000.00"], previousCoverEnd: "2021-10-01")
    #expect(
      try Adjudicator.adjudicate(lapsed, under: Schemes.yichun).outcome("yc2-hospital").reasons == [.waitingPeriod])
  }

  @Test func femaleProductPaysBySeverityAndClassWithShares() throws {
    func total(_ diagnosis: Diagnosis, shares: Int = 1) throws -> Money {
      let claim = ClaimCase(
        member: MemberFacts(
          birthDate: date("1985-01-01"), gender: .female,
          cover: [CoverFacts(product: "yc-female", start: date("2022-01-01"), end: date("2022-12-31"), shares: shares)]),
        event: ClaimEvent(diagnosisDate: date("2022-08-01"), claimDate: date("2022-08-20"), diagnoses: [diagnosis]))
      return try Adjudicator.adjudicate(claim, under: Schemes.yichun).total
    }
    #expect(try total(Diagnosis(class: "cervical_cancer")) == yuan("8000.00"))
    #expect(try total(Diagnosis(class: "cervical_cancer", severity: .mild)) == yuan("3000.00"))
    #expect(try total(Diagnosis(class: "breast_carcinoma_in_situ", severity: .severe)) == yuan("3000.00"))
    #expect(try total(Diagnosis(class: "cervical_cancer"), shares: 3) == yuan("24000.00"))
    #expect(try total(Diagnosis(class: "malignant_tumor")) == .zero)
    #expect(throws: ValidationFailure.self) { try total(Diagnosis(class: "cervical_cancer"), shares: 4) }
  }
}
