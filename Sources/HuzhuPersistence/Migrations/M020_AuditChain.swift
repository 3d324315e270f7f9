import Fluent
import HuzhuCore
import SQLKit

/// The audit log becomes a hash chain (``AuditChain``): each entry's sequence number, the hash
/// of the entry before it and its own. Entries written before are sealed here, oldest first,
/// so the chain covers the whole log. `audit_prunes` records where the kept part of the chain
/// starts after the retention period removed older entries (archived first).
struct M020_AuditChain: AsyncMigration {
  var name: String { "M020_AuditChain" }

  func prepare(on database: any Database) async throws {
    // One column per statement: SQLite's ALTER TABLE adds a single column at a time.
    try await database.schema("audit_events").field("sequence", .int64).update()
    try await database.schema("audit_events").field("previous_hash", .string).update()
    try await database.schema("audit_events").field("entry_hash", .string).update()
    try await database.schema("audit_prunes")
      .id()
      .field("at", .datetime, .required)
      .field("actor", .string, .required)
      .field("kept_from", .int64, .required)
      .field("previous_hash", .string, .required)
      .field("removed", .int64, .required)
      .field("archive_digest", .string, .required)
      .create()
    guard let sql = database as? any SQLDatabase else { return }
    try await AppendOnly.protect("audit_prunes", on: sql)
    try await AppendOnly.unprotect("audit_events", keepingFunction: true, on: sql)
    var head: AuditChain.Head?
    while true {
      let rows = try await AuditEventModel.query(on: database).filter(\.$sequence == nil)
        .sort(\.$at).sort(\.$id).limit(500).all()
      if rows.isEmpty { break }
      for row in rows {
        let seal = AuditChain.seal(try row.domain(), after: head, digest: AuditDigest.sha256)
        try await AuditEventModel.query(on: database).filter(\.$id == row.requireID())
          .set(\.$sequence, to: seal.sequence).set(\.$previousHash, to: seal.previous)
          .set(\.$entryHash, to: seal.hash).update()
        head = AuditChain.Head(sequence: seal.sequence, hash: seal.hash)
      }
    }
    try await AppendOnly.protect("audit_events", on: sql)
    try await sql.create(index: "ux_audit_events_sequence").unique().on("audit_events").column("sequence").run()
  }

  func revert(on database: any Database) async throws {
    guard let sql = database as? any SQLDatabase else { return }
    try await sql.raw("DROP INDEX ux_audit_events_sequence").run()
    try await AppendOnly.unprotect("audit_prunes", keepingFunction: true, on: sql)
    try await database.schema("audit_prunes").delete()
    try await AppendOnly.unprotect("audit_events", keepingFunction: true, on: sql)
    for column in ["entry_hash", "previous_hash", "sequence"] {
      try await database.schema("audit_events").deleteField(.string(column)).update()
    }
    try await AppendOnly.protect("audit_events", on: sql)
  }
}
