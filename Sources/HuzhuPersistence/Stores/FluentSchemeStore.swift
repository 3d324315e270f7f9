import Fluent
import Foundation
import HuzhuCore

/// Scheme definitions, every save a new revision. The definition is stored as JSON beside
/// the uploaded text, so that reading needs no YAML parser and the text stays as written.
public struct FluentSchemeStore: SchemeStore {
  let database: any Database

  public init(database: any Database) {
    self.database = database
  }

  public func schemes() async throws -> [StoredScheme] {
    let rows = try await SchemeRevisionModel.query(on: database).sort(\.$code).sort(\.$revision, .descending).all()
    var latest: [SchemeRevisionModel] = []
    for row in rows where latest.last?.code != row.code { latest.append(row) }
    return try latest.map { try $0.domain() }
  }

  public func scheme(code: String) async throws -> StoredScheme? {
    try await SchemeRevisionModel.query(on: database).filter(\.$code == code)
      .sort(\.$revision, .descending).first()?.domain()
  }

  public func save(
    _ definition: SchemeDefinition, source: String, organisationID: Organisation.ID, savedBy: String
  ) async throws -> StoredScheme {
    _ = try SchemeCompiler.compile(definition)
    let json = String(decoding: try JSONEncoder.sorted.encode(definition), as: UTF8.self)
    let clash = ValidationFailure([
      FieldError(
        field: "scheme.code", code: "concurrent_save",
        message: LocalizedText(zh: "方案刚被他人修改，请刷新后重试", en: "the scheme was just saved by someone else; reload and retry"))
    ])
    return try await mappingConstraintFailure(to: clash) {
      try await database.transaction { transaction in
        guard try await OrganisationModel.find(organisationID.rawValue, on: transaction) != nil else {
          throw ValidationFailure([
            FieldError(
              field: "organisationId", code: "unknown_organisation",
              message: LocalizedText(zh: "所属工会组织不存在", en: "the organisation does not exist"))
          ])
        }
        let code = definition.scheme.code
        let current = try await SchemeRevisionModel.query(on: transaction).filter(\.$code == code)
          .sort(\.$revision, .descending).first()
        let row = SchemeRevisionModel()
        row.id = UUID()
        row.code = code
        row.revision = (current?.revision ?? 0) + 1
        row.organisationID = organisationID.rawValue
        row.name = definition.scheme.name
        row.source = source
        row.definition = json
        row.savedBy = savedBy
        // Whole seconds: both databases then give back exactly what was written.
        row.savedAt = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        try await row.create(on: transaction)
        return try row.domain()
      }
    }
  }
}
