import HuzhuCore
import HuzhuSchemeFiles
import HuzhuTestSupport
import Testing

/// Invalid definitions are rejected whole, every problem with its path and both languages.
@Suite("Scheme validation")
struct SchemeValidationTests {
  /// A minimal scheme: one product, one version, one benefit whose body is `benefit`.
  /// Snippets are written flush left and indented here, so YAML nesting stays right.
  func scheme(benefit: String, extraVersion: String = "", lists: String = "", secondVersion: String = "") -> String {
    func indent(_ text: String, _ spaces: Int) -> String {
      text.split(separator: "\n", omittingEmptySubsequences: false)
        .map { $0.isEmpty ? "" : String(repeating: " ", count: spaces) + $0 }.joined(separator: "\n")
    }
    return """
      scheme: { code: t, name: 测试方案 }
      \(lists)
      products:
        - code: p
          name: 产品
          versions:
            - version: "A"
              coverageStarting: { from: 2024-01-01, to: 2024-12-31 }
      \(indent(extraVersion, 8))
              benefits:
                - code: b
                  name: 保障
      \(indent(benefit, 12))
      \(indent(secondVersion, 6))
      """
  }

  let hospital = """
    kind: hospital
    hospital: { base: self_paid_in_scope, schedule: { flat: "30%" } }
    """

  func errors(_ yaml: String) -> [FieldError] {
    do {
      _ = try SchemeFile.compile(yaml: yaml, file: "test.yaml")
      Issue.record("expected the definition to be rejected")
      return []
    } catch {
      return error.errors
    }
  }

  func codes(_ yaml: String) -> [String] { errors(yaml).map(\.code) }

  @Test func theMinimalSchemeIsValid() throws {
    _ = try SchemeFile.compile(yaml: scheme(benefit: hospital))
  }

  @Test func overlappingVersionsAreRejected() {
    let second = """
      - version: "B"
        coverageStarting: { from: 2024-06-01 }
        benefits:
          - code: b
            name: 保障
            kind: hospital
            hospital: { base: self_paid_in_scope, schedule: { flat: "40%" } }
      """
    let found = errors(scheme(benefit: hospital, secondVersion: second))
    #expect(found.map(\.code) == ["overlapping_versions"])
    #expect(found.first?.field == "products[0].versions[1].coverageStarting")
    #expect(found.first?.message.zh.contains("重叠") == true)
  }

  func bands(_ lines: String, _ schedule: String = "progressive") -> String {
    let indented = lines.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
    return scheme(
      benefit: """
        kind: hospital
        hospital:
          base: self_paid_in_scope
          schedule:
            \(schedule):
        \(indented)
        """)
  }

  @Test func aMinimumPaymentIsNotNegativeNorAboveTheClaimCapAndBelongsToABenefit() {
    func limits(_ limits: String) -> String {
      scheme(
        benefit: """
          kind: hospital
          hospital: { base: self_paid_in_scope, schedule: { flat: "50%" } }
          limits: \(limits)
          """)
    }
    #expect(throws: Never.self) {
      try SchemeFile.compile(yaml: limits("{ minimumPerClaim: \"100.00\", perClaim: \"100.00\" }"), file: "test.yaml")
    }
    #expect(codes(limits("{ minimumPerClaim: \"-1.00\" }")) == ["negative_amount"])
    let above = errors(limits("{ minimumPerClaim: \"200.00\", perClaim: \"100.00\" }"))
    #expect(above.map(\.code) == ["minimum_above_cap"])
    #expect(above.first?.field == "products[0].versions[0].benefits[0].limits.minimumPerClaim")
    #expect(above.first?.message.zh.contains("最低给付") == true)
    let onProduct = scheme(
      benefit: """
        kind: hospital
        hospital: { base: self_paid_in_scope, schedule: { flat: "50%" } }
        """, extraVersion: "limits: { minimumPerClaim: \"100.00\" }")
    #expect(codes(onProduct) == ["benefit_limit_on_product"])
  }

  /// Summed over a unit's members or times a claim's shares, an amount of fifteen digits passed
  /// 64 bits and stopped the process: every amount of a scheme is at most a billion yuan.
  @Test func everyAmountOfASchemeIsAtMostABillionYuan() throws {
    let largest = SchemeDefinition.largestAmount.decimalString
    let above = Money(fen: SchemeDefinition.largestAmount.fen + 1).decimalString
    #expect(largest == "1000000000.00")
    func scheme(_ amount: String) -> String {
      self.scheme(
        benefit: """
          kind: hospital
          hospital:
            base: self_paid_in_scope
            deductible: { firstStay: "\(amount)" }
            schedule:
              wholeAmount:
                - { upTo: "\(amount)", amount: "\(amount)" }
                - { rate: "10%" }
          limits: { perClaim: "\(amount)", perPeriod: "\(amount)" }
          """,
        extraVersion: """
          contribution:
            perShare: "\(amount)"
            continuity: [{ fromYear: 2, perShare: "\(amount)" }]
          """)
    }
    #expect(throws: Never.self) { try SchemeFile.compile(yaml: scheme(largest), file: "test.yaml") }
    let found = errors(scheme(above))
    #expect(found.allSatisfy { $0.code == "amount_too_large" })
    let benefit = "products[0].versions[0].benefits[0]"
    #expect(
      Set(found.map(\.field)) == [
        "products[0].versions[0].contribution.perShare", "products[0].versions[0].contribution.continuity[0].perShare",
        "\(benefit).hospital.deductible.firstStay", "\(benefit).hospital.schedule.wholeAmount[0].upTo",
        "\(benefit).hospital.schedule.wholeAmount[0].amount", "\(benefit).limits.perClaim",
        "\(benefit).limits.perPeriod",
      ])
    #expect(found.first?.message.zh == "金额不能超过 1000000000.00 元")
    let lumpSum = self.scheme(
      benefit: "kind: lump_sum\nlumpSum: { list: crit, amount: \"\(above)\" }",
      lists: "diseaseLists:\n  - { code: crit, name: 重疾, classes: [{ code: cancer, name: 恶性肿瘤 }] }")
    #expect(codes(lumpSum) == ["amount_too_large"])
    let accident = self.scheme(benefit: "kind: accident\naccident: { sumInsured: \"\(above)\" }")
    #expect(codes(accident) == ["amount_too_large"])
  }

  @Test func aBandPaysARateOrAFixedAmountNeverBothAndAmountsOnlyForTheWhole() {
    let fixed = """
      - { upTo: "10000.00", amount: "0.00" }
      - { upTo: "20000.00", amount: "1000.00" }
      - { amount: "2000.00" }
      """
    #expect(throws: Never.self) { try SchemeFile.compile(yaml: bands(fixed, "wholeAmount"), file: "test.yaml") }
    // Fixed amounts and rates may be mixed in the whole amount's bands.
    let mixed = bands("- { upTo: \"10000.00\", rate: \"5%\" }\n- { amount: \"2000.00\" }", "wholeAmount")
    #expect(throws: Never.self) { try SchemeFile.compile(yaml: mixed, file: "test.yaml") }
    let progressive = errors(bands(fixed))
    #expect(progressive.map(\.code) == ["amount_in_progressive", "amount_in_progressive", "amount_in_progressive"])
    #expect(progressive.first?.field == "products[0].versions[0].benefits[0].hospital.schedule.progressive[0].amount")
    #expect(progressive.first?.message.zh.contains("全额分档") == true)
    let both = errors(
      bands("- { upTo: \"1000.00\", rate: \"5%\", amount: \"100.00\" }\n- { rate: \"8%\" }", "wholeAmount"))
    #expect(both.map(\.code) == ["rate_or_amount"])
    #expect(both.first?.field == "products[0].versions[0].benefits[0].hospital.schedule.wholeAmount[0]")
    #expect(codes(bands("- { upTo: \"1000.00\" }\n- { rate: \"8%\" }", "wholeAmount")) == ["rate_or_amount"])
    #expect(
      codes(bands("- { upTo: \"1000.00\", amount: \"-1.00\" }\n- { rate: \"8%\" }", "wholeAmount")) == [
        "negative_amount"
      ])
  }

  @Test func bandGapsOverlapsAndOpenEndsAreRejected() {
    let gap = errors(
      bands(
        """
        - { upTo: "1000.00", rate: "30%" }
        - { from: "1200.00", rate: "50%" }
        """))
    #expect(gap.map(\.code) == ["band_gap"])
    #expect(gap.first?.field == "products[0].versions[0].benefits[0].hospital.schedule.progressive[1].from")
    #expect(gap.first?.message.zh.contains("空档") == true)
    #expect(
      codes(
        bands(
          """
          - { upTo: "1000.00", rate: "30%" }
          - { from: "800.00", rate: "50%" }
          """)) == ["band_overlap"])
    #expect(
      codes(
        bands(
          """
          - { rate: "30%" }
          - { upTo: "2000.00", rate: "50%" }
          """)
      ).contains("open_band_not_last"))
    #expect(
      codes(
        bands(
          """
          - { upTo: "1000.00", rate: "30%" }
          - { upTo: "5000.00", rate: "50%" }
          """)) == ["band_gap_above"])
    #expect(
      codes(
        bands(
          """
          - { upTo: "1000.00", rate: "30%" }
          - { upTo: "900.00", rate: "40%" }
          - { rate: "50%" }
          """)) == ["band_not_increasing"])
  }

  @Test func negativeAndExcessiveRatesAreRejected() {
    let negative = errors(
      scheme(
        benefit: """
          kind: hospital
          hospital: { base: self_paid_in_scope, schedule: { flat: "-30%" } }
          """))
    #expect(negative.map(\.code) == ["invalid_value"])
    #expect(negative.first?.field == "products[0].versions[0].benefits[0].hospital.schedule.flat")
    #expect(
      codes(
        scheme(
          benefit: """
            kind: hospital
            hospital: { base: self_paid_in_scope, schedule: { flat: "120%" } }
            """)) == ["rate_above_100"])
  }

  @Test func unknownDiseaseClassesAndListsAreRejected() {
    let lists = """
      diseaseLists:
        - code: crit
          name: 重疾
          classes: [{ code: cancer, name: 恶性肿瘤 }]
      """
    let unknownClass = errors(
      scheme(
        benefit: """
          kind: lump_sum
          lumpSum:
            list: crit
            amount: "10000.00"
            classAmounts: [{ class: flu, amount: "100.00" }]
          """, lists: lists))
    #expect(unknownClass.map(\.code) == ["unknown_class"])
    #expect(unknownClass.first?.field == "products[0].versions[0].benefits[0].lumpSum.classAmounts[0].class")
    #expect(unknownClass.first?.message.en.contains("flu") == true)
    #expect(
      codes(
        scheme(
          benefit: """
            kind: lump_sum
            lumpSum: { list: nowhere, amount: "10000.00" }
            """, lists: lists)) == ["unknown_list"])
    #expect(
      codes(
        scheme(
          benefit: """
            kind: allowance
            allowance: { perDay: "30.00", excludedClasses: [mental] }
            """, lists: lists)) == ["unknown_class"])
  }

  @Test func aPeriodCapBelowThePerClaimCapIsRejected() {
    let found = errors(scheme(benefit: hospital + "\nlimits: { perClaim: \"5000.00\", perPeriod: \"3000.00\" }"))
    #expect(found.map(\.code) == ["cap_below_claim_cap"])
    #expect(found.first?.message.zh.contains("¥3,000.00") == true)
  }

  @Test func aBenefitMustHaveTheSectionOfItsKind() {
    #expect(
      codes(
        scheme(
          benefit: """
            kind: lump_sum
            hospital: { base: self_paid_in_scope, schedule: { flat: "30%" } }
            """)) == ["kind_mismatch"])
  }

  @Test func everyProblemIsReportedNotJustTheFirst() {
    let found = errors(
      scheme(
        benefit: """
          kind: hospital
          hospital: { base: { min: [self_paid_in_scope] }, schedule: { flat: "130%" } }
          limits: { perClaim: "-1.00", maxPaidClaims: 0 }
          """,
        extraVersion: """
          shares: { min: 2, max: 1 }
          claimDeadline: { days: 30, years: 1 }
          waitingPeriod: { days: -5 }
          """))
    #expect(
      Set(found.map(\.code)) == [
        "too_few_parts", "rate_above_100", "negative_amount", "not_positive", "invalid_shares", "ambiguous_deadline",
        "invalid_days",
      ])
    #expect(found.allSatisfy { !$0.message.zh.isEmpty && !$0.message.en.isEmpty })
  }

  @Test func missingFieldsAndBadSyntaxNameTheirPlace() {
    let missing = errors(
      """
      scheme: { code: t, name: 测试 }
      products:
        - code: p
          name: 产品
          versions:
            - version: "A"
              benefits: []
      """)
    #expect(missing.map(\.code) == ["missing_field"])
    #expect(missing.first?.field == "products[0].versions[0].coverageStarting")
    #expect(codes("scheme: [unclosed") == ["yaml_syntax"])
    #expect(
      codes(scheme(benefit: hospital).replacingOccurrences(of: "2024-01-01", with: "2024-02-30")) == ["invalid_value"])
  }

  @Test func aMisspeltKeyIsRefusedWithTheKeyItMeant() {
    let found = errors(scheme(benefit: hospital + "\nlimits: { perClaim: \"5000.00\", maxPaidClaim: 2 }"))
    #expect(found.map(\.code) == ["unknown_key"])
    #expect(found.first?.field == "products[0].versions[0].benefits[0].limits.maxPaidClaim")
    #expect(found.first?.message.en == "unknown key maxPaidClaim: did you mean maxPaidClaims?")
    #expect(found.first?.message.zh == "未知的字段“maxPaidClaim”：是否应为“maxPaidClaims”？")
    // Every unknown key at once, wherever it is, with the file named in the report.
    let several = errors(
      scheme(
        benefit: hospital.replacingOccurrences(
          of: "schedule:", with: "deductible: { firstStay: \"100.00\", laterStay: \"50.00\" }, schedule:"),
        extraVersion: "colour: red"
      )
      .replacingOccurrences(of: "name: 测试方案", with: "name: 测试方案, nameEN: Test"))
    #expect(
      several.map(\.field).sorted() == [
        "products[0].versions[0].benefits[0].hospital.deductible.laterStay", "products[0].versions[0].colour",
        "scheme.nameEN",
      ])
    #expect(
      several.first { $0.field.hasSuffix("laterStay") }?.message.en == "unknown key laterStay: did you mean laterStays?"
    )
    #expect(several.first { $0.field == "scheme.nameEN" }?.message.en == "unknown key nameEN: did you mean nameEn?")
    // Nothing close: the keys of that place are listed instead.
    #expect(
      several.first { $0.field.hasSuffix("colour") }?.message.en.hasPrefix(
        "unknown key colour: the keys here are benefits, claimDeadline, contribution") == true)
    do {
      _ = try SchemeFile.compile(yaml: scheme(benefit: hospital, extraVersion: "colour: red"), file: "city.yaml")
      Issue.record("a scheme with an unknown key compiled")
    } catch {
      #expect(error.description.hasPrefix("city.yaml: products[0].versions[0].colour: 未知的字段“colour”"))
    }
  }

  @Test func aFloodOfUnknownKeysIsReportedBriefly() {
    // 20,000 made-up keys at the top of the file, one of them 1,000 characters long (YAML's
    // longest plain key): answered at once, with a hundred errors and no key quoted whole.
    let keys = (0..<20_000).map { "k\($0): 1" }.joined(separator: "\n")
    let yaml = scheme(benefit: hospital) + "\n" + String(repeating: "x", count: 1_000) + ": 1\n" + keys + "\n"
    let clock = ContinuousClock()
    var found: [FieldError] = []
    let elapsed = clock.measure { found = errors(yaml) }
    #expect(found.count == 100 && found.allSatisfy { $0.code == "unknown_key" })
    #expect(found.allSatisfy { $0.message.en.count < 400 && $0.field.count < 100 })
    #expect(elapsed < .seconds(20))
    // A syntax error on a line of a megabyte quotes the start of it.
    let line = "scheme: [" + String(repeating: "y", count: 1_000_000)
    #expect(errors(line).map(\.code) == ["yaml_syntax"])
    #expect(errors(line).allSatisfy { $0.message.zh.count < 500 })
  }

  @Test func aMisspeltRequiredKeyIsNamedAsWritten() {
    let found = errors(scheme(benefit: hospital.replacingOccurrences(of: "schedule:", with: "shedule:")))
    #expect(found.map(\.code) == ["missing_field"])
    #expect(found.first?.field == "products[0].versions[0].benefits[0].hospital.schedule")
    #expect(found.first?.message.en == "the field schedule is required: is shedule a misspelling of it?")
    // Missing and nothing like it: the plain message.
    let missing = errors(scheme(benefit: hospital.replacingOccurrences(of: ", schedule: { flat: \"30%\" }", with: "")))
    #expect(
      missing.first?.message.en == "the field \"products[0].versions[0].benefits[0].hospital.schedule\" is required")
  }

  @Test func aCaseFileWithAMisspeltKeyIsRefused() throws {
    let text = try String(contentsOfFile: RepositoryFiles.path("schemes/cases/anyang-800.json"), encoding: .utf8)
    #expect(throws: Never.self) { try SchemeFile.decode(ClaimCase.self, yaml: text, file: "anyang-800.json") }
    let misspelt = text.replacingOccurrences(of: "\"admissionDate\"", with: "\"admisionDate\"")
      .replacingOccurrences(of: "\"gender\": \"female\",", with: "\"gender\": \"female\", \"x\": 1,")
      .replacingOccurrences(
        of: "\"event\":", with: "\"history\": {\"anyang-hospital-topup\": {\"stayz\": 1}},\n  \"event\":")
    do {
      _ = try SchemeFile.decode(ClaimCase.self, yaml: misspelt, file: "anyang-800.json")
      Issue.record("a case with unknown keys was read")
    } catch {
      #expect(
        error.errors.map(\.field).sorted() == [
          "event.admisionDate", "history.anyang-hospital-topup.stayz", "member.x",
        ])
      #expect(
        error.errors.first { $0.field == "event.admisionDate" }?.message.en.hasSuffix("did you mean admissionDate?")
          == true)
    }
  }

  @Test func keysThatAreDataAreNotCheckedAsFields() throws {
    // Maps keyed by the file's own codes (approval levels by benefit kind) and one-key
    // expressions (a base as `min: [...]`) check their keys themselves.
    let yaml = scheme(
      benefit:
        "kind: hospital\nhospital: { base: { min: [self_paid_in_scope, total_cost] }, schedule: { flat: \"30%\" } }"
    )
    .replacingOccurrences(
      of: "name: 测试方案 }", with: "name: 测试方案, claims: { approvalByKind: { hospital: [city_federation] } } }")
    #expect(throws: Never.self) { try SchemeFile.compile(yaml: yaml, file: "test.yaml") }
  }

  @Test func duplicateCodesAreRejected() {
    func product(_ code: String) -> String {
      """
        - code: \(code)
          name: 产品
          versions:
            - version: "A"
              coverageStarting: { from: 2024-01-01 }
              benefits:
                - { code: b, name: 保障, kind: hospital, hospital: { base: total_cost, schedule: { flat: "30%" } } }
      """
    }
    let header = "scheme: { code: t, name: 测试 }\nproducts:\n"
    #expect(Set(codes(header + product("p") + "\n" + product("p"))) == ["duplicate_product"])
    #expect(codes(header + product("p") + "\n" + product("q")) == ["benefit_in_two_products"])
  }

  @Test func enrollmentRulesAreChecked() {
    let found = errors(
      scheme(
        benefit: hospital,
        extraVersion: """
          enrollment:
            window: { from: 2024-02-01, to: 2024-01-01 }
            minParticipation: "120%"
            lateJoinerDays: -1
            exclusiveWith: [p, nowhere]
          """))
    #expect(Set(found.map(\.code)) == ["range_reversed", "rate_above_100", "invalid_days", "unknown_product"])
    #expect(
      found.filter { $0.code == "unknown_product" }.map(\.field) == [
        "products[0].versions[0].enrollment.exclusiveWith[0]", "products[0].versions[0].enrollment.exclusiveWith[1]",
      ])
  }

  @Test func theShippedSchemesAreValid() throws {
    #expect(Schemes.anyang.products.map(\.code) == ["anyang-hospital"])
    #expect(Schemes.anyang.products[0].versions.map(\.label) == ["2019", "2020"])
    #expect(Schemes.yichun.products.count == 3)
    #expect(Schemes.yichun.diseaseClasses.values.filter { $0.list == "female-12" }.count == 12)
    #expect(Schemes.yichun.diseaseClasses.values.filter { $0.list == "critical-25" }.count == 25)
    #expect(Schemes.features.products.count == 3)
  }
}
