import HuzhuApp
import HuzhuCore

/// One unit: its details and headcount, members, cover, bills and the outreach log, with the
/// forms that keep them (details, a headcount report, an outreach visit).
enum UnitPage {
  typealias Model = Registry.UnitOverview

  /// Which form was sent back, with what was typed and what was wrong: shown again, nothing lost.
  struct Refused {
    enum Form: String {
      case details, headcount, outreach
    }

    let form: Form
    let values: [String: String]
    let errors: [FieldError]
  }
}

/// A new unit under an organisation node (from the node's page).
enum NewUnitForm {
  static let fields = ["name", "creditCode", "sector"]
}
