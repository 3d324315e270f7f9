import Fluent
import Foundation
import HuzhuCore

/// Scheme definitions, every save a new revision. The definition is stored as JSON beside
/// the uploaded text, so that reading needs no YAML parser and the text stays as written.
///
/// Every read goes through `reach`: a scheme run outside it does not exist for this store (its
/// products, rules and fund neither), whatever page, picker or address asked.
public struct FluentSchemeStore: SchemeStore {
  let database: any Database
  let reach: SchemeReach

  /// A store that sees every scheme: the command line, the seeder, public pages.
  public init(database: any Database) {
    self.init(database: database, reach: .everything)
  }

  public init(database: any Database, reach: SchemeReach) {
    self.database = database
    self.reach = reach
  }

  /// Revisions of the schemes in reach. A scheme's node never changes (``save`` keeps it), so
  /// filtering revisions by node filters schemes.
  func reached(_ query: QueryBuilder<SchemeRevisionModel>) -> QueryBuilder<SchemeRevisionModel> {
    guard let owners = reach.owners else { return query }
    return query.filter(\.$organisationID ~~ owners.map(\.rawValue))
  }

  public func schemes() async throws -> [StoredScheme] {
    let rows = try await reached(SchemeRevisionModel.query(on: database)).sort(\.$code)
      .sort(\.$revision, .descending).all()
    var latest: [SchemeRevisionModel] = []
    for row in rows where latest.last?.code != row.code { latest.append(row) }
    return try latest.map { try $0.domain() }
  }

  /// The number of the scheme's latest revision in reach, read without its definition: what a
  /// kept compiled copy is checked against (a revision never changes; a save adds the next).
  public func latestRevision(code: String) async throws -> (organisationID: Organisation.ID, revision: Int)? {
    try await reached(SchemeRevisionModel.query(on: database)).filter(\.$code == code)
      .sort(\.$revision, .descending).field(\.$id).field(\.$organisationID).field(\.$revision).first()
      .map { (Organisation.ID($0.organisationID), $0.revision) }
  }

  public func scheme(code: String) async throws -> StoredScheme? {
    try await reached(SchemeRevisionModel.query(on: database)).filter(\.$code == code)
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
        message: LocalizedText(zh: "方案刚被他人修改，请刷新后重试", en: "the scheme was just saved by someone else; reload and retry")
      )
    ])
    return try await mappingConstraintFailure(to: clash) {
      try await database.writeTransaction { transaction in
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
        // A scheme stays with the node that runs it: a code run elsewhere (in reach or not) is
        // taken, never revised into another node's scheme.
        if let current, current.organisationID != organisationID.rawValue || !reach.contains(owner: organisationID) {
          throw ValidationFailure([
            FieldError(
              field: "scheme.code", code: "code_taken",
              message: LocalizedText(
                zh: "方案编码“\(code)”已被其他组织使用，请换一个编码", en: "the scheme code \"\(code)\" is used by another organisation"))
          ])
        }
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
