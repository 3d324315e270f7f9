import HuzhuApp
import HuzhuCore

/// The fund's reconciliation: per scheme and period, what came in by kind, what went out,
/// and the balance. The sums come from the database; the page checks they add up.
enum FundPage {
  typealias Model = Schemes.Funds
}
