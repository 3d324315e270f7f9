import Fluent
import HuzhuCore
import SQLKit

/// The registry: the union hierarchy, units, workers and their employment.
///
/// Only portable column types: UUID, string, int64, bool, datetime. Calendar dates are
/// `YYYY-MM-DD` strings (they sort correctly and mean the same on both databases);
/// enumerations are strings guarded by CHECK constraints rather than PostgreSQL enum types.
struct M001_CreateRegistry: AsyncMigration {
  var name: String { "M001_CreateRegistry" }

  func prepare(on database: any Database) async throws {
    try await database.schema("organisations")
      .id()
      .field("parent_id", .uuid, .references("organisations", "id", onDelete: .restrict))
      .field("kind", .string, .required)
      .field("code", .string, .required)
      .field("name", .string, .required)
      .field("name_en", .string)
      .field("created_at", .datetime, .required)
      .unique(on: "code", name: "uq_organisations_code")
      .constraint(.check(named: "ck_organisations_kind", "kind", in: OrganisationKind.allCases.map(\.rawValue)))
      .create()

    try await database.schema("units")
      .id()
      .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .restrict))
      .field("name", .string, .required)
      .field("credit_code", .string)
      .field("sector", .string, .required)
      .field("created_at", .datetime, .required)
      .unique(on: "credit_code", name: "uq_units_credit_code")
      .constraint(.check(named: "ck_units_sector", "sector", in: Sector.allCases.map(\.rawValue)))
      .create()

    try await database.schema("workers")
      .id()
      .field("id_number", .string, .required)
      .field("name", .string, .required)
      .field("gender", .string, .required)
      .field("birth_date", .string, .required)
      .field("created_at", .datetime, .required)
      .unique(on: "id_number", name: "uq_workers_id_number")
      .constraint(.check(named: "ck_workers_gender", "gender", in: Gender.allCases.map(\.rawValue)))
      .create()

    try await database.schema("employments")
      .id()
      .field("worker_id", .uuid, .required, .references("workers", "id", onDelete: .restrict))
      .field("unit_id", .uuid, .required, .references("units", "id", onDelete: .restrict))
      .field("start_date", .string, .required)
      .field("end_date", .string)
      .create()

    guard let sql = database as? any SQLDatabase else { return }
    try await sql.create(index: "ix_organisations_parent").on("organisations").column("parent_id").run()
    try await sql.create(index: "ix_units_organisation").on("units").column("organisation_id").run()
    try await sql.create(index: "ix_employments_worker").on("employments").column("worker_id").run()
    try await sql.create(index: "ix_employments_unit").on("employments").column("unit_id").column("end_date").run()
  }

  func revert(on database: any Database) async throws {
    for table in ["employments", "workers", "units", "organisations"] {
      try await database.schema(table).delete()
    }
  }
}

extension DatabaseSchema.Constraint {
  /// `CONSTRAINT name CHECK (column IN ('a', 'b'))`, the same on SQLite and PostgreSQL.
  static func check(named name: String, _ column: String, in values: [String]) -> Self {
    let list = values.map { "'\($0.replacingOccurrences(of: "'", with: "''"))'" }.joined(separator: ", ")
    return .constraint(
      .custom(SQLTableConstraintAlgorithm.check(SQLRaw("\"\(column)\" IN (\(list))"))), name: name)
  }
}
