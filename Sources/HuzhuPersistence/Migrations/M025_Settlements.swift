import Fluent
import SQLKit

/// One-stop claims from medical-insurance settlements: the sources (a bureau's or hospital's
/// export, with its column mapping, feeding one scheme), each file or feed request received,
/// every settlement record once per source and settlement ID, and what happened to each.
struct M025_Settlements: AsyncMigration {
  var name: String { "M025_Settlements" }

  func prepare(on database: any Database) async throws {
    try await database.schema("settlement_sources")
      .id()
      .field("code", .string, .required)
      .field("name", .string, .required)
      .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .restrict))
      .field("scheme_code", .string, .required)
      .field("layout", .string, .required)
      .field("created_by", .string, .required)
      .field("created_at", .datetime, .required)
      .unique(on: "code", name: "uq_settlement_sources_code")
      .create()
    try await database.schema("settlement_batches")
      .id()
      .field("source_id", .uuid, .required, .references("settlement_sources", "id", onDelete: .restrict))
      .field("organisation_id", .uuid, .required)
      .field("channel", .string, .required)
      .field("file_name", .string)
      .field("sha256", .string)
      .field("received_by", .string, .required)
      .field("received_at", .datetime, .required)
      .field("counts", .string, .required)
      .field("row_errors", .string, .required)
      .create()
    try await database.schema("settlement_records")
      .id()
      .field("source_id", .uuid, .required, .references("settlement_sources", "id", onDelete: .restrict))
      .field("organisation_id", .uuid, .required)
      .field("settlement_id", .string, .required)
      .field("visit_id", .string)
      .field("id_number", .string, .required)
      .field("name", .string, .required)
      .field("settled_on", .string, .required)
      .field("record", .string, .required)
      .field("original", .string, .required)
      .field("batch_id", .uuid, .required, .references("settlement_batches", "id", onDelete: .restrict))
      .field("worker_id", .uuid, .references("workers", "id", onDelete: .restrict))
      .field("claim_id", .uuid, .references("claims", "id", onDelete: .restrict))
      .field("status", .string, .required)
      .field("exception", .string)
      .field("exception_detail", .string)
      .field("note", .string)
      .field("received_at", .datetime, .required)
      .field("updated_at", .datetime, .required)
      .unique(on: "source_id", "settlement_id", name: "uq_settlement_records_key")
      .create()
    // What happened to a record, oldest first; a correction keeps the values it replaced.
    try await database.schema("settlement_events")
      .id()
      .field("record_id", .uuid, .required, .references("settlement_records", "id", onDelete: .restrict))
      .field("batch_id", .uuid)
      .field("at", .datetime, .required)
      .field("actor", .string, .required)
      .field("action", .string, .required)
      .field("note", .string)
      .field("previous", .string)
      .create()
    guard let sql = database as? any SQLDatabase else { return }
    try await sql.create(index: "ix_settlement_records_queue").on("settlement_records")
      .column("organisation_id").column("status").column("exception").run()
    try await sql.create(index: "ix_settlement_records_claim").on("settlement_records").column("claim_id").run()
    try await sql.create(index: "ix_settlement_events_record").on("settlement_events").column("record_id").run()
    try await AppendOnly.protect("settlement_events", on: sql)
  }

  func revert(on database: any Database) async throws {
    if let sql = database as? any SQLDatabase {
      try await AppendOnly.unprotect("settlement_events", keepingFunction: true, on: sql)
    }
    for table in ["settlement_events", "settlement_records", "settlement_batches", "settlement_sources"] {
      try await database.schema(table).delete()
    }
  }
}
