import HuzhuCore
import HuzhuSchemeFiles
import HuzhuTestSupport
import Testing

@Suite("Enrollment checks")
struct EnrollmentCheckTests {
  func worker(
    _ name: String, born: String = "1985-05-05", gender: Gender = .male, shares: Int = 1,
    insurance: InsuranceType = .urbanEmployee, inService: Bool = true, held: [String] = [], hired: String? = nil
  ) -> EnrollmentCandidate {
    EnrollmentCandidate(
      worker: .init(), name: name, birthDate: date(born), gender: gender, insuranceType: insurance,
      inService: inService,
      shares: shares, heldProducts: held, hireDate: hired.map(date))
  }

  func check(
    _ candidates: [EnrollmentCandidate], headcount: Int? = 4, already: Int = 0, requested: String = "2023-12-15",
    product: String = "hospital-plus", scheme: CompiledScheme = Schemes.features
  ) -> [FieldError] {
    EnrollmentCheck.check(
      EnrollmentRequest(
        product: product, periodStart: date("2024-01-01"), requestDate: date(requested), unitHeadcount: headcount,
        alreadyEnrolled: already, candidates: candidates),
      in: scheme)
  }

  @Test func aValidUnitEnrollmentPasses() {
    #expect(check((1...4).map { worker("职工\($0)") }).isEmpty)
  }

  @Test func everyOffendingWorkerIsListedByRowAndName() {
    let errors = check([
      worker("王秀英", born: "1960-01-01", gender: .female),  // 64
      worker("李建国", held: ["whole-amount"]),
      worker("张丽", inService: false),
      worker("刘伟", shares: 4),
    ])
    #expect(errors.map(\.code) == ["age_not_eligible", "exclusive_product", "not_in_service", "invalid_shares"])
    #expect(errors.map(\.row) == [1, 2, 3, 4])
    #expect(errors[0].message.zh.hasPrefix("第1行 王秀英"))
    #expect(errors[0].field == "candidates[0].birthDate")
  }

  @Test func smallUnitsEnrollEveryoneAndLargerOnesAShare() {
    // Fewer than 10 workers: all of them.
    let small = check([worker("甲"), worker("乙")], headcount: 4)
    #expect(small.map(\.code) == ["everyone_must_enroll"])
    // 50% of 25 is 12.5: 13 needed.
    let large = check((1...12).map { worker("职工\($0)") }, headcount: 25)
    #expect(large.map(\.code) == ["participation_too_low"])
    #expect(large[0].message.zh.contains("至少 13 人"))
    #expect(check((1...3).map { worker("职工\($0)") }, headcount: 25, already: 10).isEmpty)
  }

  @Test func aFemaleWorkersProductCountsTheUnitsFemaleWorkersByItsSize() {
    func check(women: Int, headcount: Int, female: Int?) -> [FieldError] {
      EnrollmentCheck.check(
        EnrollmentRequest(
          product: "women-care", periodStart: date("2024-01-01"), requestDate: date("2023-12-15"),
          unitHeadcount: headcount, unitFemaleHeadcount: female,
          candidates: (0..<women).map { worker("女职工\($0)", gender: .female) }),
        in: Schemes.participation)
    }
    // 120 workers, 30 of them women: a large unit, so 80% of the 30 women, 24.
    #expect(check(women: 24, headcount: 120, female: 30).isEmpty)
    let short = check(women: 23, headcount: 120, female: 30)
    #expect(short.map(\.code) == ["participation_too_low"])
    #expect(short.first?.message.zh == "参保人数须达到女职工人数的 80%（30 人中至少 24 人，已报 23 人）")
    #expect(short.first?.message.en == "at least 80% of the 30 female workers must enroll: 24 needed, 23 given")
    // 40 workers, 20 women: under 50, so 95% of 20, 19.
    #expect(check(women: 18, headcount: 40, female: 20).map(\.code) == ["participation_too_low"])
    #expect(check(women: 19, headcount: 40, female: 20).isEmpty)
    // 8 workers, 3 women: a small unit enrolls all its women.
    #expect(check(women: 2, headcount: 8, female: 3).map(\.code) == ["everyone_must_enroll"])
    #expect(check(women: 3, headcount: 8, female: 3).isEmpty)
    // Without the unit's female count, the whole headcount is the measure (as before).
    #expect(check(women: 24, headcount: 120, female: nil).map(\.code) == ["participation_too_low"])
  }

  @Test func participationBandsAreChecked() throws {
    let text = try String(
      contentsOfFile: RepositoryFiles.path("schemes/examples/participation.yaml"), encoding: .utf8)
    func codes(_ replaced: String, with replacement: String) -> [String] {
      do {
        _ = try SchemeFile.compile(yaml: text.replacingOccurrences(of: replaced, with: replacement), file: "p.yaml")
        return []
      } catch { return error.errors.map(\.code) }
    }
    #expect(codes("{ share: \"80%\" }", with: "{ headcountBelow: 200, share: \"80%\" }") == ["last_band_closed"])
    #expect(codes("headcountBelow: 50", with: "headcountBelow: 0") == ["bands_not_increasing"])
    #expect(codes("{ headcountBelow: 50, share: \"95%\" }", with: "{ share: \"95%\" }") == ["open_band_not_last"])
    #expect(codes("everyoneWhenHeadcountBelow: 10", with: "minParticipation: \"50%\"") == ["ambiguous_participation"])
    #expect(codes("share: \"95%\"", with: "share: \"105%\"") == ["rate_above_100"])
  }

  @Test func sharesAreTheSameForEveryoneInTheUnit() {
    let errors = check([worker("甲", shares: 2), worker("乙", shares: 2), worker("丙", shares: 1), worker("丁", shares: 2)])
    #expect(errors.map(\.code) == ["shares_differ"])
    #expect(errors[0].row == 3)
  }

  @Test func exclusiveProductsCannotBeHeldTogetherEitherWay() {
    let errors = check((1...4).map { worker("职工\($0)", held: $0 == 2 ? ["whole-amount"] : []) })
    #expect(errors.map(\.code) == ["exclusive_product"])
    // Yichun: products 1 and 2 are one or the other, declared on product 2 only.
    let yichun = check(
      [worker("甲", held: ["yc-comprehensive"])], headcount: 1, product: "yc-comprehensive-plus", scheme: Schemes.yichun)
    #expect(yichun.map(\.code) == ["exclusive_product"])
  }

  @Test func theEnrollmentWindowAndLateJoiners() {
    #expect(
      check((1...4).map { worker("职工\($0)") }, requested: "2023-10-31").map(\.code) == ["outside_enrollment_window"])
    // Mid-period: only workers hired since the start, within 30 days of hire; no participation check.
    let late = check(
      [worker("新员工", hired: "2024-03-01"), worker("老员工", hired: "2020-01-01"), worker("迟到", hired: "2024-01-10")],
      headcount: 40, already: 30, requested: "2024-03-20")
    #expect(late.map(\.code) == ["late_enrollment", "late_enrollment"])
    #expect(late.map(\.row) == [2, 3])
  }

  @Test func insuranceTypeIsCheckedWhereTheVersionLimitsIt() {
    let errors = check(
      [worker("李建国", insurance: .urbanRuralResident)], headcount: 1, requested: "2023-12-01",
      product: "yc-comprehensive",
      scheme: Schemes.yichun)
    #expect(errors.map(\.code) == ["insurance_type_not_eligible"])
  }

  @Test func individualsOnlyWhereTheProductAllowsIt() {
    #expect(check([worker("个人")], headcount: nil).map(\.code) == ["individual_not_allowed"])
    let female = check(
      [worker("灵活就业", born: "1990-02-02", gender: .female, shares: 2)], headcount: nil, requested: "2024-01-01",
      product: "yc-female", scheme: Schemes.yichun)
    #expect(female.isEmpty)
    let male = check(
      [worker("男职工")], headcount: nil, requested: "2024-01-01", product: "yc-female", scheme: Schemes.yichun)
    #expect(male.map(\.code) == ["gender_not_eligible"])
  }
}
