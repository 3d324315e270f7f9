import HuzhuCore

/// The fund's reconciliation: per scheme and period, what came in by kind, what went out,
/// and the balance. The sums come from the database; the page checks they add up.
enum FundPage {
  struct Model {
    let balances: [FundBalance]
    let schemeNames: [String: String]

    static func load(enrollments: any EnrollmentStore, schemes: any SchemeStore) async throws -> Model {
      async let balances = enrollments.fundBalances(scheme: nil)
      async let stored = schemes.schemes()
      return Model(
        balances: try await balances,
        schemeNames: Dictionary(uniqueKeysWithValues: try await stored.map { ($0.code, $0.definition.scheme.name) }))
    }

    var total: FundBalance {
      var total = FundBalance(schemeCode: "", versionLabel: "")
      for balance in balances {
        total.add(kind: .contribution, amount: balance.contributions, count: balance.entryCount)
        total.add(kind: .subsidy, amount: balance.subsidies, count: 0)
        total.add(kind: .claimPayment, amount: Money(fen: -balance.claimsPaid.fen), count: 0)
        total.add(kind: .reversal, amount: balance.reversals, count: 0)
      }
      return total
    }
  }
}
