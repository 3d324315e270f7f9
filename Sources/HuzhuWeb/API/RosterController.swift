import HuzhuApp
import HuzhuCore
import Vapor

/// Roster upload through the API: the file (XLSX or CSV, recognised by content) is the
/// request body. `preview` checks and writes nothing; the import commits all rows or none.
struct RosterController {
  let limits: InputLimits

  /// Rows listed in a preview: every row with a problem, and the first clean ones up to this.
  static let cleanRowsShown = 50

  func register(authenticated: any RoutesBuilder) {
    // Rosters of 100,000 rows run to a few megabytes: up to the configured upload limit.
    let body = HTTPBodyStreamStrategy.collect(maxSize: BodyLimits.roster(limits))
    authenticated.on(.POST, .api(.unitRosterPreview(.key)), requires: .manageUnits, body: body, use: preview)
    authenticated.on(.POST, .api(.unitRoster(.key)), requires: .manageUnits, body: body, use: commit)
  }

  @Sendable func preview(_ request: Request) async throws -> RosterPreviewResource {
    let review = try await request.rosterImports.review(request.bodyBytes, into: try request.identifier())
    return RosterPreviewResource(review.preview, unit: review.unit)
  }

  @Sendable func commit(_ request: Request) async throws -> Response {
    let (_, result) = try await request.rosterImports.commit(request.bodyBytes, into: try request.identifier())
    return try await RosterImportResource(result).encodeResponse(status: .created, for: request)
  }
}

extension Request {
  var rosterImports: RosterImports {
    get throws { RosterImports(services, actor: try actor) }
  }

  /// The request's body as bytes (empty when there is none).
  var bodyBytes: Data { body.data.map { Data($0.readableBytesView) } ?? Data() }
}

struct RosterPreviewResource: Content {
  struct Row: Content {
    let rowNumber: Int
    let name: String
    let idNumberMasked: String?
    let errors: [FieldError]
    let warnings: [FieldError]
  }

  let unitId: UUID
  let unitName: String
  let rowCount: Int
  let errorCount: Int
  let warningCount: Int
  let canCommit: Bool
  let fileErrors: [FieldError]
  /// Every row with an error or warning, and the first clean rows.
  let rows: [Row]

  init(_ preview: RosterPreview, unit: WorkUnit) {
    unitId = unit.id.rawValue
    unitName = unit.name
    rowCount = preview.rows.count
    errorCount = preview.errorCount
    warningCount = preview.warningCount
    canCommit = preview.canCommit
    fileErrors = preview.fileErrors
    var clean = 0
    rows = preview.rows.compactMap { row in
      if row.errors.isEmpty && row.warnings.isEmpty {
        clean += 1
        if clean > RosterController.cleanRowsShown { return nil }
      }
      return Row(
        rowNumber: row.rowNumber, name: row.name, idNumberMasked: row.idNumber?.masked, errors: row.errors,
        warnings: row.warnings)
    }
  }
}

struct RosterImportResource: Content {
  let created: Int
  let transferred: Int
  let updated: Int
  let requested: Int
  let total: Int

  init(_ result: RosterImportResult) {
    created = result.created
    transferred = result.transferred
    updated = result.updated
    requested = result.requested
    total = result.total
  }
}
