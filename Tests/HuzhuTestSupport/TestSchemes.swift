import HuzhuCore
import HuzhuPersistence
import HuzhuSchemeFiles

/// Schemes for enrollment and payment tests, small enough to read in one go.
///
/// `hospital` is a unit product: half the unit must join (everyone below 3 workers), the same
/// shares for everyone (1–3), new hires within 30 days, ages 16–59, cover from the day of
/// payment, withdrawal within 15 days. `gig` takes individuals, costs 100.00, and covers from the day after payment.
public enum TestSchemes {
  public static let enrollmentYAML = """
    scheme: { code: test, name: 测试互助保障, rounding: half_up }
    products:
      - code: hospital
        name: 住院互助
        versions:
          - version: "2024"
            coverageStarting: { from: 2024-01-01 }
            contribution: { perShare: "60.00", periodMonths: 12 }
            enrollment: { minParticipation: "50%", everyoneWhenHeadcountBelow: 3, sameSharesInUnit: true, lateJoinerDays: 30, withdrawalDays: 15 }
            shares: { min: 1, max: 3 }
            eligibility: { ageFrom: 16, ageUnder: 60 }
            waitingPeriod: { days: 30, waivedOnRenewalWithinDays: 30 }
            benefits:
              - code: hospital-topup
                name: 住院互助金
                kind: hospital
                hospital:
                  base: { subtract: [in_scope_cost, pooled_fund_paid] }
                  schedule: { flat: "30%" }
      - code: gig
        name: 新就业形态互助
        versions:
          - version: "2024"
            coverageStarting: { from: 2024-01-01 }
            contribution: { perShare: "100.00", periodMonths: 12, activation: day_after_payment }
            enrollment: { individualEnrollment: true }
            benefits:
              - code: gig-topup
                name: 住院互助金
                kind: hospital
                hospital:
                  base: { subtract: [in_scope_cost, pooled_fund_paid] }
                  schedule: { flat: "20%" }
    """

  public static var enrollment: CompiledScheme {
    get throws { try SchemeFile.compile(yaml: enrollmentYAML, file: "test.yaml") }
  }

  public static var enrollmentDefinition: SchemeDefinition {
    get throws { try SchemeFile.decode(SchemeDefinition.self, yaml: enrollmentYAML, file: "test.yaml") }
  }

  /// A file of `schemes/examples/` as a store saves it and as the rules compile it.
  public static func example(_ name: String) throws -> (
    source: String, definition: SchemeDefinition, compiled: CompiledScheme
  ) {
    let file = "\(name).yaml"
    let source = try String(contentsOfFile: RepositoryFiles.path("schemes/examples/\(file)"), encoding: .utf8)
    return (
      source, try SchemeFile.decode(SchemeDefinition.self, yaml: source, file: file),
      try SchemeFile.compile(yaml: source, file: file)
    )
  }
}

extension DemoScheme {
  /// The shipped schemes, as `serve` and `seed-demo` load them.
  public static var bundled: [DemoScheme] {
    get throws {
      try BundledSchemes.all().map { DemoScheme(source: $0.source, definition: $0.definition) }
    }
  }
}
