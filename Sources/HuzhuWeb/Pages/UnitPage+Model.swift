import HuzhuApp
import HuzhuCore
import Vapor

/// One unit: its details and headcount, members, cover, bills and the outreach log, with the
/// forms that keep them (details, a headcount report, an outreach visit).
enum UnitPage {
  typealias Model = Registry.UnitOverview

  /// The query parameters of the pages of the unit's workers and of its enrollments.
  static let workersParameter = "workers_page"
  static let enrollmentsParameter = "enrollments_page"
  static let perPage = 100

  static func workersPage(_ request: Request) -> PageQuery {
    PageQuery(page: request.query[Int.self, at: workersParameter] ?? 1, per: perPage)
  }

  static func enrollmentsPage(_ request: Request) -> PageQuery {
    PageQuery(page: request.query[Int.self, at: enrollmentsParameter] ?? 1, per: perPage)
  }

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
