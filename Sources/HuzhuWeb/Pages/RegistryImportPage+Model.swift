import HuzhuApp
import HuzhuCore

/// The bulk import of the organisation tree or of units: the file, a preview of every row
/// (what it would do, what is wrong), then the import of all rows or none. The file waits in
/// the document store by its SHA-256 between preview and import, so the import is of exactly
/// the file previewed.
enum RegistryImportPage {
  /// One previewed row, whichever the sheet.
  struct Row {
    let number: Int
    let action: RegistryImportAction
    let code: String
    let name: String
    let under: String
    let errors: [FieldError]
  }

  struct Model {
    let kind: RegistryImports.Kind
    var rows: [Row] = []
    var fileErrors: [FieldError] = []
    /// The stored file's SHA-256, carried from the preview to the import.
    var file: String?
    var errors: [FieldError] = []
    /// What the last import wrote.
    var notice: LocalizedText?
    var previewed = false

    var canCommit: Bool { previewed && !rows.isEmpty && fileErrors.isEmpty && rows.allSatisfy(\.errors.isEmpty) }
    var errorCount: Int { fileErrors.count + rows.map(\.errors.count).reduce(0, +) }

    mutating func show(_ preview: RegistryImports.OrganisationPreview) {
      previewed = true
      fileErrors = preview.fileErrors
      rows = preview.rows.map {
        Row(
          number: $0.rowNumber, action: $0.action, code: $0.organisation.code, name: $0.organisation.name,
          under: $0.parentCode, errors: $0.errors)
      }
    }

    mutating func show(_ preview: RegistryImports.UnitPreview) {
      previewed = true
      fileErrors = preview.fileErrors
      rows = preview.rows.map {
        Row(
          number: $0.rowNumber, action: $0.action, code: $0.unit.creditCode ?? "", name: $0.unit.name,
          under: $0.organisationCode, errors: $0.errors)
      }
    }

    /// Checks the kept `file` into the model.
    mutating func review(_ file: String, with imports: RegistryImports) async throws {
      let bytes = try imports.kept(file)
      self.file = file
      switch kind {
      case .organisations: show(try await imports.reviewOrganisations(bytes))
      case .units: show(try await imports.reviewUnits(bytes))
      }
    }
  }

  /// Rows shown: every row with a problem, then the first clean ones up to this.
  static let cleanRowsShown = 50
  /// Rows with problems listed at most (a sheet of 100,000 wrong rows would be a page no
  /// browser opens); the rest are counted, and fixing the first ones shows them.
  static let problemRowsShown = 500
}
