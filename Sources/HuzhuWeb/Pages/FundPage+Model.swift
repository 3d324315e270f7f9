import HuzhuCore

/// The fund's reconciliation: per scheme and period, what came in by kind, what went out,
/// and the balance. The sums come from the database; the page checks they add up.
enum FundPage {
  struct Model {
    let balances: [FundBalance]
    let schemeNames: [String: String]

    static func load(enrollments: any EnrollmentStore, schemes: any SchemeStore, visible: Set<String>) async throws
      -> Model
    {
      async let balances = enrollments.fundBalances(scheme: nil)
      async let stored = schemes.schemes()
      return Model(
        balances: try await balances.filter { visible.contains($0.schemeCode) },
        schemeNames: Dictionary(uniqueKeysWithValues: try await stored.map { ($0.code, $0.definition.scheme.name) }))
    }

    var total: FundBalance { FundBalance.total(of: balances) }
  }
}
