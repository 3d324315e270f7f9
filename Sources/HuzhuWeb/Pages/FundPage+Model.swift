import HuzhuApp
import HuzhuCore

/// The fund's reconciliation: per scheme and period, what it started with, what came in by
/// kind, what went out, what a close carried forward, and the balance (the sums come from the
/// database). Finance of the node running a scheme posts its opening balance and closes its
/// periods here, a close previewed before it is made.
enum FundPage {
  struct Model: Sendable {
    var overview: FundLedger.Overview
    /// The form a refusal or a preview is about, with what was typed.
    var form: Form?
    var values: [String: String] = [:]
    var errors: [FieldError] = []
    /// What the close asked for would carry forward, before it is confirmed.
    var preview: (close: FundPeriodClose, entries: [FundEntry])?
    var notice: LocalizedText?

    enum Form: Sendable {
      case opening, close
    }

    var balances: [FundBalance] { overview.funds.balances }
    var total: FundBalance { overview.funds.total }
    var schemeNames: [String: String] { overview.funds.schemeNames }

    /// `scheme|product|version` choices of the opening-balance form.
    var openingChoices: [(value: String, label: LocalizedText)] {
      overview.kept.flatMap { scheme in
        scheme.definition.products.flatMap { product in
          product.versions.filter { overview.close(scheme: scheme.code, version: $0.version) == nil }.map { version in
            (
              "\(scheme.code)|\(product.code)|\(version.version)",
              LocalizedText(
                zh: "\(scheme.definition.scheme.name) · \(product.name) · \(version.version)",
                en: "\(scheme.definition.scheme.name) · \(product.nameEn ?? product.name) · \(version.version)")
            )
          }
        }
      }
    }

    /// `scheme|version` choices of the close form: the periods still open.
    var closeChoices: [(value: String, label: String)] {
      overview.kept.flatMap { scheme in
        var labels: [String] = []
        for product in scheme.definition.products {
          for version in product.versions where !labels.contains(version.version) { labels.append(version.version) }
        }
        return labels.filter { overview.close(scheme: scheme.code, version: $0) == nil }.map {
          ("\(scheme.code)|\($0)", "\(scheme.definition.scheme.name) · \($0)")
        }
      }
    }
  }
}
