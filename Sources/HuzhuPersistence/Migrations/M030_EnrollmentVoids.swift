import Fluent
import SQLKit

/// Withdrawing cover by a correction, and refunding its contributions (``Refund``):
/// - an enrollment may be `withdrawn`; a withdrawn one no longer holds its member's place in
///   the product and period (the unique index takes a fourth key, the withdrawn one's id), so
///   the right enrollment can be made after a wrong one;
/// - corrections take the kinds `enrollment_void` and `withdrawal`, and carry the account a
///   refund to a payer other than the member goes to;
/// - `bill_adjustments`: what a bill's payers owe less, per payer, linked to the correction and
///   the withdrawn enrollment; `refunds`: what each payer gets back, with `refund_transfers`
///   recording the bank's transfer of each once; `receipt_reissues`: a payment's receipt
///   reissued under a new number, each number replaced once. All append-only.
/// - the fund ledger takes a new kind, `refund`.
struct M030_EnrollmentVoids: AsyncMigration {
  var name: String { "M030_EnrollmentVoids" }

  static let adjustments = "bill_adjustments"
  static let refunds = "refunds"
  static let transfers = "refund_transfers"
  static let reissues = "receipt_reissues"
  static let kinds = M028_Recoveries.kinds + ["refund"]
  static let correctionKinds = ["payment_void", "enrollment_void", "withdrawal"]
  static let enrollmentStatuses = ["awaiting_payment", "active", "withdrawn"]

  func prepare(on database: any Database) async throws {
    try await database.transaction { transaction in
      guard let sql = transaction as? any SQLDatabase else { return }
      try await Self.widen(
        correctionKinds: Self.correctionKinds, statuses: Self.enrollmentStatuses, freesPlace: true, on: sql)
      // One column a statement: SQLite adds one at a time.
      for column in ["refund_bank_name", "refund_bank_account"] {
        try await transaction.schema(M027_Corrections.table).field(FieldKey(stringLiteral: column), .string).update()
      }
      try await transaction.schema(Self.adjustments)
        .id()
        .field("bill_id", .uuid, .required, .references("bills", "id", onDelete: .restrict))
        .field("correction_id", .uuid, .required, .references(M027_Corrections.table, "id", onDelete: .restrict))
        .field("enrollment_id", .uuid, .required, .references("enrollments", "id", onDelete: .restrict))
        .field("payer_type", .string, .required)
        .field("payer_name", .string)
        .field("amount", .int64, .required)
        .field("created_at", .datetime, .required)
        .constraint(.sqlCheck(named: "ck_bill_adjustments_amount", "amount < 0"))
        .create()
      try await transaction.schema(Self.refunds)
        .id()
        .field("number", .string, .required)
        .field("correction_id", .uuid, .required, .references(M027_Corrections.table, "id", onDelete: .restrict))
        .field("scheme_code", .string, .required)
        // The owner node: the correction's.
        .field("organisation_id", .uuid, .references("organisations", "id", onDelete: .restrict))
        .field("bill_id", .uuid, .required, .references("bills", "id", onDelete: .restrict))
        .field("bill_number", .string, .required)
        .field("certificate_number", .string, .required)
        .field("payer_type", .string, .required)
        .field("payee_name", .string, .required)
        .field("bank_name", .string)
        .field("bank_account", .string)
        .field("amount", .int64, .required)
        .field("created_on", .string, .required)
        .field("created_at", .datetime, .required)
        .unique(on: "number", name: "uq_refunds_number")
        .constraint(.sqlCheck(named: "ck_refunds_amount", "amount > 0"))
        .create()
      try await transaction.schema(Self.transfers)
        .id()
        .field("refund_id", .uuid, .required, .references(Self.refunds, "id", onDelete: .restrict))
        .field("reference", .string, .required)
        .field("paid_on", .string, .required)
        .field("paid_by", .string, .required)
        .field("created_at", .datetime, .required)
        .unique(on: "refund_id", name: "uq_refund_transfers_refund")
        .create()
      try await transaction.schema(Self.reissues)
        .id()
        .field("payment_id", .uuid, .required, .references("payments", "id", onDelete: .restrict))
        .field("number", .string, .required)
        .field("replaces", .string, .required)
        .field("reason", .string, .required)
        .field("reissued_by", .string, .required)
        .field("reissued_on", .string, .required)
        .field("created_at", .datetime, .required)
        .unique(on: "number", name: "uq_receipt_reissues_number")
        .unique(on: "replaces", name: "uq_receipt_reissues_replaces")
        .create()
      try await sql.create(index: "ix_receipt_reissues_payment").on(Self.reissues).column("payment_id").run()
      try await sql.create(index: "ix_bill_adjustments_bill").on(Self.adjustments).column("bill_id").run()
      try await sql.create(index: "ix_refunds_bill").on(Self.refunds).column("bill_id").run()
      try await sql.create(index: "ix_refunds_organisation").on(Self.refunds).column("organisation_id").run()
      try await sql.create(index: "ix_refunds_correction").on(Self.refunds).column("correction_id").run()
      for table in [Self.adjustments, Self.refunds, Self.transfers, Self.reissues] {
        try await AppendOnly.protect(table, on: sql)
      }
      try await M028_Recoveries.allowKinds(Self.kinds, on: sql)
    }
  }

  func revert(on database: any Database) async throws {
    try await database.transaction { transaction in
      guard let sql = transaction as? any SQLDatabase else { return }
      try await M028_Recoveries.allowKinds(M028_Recoveries.kinds, on: sql)
      for table in [Self.reissues, Self.transfers, Self.refunds, Self.adjustments] {
        try await AppendOnly.unprotect(table, keepingFunction: true, on: sql)
        try await transaction.schema(table).delete()
      }
      for column in ["refund_bank_name", "refund_bank_account"] {
        try await transaction.schema(M027_Corrections.table).deleteField(FieldKey(stringLiteral: column)).update()
      }
      try await Self.widen(
        correctionKinds: ["payment_void"], statuses: ["awaiting_payment", "active"], freesPlace: false, on: sql)
    }
  }

  /// The lists of correction kinds and enrollment statuses the database takes, and whether a
  /// withdrawn enrollment frees its member's place (`freesPlace`; false: the index as M004 made it).
  static func widen(correctionKinds: [String], statuses: [String], freesPlace: Bool, on sql: any SQLDatabase)
    async throws
  {
    let kinds = M023_FundPeriods.kindList(correctionKinds)
    let statusList = M023_FundPeriods.kindList(statuses)
    // Not a partial index: SQLite uses one only for queries repeating its condition, and the
    // lookups by worker (the claim path's among them) would scan the table. A withdrawn
    // enrollment's fourth key is its own id, so it holds no place; the others' is ''.
    let placeIndex = """
      CREATE UNIQUE INDEX uq_enrollments_worker_product_period ON enrollments (worker_id, product_code, period_start, \
      (CASE WHEN status = 'withdrawn' THEN CAST(id AS TEXT) ELSE '' END))
      """
    guard sql.dialect.name == "sqlite" else {
      try await sql.raw(
        """
        ALTER TABLE corrections DROP CONSTRAINT ck_corrections_kind, \
        ADD CONSTRAINT ck_corrections_kind CHECK (kind IN (\(unsafeRaw: kinds)))
        """
      ).run()
      try await sql.raw(
        """
        ALTER TABLE enrollments DROP CONSTRAINT ck_enrollments_status, \
        ADD CONSTRAINT ck_enrollments_status CHECK (status IN (\(unsafeRaw: statusList)))
        """
      ).run()
      if freesPlace {
        try await sql.raw("ALTER TABLE enrollments DROP CONSTRAINT uq_enrollments_worker_product_period").run()
        try await sql.raw("\(unsafeRaw: placeIndex)").run()
      } else {
        try await sql.raw("DROP INDEX uq_enrollments_worker_product_period").run()
        try await sql.raw(
          """
          ALTER TABLE enrollments ADD CONSTRAINT uq_enrollments_worker_product_period \
          UNIQUE (worker_id, product_code, period_start)
          """
        ).run()
      }
      return
    }
    try await SQLiteRebuild.rebuild("corrections", on: sql) { definition in
      try SQLiteRebuild.replacing(
        #/CONSTRAINT "ck_corrections_kind" CHECK \("kind" IN \([^)]*\)\)/#,
        with: "CONSTRAINT \"ck_corrections_kind\" CHECK (\"kind\" IN (\(kinds)))", in: definition)
    }
    let placeConstraint =
      #", CONSTRAINT "uq_enrollments_worker_product_period" UNIQUE ("worker_id", "product_code", "period_start")"#
    try await SQLiteRebuild.rebuild(
      "enrollments", on: sql,
      change: { definition in
        var changed = try SQLiteRebuild.replacing(
          #/CONSTRAINT "ck_enrollments_status" CHECK \("status" IN \([^)]*\)\)/#,
          with: "CONSTRAINT \"ck_enrollments_status\" CHECK (\"status\" IN (\(statusList)))", in: definition)
        if freesPlace {
          guard changed.contains(placeConstraint) else { throw SQLiteRebuild.Unexpected(table: "enrollments") }
          changed = changed.replacingOccurrences(of: placeConstraint, with: "")
        } else {
          let checkStart = #", CONSTRAINT "ck_enrollments_status""#
          guard let range = changed.range(of: checkStart) else { throw SQLiteRebuild.Unexpected(table: "enrollments") }
          changed.insert(contentsOf: placeConstraint, at: range.lowerBound)
        }
        return changed
      },
      keepingIndex: { $0 != "uq_enrollments_worker_product_period" })
    if freesPlace { try await sql.raw("\(unsafeRaw: placeIndex)").run() }
  }
}

/// Changing a constraint of a SQLite table, which SQLite cannot alter: the table is made again
/// from its own definition with the change, its rows copied, and its indexes and triggers
/// (read from the schema before) made again. Nothing references the tables rebuilt this way.
enum SQLiteRebuild {
  struct Unexpected: Error, CustomStringConvertible {
    let table: String
    var description: String { "the definition of \(table) is not the one this migration expects" }
  }

  private struct Entry: Decodable {
    let type: String
    let name: String
    let sql: String?
  }

  static func rebuild(
    _ table: String, on sql: any SQLDatabase, change: (String) throws -> String,
    keepingIndex: (String) -> Bool = { _ in true }
  ) async throws {
    let entries = try await sql.raw(
      "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = \(bind: table) ORDER BY type DESC, name"
    ).all(decoding: Entry.self)
    guard let definition = entries.first(where: { $0.type == "table" })?.sql else { throw Unexpected(table: table) }
    let prefix = "CREATE TABLE \"\(table)\" ("
    guard definition.hasPrefix(prefix) else { throw Unexpected(table: table) }
    let rebuilt = "\(table)_rebuilt"
    let changed = try change(definition)
    try await sql.raw("\(unsafeRaw: "CREATE TABLE \"\(rebuilt)\" (" + changed.dropFirst(prefix.count))").run()
    try await sql.raw("INSERT INTO \(ident: rebuilt) SELECT * FROM \(ident: table)").run()
    // Dropping a table drops its indexes and triggers and fires no delete trigger.
    try await sql.raw("DROP TABLE \(ident: table)").run()
    try await sql.raw("ALTER TABLE \(ident: rebuilt) RENAME TO \(ident: table)").run()
    for entry in entries where entry.type != "table" {
      guard let statement = entry.sql, entry.type == "trigger" || keepingIndex(entry.name) else { continue }
      try await sql.raw("\(unsafeRaw: statement)").run()
    }
  }

  static func replacing(_ pattern: Regex<Substring>, with replacement: String, in text: String) throws -> String {
    guard text.contains(pattern) else { throw Unexpected(table: "") }
    return text.replacing(pattern, with: replacement)
  }
}
