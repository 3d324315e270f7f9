import Fluent
import HuzhuCore
import SQLKit

/// Unit details and headcounts, schemes, enrollments, bills, payments, the fund ledger,
/// outreach visits and the hardship pairing ledger.
///
/// Money is integer fen (`int64`). Bills keep their price per share, rounding and payer
/// split, so that a member's line can be recomputed exactly whatever later revisions of the
/// scheme say. The fund ledger refuses UPDATE and DELETE through a trigger on both databases.
struct M004_EnrollmentAndFund: AsyncMigration {
  var name: String { "M004_EnrollmentAndFund" }

  func prepare(on database: any Database) async throws {
    // One column per statement: SQLite's ALTER TABLE adds a single column at a time.
    for column in ["address", "contact_name", "contact_phone", "bank_name", "bank_account"] {
      try await database.schema("units").field(.string(column), .string).update()
    }

    try await database.schema("unit_headcounts")
      .id()
      .field("unit_id", .uuid, .required, .references("units", "id", onDelete: .restrict))
      .field("as_of", .string, .required)
      .field("total", .int64, .required)
      .field("female", .int64, .required)
      .unique(on: "unit_id", "as_of", name: "uq_unit_headcounts_unit_date")
      .constraint(.sqlCheck(named: "ck_unit_headcounts_counts", "total >= 0 AND female >= 0 AND female <= total"))
      .create()

    try await database.schema("scheme_revisions")
      .id()
      .field("code", .string, .required)
      .field("revision", .int64, .required)
      .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .restrict))
      .field("name", .string, .required)
      .field("source", .string, .required)
      .field("definition", .string, .required)
      .field("saved_by", .string, .required)
      .field("saved_at", .datetime, .required)
      .unique(on: "code", "revision", name: "uq_scheme_revisions_code_revision")
      .create()

    // Named counters for certificate, bill and receipt numbers, advanced inside the
    // transaction that uses them (so a rolled-back enrollment leaves no gap).
    try await database.schema("sequences")
      .field("name", .string, .identifier(auto: false))
      .field("value", .int64, .required)
      .create()

    try await database.schema("bills")
      .id()
      .field("number", .string, .required)
      .field("scheme_code", .string, .required)
      .field("product_code", .string, .required)
      .field("version_label", .string, .required)
      .field("unit_id", .uuid, .references("units", "id", onDelete: .restrict))
      .field("period_start", .string, .required)
      .field("period_end", .string, .required)
      .field("issued_on", .string, .required)
      .field("price_per_share", .int64, .required)
      .field("rounding", .string, .required)
      .field("split", .string, .required)
      .field("member_count", .int64, .required)
      .field("total_due", .int64, .required)
      .field("settled_on", .string)
      // Bumped first in every payment transaction: the row lock (PostgreSQL) or write lock
      // (SQLite) it takes serialises payments on one bill.
      .field("lock_version", .int64, .required)
      .field("created_at", .datetime, .required)
      .unique(on: "number", name: "uq_bills_number")
      .constraint(.sqlCheck(named: "ck_bills_total_due", "total_due >= 0"))
      .create()

    try await database.schema("bill_parts")
      .id()
      .field("bill_id", .uuid, .required, .references("bills", "id", onDelete: .restrict))
      .field("payer_type", .string, .required)
      .field("payer_name", .string)
      .field("amount_due", .int64, .required)
      .constraint(.check(named: "ck_bill_parts_payer", "payer_type", in: PayerType.allCases.map(\.rawValue)))
      .constraint(.sqlCheck(named: "ck_bill_parts_amount", "amount_due > 0"))
      .create()

    try await database.schema("enrollments")
      .id()
      .field("scheme_code", .string, .required)
      .field("product_code", .string, .required)
      .field("version_label", .string, .required)
      .field("worker_id", .uuid, .required, .references("workers", "id", onDelete: .restrict))
      .field("unit_id", .uuid, .references("units", "id", onDelete: .restrict))
      .field("period_start", .string, .required)
      .field("period_end", .string, .required)
      .field("shares", .int64, .required)
      .field("status", .string, .required)
      .field("cover_from", .string)
      .field("previous_cover_end", .string)
      .field("certificate_number", .string, .required)
      .field("enrolled_on", .string, .required)
      .field("bill_id", .uuid, .required, .references("bills", "id", onDelete: .restrict))
      .field("created_at", .datetime, .required)
      .unique(on: "certificate_number", name: "uq_enrollments_certificate")
      .unique(on: "worker_id", "product_code", "period_start", name: "uq_enrollments_worker_product_period")
      // The statuses of the time, written out: M030 adds `withdrawn`.
      .constraint(.check(named: "ck_enrollments_status", "status", in: ["awaiting_payment", "active"]))
      .constraint(.sqlCheck(named: "ck_enrollments_shares", "shares > 0"))
      .create()

    try await database.schema("payments")
      .id()
      .field("bill_id", .uuid, .required, .references("bills", "id", onDelete: .restrict))
      .field("receipt_number", .string, .required)
      .field("payer_type", .string, .required)
      .field("payer_name", .string)
      .field("amount", .int64, .required)
      .field("paid_on", .string, .required)
      .field("reference", .string, .required)
      .field("recorded_by", .string, .required)
      .field("idempotency_key", .string)
      .field("fingerprint", .string, .required)
      .field("created_at", .datetime, .required)
      .unique(on: "receipt_number", name: "uq_payments_receipt")
      .unique(on: "idempotency_key", name: "uq_payments_idempotency_key")
      .constraint(.check(named: "ck_payments_payer", "payer_type", in: PayerType.allCases.map(\.rawValue)))
      .constraint(.sqlCheck(named: "ck_payments_amount", "amount > 0"))
      .create()

    try await database.schema("fund_entries")
      .id()
      .field("scheme_code", .string, .required)
      .field("product_code", .string, .required)
      .field("version_label", .string, .required)
      .field("posted_on", .string, .required)
      .field("kind", .string, .required)
      .field("payer_type", .string)
      .field("amount", .int64, .required)
      .field("source_id", .string, .required)
      .field("memo", .string, .required)
      .field("created_at", .datetime, .required)
      // One entry per source and kind: posting the same payment twice is impossible.
      .unique(on: "kind", "source_id", name: "uq_fund_entries_source")
      // The kinds of its release, spelt out: M023 widened the list.
      .constraint(.check(named: "ck_fund_entries_kind", "kind", in: M023_FundPeriods.kindsBefore))
      .create()

    try await database.schema("outreach_visits")
      .id()
      .field("unit_id", .uuid, .required, .references("units", "id", onDelete: .restrict))
      .field("visited_on", .string, .required)
      .field("visitor", .string, .required)
      .field("contact", .string)
      .field("materials", .string)
      .field("outcome", .string, .required)
      .field("decline_reason", .string)
      .field("note", .string)
      .field("created_at", .datetime, .required)
      .constraint(.check(named: "ck_outreach_outcome", "outcome", in: OutreachOutcome.allCases.map(\.rawValue)))
      .create()

    try await database.schema("hardship_pairings")
      .id()
      .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .restrict))
      .field("cadre_name", .string, .required)
      .field("cadre_phone", .string)
      .field("worker_id", .uuid, .required, .references("workers", "id", onDelete: .restrict))
      .field("hardship_level", .string, .required)
      .field("started_on", .string, .required)
      .field("ended_on", .string)
      .field("cadre_pays", .bool, .required)
      .field("created_at", .datetime, .required)
      .constraint(.check(named: "ck_pairings_level", "hardship_level", in: HardshipLevel.allCases.map(\.rawValue)))
      .create()

    try await database.schema("pairing_visits")
      .id()
      .field("pairing_id", .uuid, .required, .references("hardship_pairings", "id", onDelete: .restrict))
      .field("visited_on", .string, .required)
      .field("note", .string, .required)
      .field("created_at", .datetime, .required)
      .create()

    guard let sql = database as? any SQLDatabase else { return }
    try await sql.create(index: "ix_unit_headcounts_unit").on("unit_headcounts").column("unit_id").run()
    try await sql.create(index: "ix_bills_unit").on("bills").column("unit_id").run()
    try await sql.create(index: "ix_bill_parts_bill").on("bill_parts").column("bill_id").run()
    try await sql.create(index: "ix_enrollments_unit").on("enrollments")
      .column("unit_id").column("product_code").column("period_start").run()
    try await sql.create(index: "ix_enrollments_worker").on("enrollments").column("worker_id").run()
    try await sql.create(index: "ix_enrollments_bill").on("enrollments").column("bill_id").run()
    try await sql.create(index: "ix_payments_bill").on("payments").column("bill_id").run()
    try await sql.create(index: "ix_fund_entries_scheme").on("fund_entries")
      .column("scheme_code").column("version_label").run()
    try await sql.create(index: "ix_outreach_unit").on("outreach_visits").column("unit_id").run()
    try await sql.create(index: "ix_pairings_organisation").on("hardship_pairings").column("organisation_id").run()
    try await sql.create(index: "ix_pairing_visits_pairing").on("pairing_visits").column("pairing_id").run()
    try await AppendOnly.protect("fund_entries", on: sql)
  }

  func revert(on database: any Database) async throws {
    if let sql = database as? any SQLDatabase { try await AppendOnly.unprotect("fund_entries", on: sql) }
    for table in [
      "pairing_visits", "hardship_pairings", "outreach_visits", "fund_entries", "payments", "enrollments",
      "bill_parts", "bills", "sequences", "scheme_revisions", "unit_headcounts",
    ] {
      try await database.schema(table).delete()
    }
    for column in ["address", "contact_name", "contact_phone", "bank_name", "bank_account"] {
      try await database.schema("units").deleteField(.string(column)).update()
    }
  }
}

/// Triggers that refuse UPDATE and DELETE on a ledger table. The only DDL that differs
/// between the databases: SQLite raises from a trigger body, PostgreSQL from a function.
enum AppendOnly {
  static func protect(_ table: String, on sql: any SQLDatabase) async throws {
    if sql.dialect.name == "sqlite" {
      for operation in ["UPDATE", "DELETE"] {
        try await sql.raw(
          """
          CREATE TRIGGER \(unsafeRaw: "\(table)_no_\(operation.lowercased())") BEFORE \(unsafeRaw: operation) \
          ON \(ident: table) BEGIN SELECT RAISE(ABORT, \(unsafeRaw: "'\(table) is append-only'")); END
          """
        ).run()
      }
    } else {
      try await sql.raw(
        """
        CREATE OR REPLACE FUNCTION huzhu_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$
        """
      ).run()
      try await sql.raw(
        """
        CREATE TRIGGER \(unsafeRaw: "\(table)_append_only") BEFORE UPDATE OR DELETE ON \(ident: table) \
        FOR EACH ROW EXECUTE FUNCTION huzhu_append_only()
        """
      ).run()
    }
  }

  /// `keepingFunction`: later tables share PostgreSQL's trigger function with `fund_entries`,
  /// so only the last table to lose its protection drops it.
  static func unprotect(_ table: String, keepingFunction: Bool = false, on sql: any SQLDatabase) async throws {
    if sql.dialect.name == "sqlite" {
      for operation in ["update", "delete"] {
        try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: "\(table)_no_\(operation)")").run()
      }
    } else {
      try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: "\(table)_append_only") ON \(ident: table)").run()
      if !keepingFunction { try await sql.raw("DROP FUNCTION IF EXISTS huzhu_append_only()").run() }
    }
  }
}

extension DatabaseSchema.Constraint {
  /// `CONSTRAINT name CHECK (expression)` for a fixed expression written in the SQL both
  /// databases share.
  static func sqlCheck(named name: String, _ expression: String) -> Self {
    .constraint(.custom(SQLTableConstraintAlgorithm.check(SQLRaw(expression))), name: name)
  }
}
