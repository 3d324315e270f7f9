import Fluent
import HuzhuCore
import SQLKit

/// The fund ledger's own entries (an opening balance taken over, a period's balance carried
/// forward) and closed periods, which the database itself keeps shut: an entry into a closed
/// period is refused by a trigger, whichever code path brings it, and a close is append-only.
///
/// SQLite cannot change a table's check constraint, so `fund_entries` is rebuilt there with
/// the wider list of kinds (copied row for row, its index and append-only triggers made
/// again); PostgreSQL swaps the constraint.
struct M023_FundPeriods: AsyncMigration {
  var name: String { "M023_FundPeriods" }

  /// The kinds M004 allowed.
  static let kindsBefore = ["contribution", "subsidy", "claim_payment", "reversal"]
  /// The kinds allowed from this migration on. A new ``FundEntryKind`` needs a migration of
  /// its own (a test checks that the database takes every kind).
  static let kinds = kindsBefore + ["opening_balance", "carried_forward", "brought_forward"]

  static let closes = "fund_period_closes"

  func prepare(on database: any Database) async throws {
    try await database.transaction { transaction in
      guard let sql = transaction as? any SQLDatabase else { return }
      try await Self.allowKinds(Self.kinds, on: sql)
      try await transaction.schema(Self.closes)
        .id()
        .field("scheme_code", .string, .required)
        .field("version_label", .string, .required)
        .field("closed_on", .string, .required)
        .field("closed_by", .string, .required)
        .field("reference", .string, .required)
        .field("created_at", .datetime, .required)
        .unique(on: "scheme_code", "version_label", name: "uq_fund_period_closes")
        .create()
      try await AppendOnly.protect(Self.closes, on: sql)
      try await Self.guardClosedPeriods(on: sql)
    }
  }

  func revert(on database: any Database) async throws {
    try await database.transaction { transaction in
      guard let sql = transaction as? any SQLDatabase else { return }
      try await Self.unguardClosedPeriods(on: sql)
      try await AppendOnly.unprotect(Self.closes, keepingFunction: true, on: sql)
      try await transaction.schema(Self.closes).delete()
      try await Self.allowKinds(Self.kindsBefore, on: sql)
    }
  }

  static func kindList(_ kinds: [String]) -> String {
    kinds.map { "'\($0)'" }.joined(separator: ", ")
  }

  static func allowKinds(_ kinds: [String], on sql: any SQLDatabase) async throws {
    guard sql.dialect.name == "sqlite" else {
      try await sql.raw(
        """
        ALTER TABLE fund_entries DROP CONSTRAINT ck_fund_entries_kind, \
        ADD CONSTRAINT ck_fund_entries_kind CHECK (kind IN (\(unsafeRaw: kindList(kinds))))
        """
      ).run()
      return
    }
    // The table as M004 made it (column for column), with the new list.
    try await sql.raw(
      """
      CREATE TABLE "fund_entries_rebuilt" ("id" UUID PRIMARY KEY, "scheme_code" TEXT NOT NULL, \
      "product_code" TEXT NOT NULL, "version_label" TEXT NOT NULL, "posted_on" TEXT NOT NULL, \
      "kind" TEXT NOT NULL, "payer_type" TEXT, "amount" INTEGER NOT NULL, "source_id" TEXT NOT NULL, \
      "memo" TEXT NOT NULL, "created_at" REAL NOT NULL, \
      CONSTRAINT "uq_fund_entries_source" UNIQUE ("kind", "source_id"), \
      CONSTRAINT "ck_fund_entries_kind" CHECK ("kind" IN (\(unsafeRaw: kindList(kinds)))))
      """
    ).run()
    try await sql.raw(
      """
      INSERT INTO "fund_entries_rebuilt" (id, scheme_code, product_code, version_label, posted_on, kind, \
      payer_type, amount, source_id, memo, created_at) SELECT id, scheme_code, product_code, version_label, \
      posted_on, kind, payer_type, amount, source_id, memo, created_at FROM "fund_entries"
      """
    ).run()
    // Dropping a table drops its triggers and indexes and fires no delete trigger.
    try await sql.raw("DROP TABLE \"fund_entries\"").run()
    try await sql.raw("ALTER TABLE \"fund_entries_rebuilt\" RENAME TO \"fund_entries\"").run()
    try await sql.create(index: "ix_fund_entries_balance").on("fund_entries")
      .column("scheme_code").column("version_label").column("kind").column("amount").run()
    try await AppendOnly.protect("fund_entries", on: sql)
  }

  /// The trigger that refuses entries into a closed period. On PostgreSQL the check runs when
  /// the insert does, after the table lock a close takes (see ``FluentFundStore``), so an
  /// entry racing a close either lands before the close sums the period or is refused.
  static func guardClosedPeriods(on sql: any SQLDatabase) async throws {
    if sql.dialect.name == "sqlite" {
      try await sql.raw(
        """
        CREATE TRIGGER fund_entries_closed_period BEFORE INSERT ON "fund_entries" \
        WHEN EXISTS (SELECT 1 FROM "fund_period_closes" c WHERE c.scheme_code = NEW.scheme_code \
        AND c.version_label = NEW.version_label) \
        BEGIN SELECT RAISE(ABORT, 'fund period closed'); END
        """
      ).run()
    } else {
      try await sql.raw(
        """
        CREATE OR REPLACE FUNCTION huzhu_closed_fund_period() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF EXISTS (SELECT 1 FROM fund_period_closes c WHERE c.scheme_code = NEW.scheme_code
                     AND c.version_label = NEW.version_label) THEN
            RAISE EXCEPTION 'fund period closed' USING ERRCODE = 'check_violation';
          END IF;
          RETURN NEW;
        END $$
        """
      ).run()
      try await sql.raw(
        """
        CREATE TRIGGER fund_entries_closed_period BEFORE INSERT ON fund_entries \
        FOR EACH ROW EXECUTE FUNCTION huzhu_closed_fund_period()
        """
      ).run()
    }
  }

  static func unguardClosedPeriods(on sql: any SQLDatabase) async throws {
    if sql.dialect.name == "sqlite" {
      try await sql.raw("DROP TRIGGER IF EXISTS fund_entries_closed_period").run()
    } else {
      try await sql.raw("DROP TRIGGER IF EXISTS fund_entries_closed_period ON fund_entries").run()
      try await sql.raw("DROP FUNCTION IF EXISTS huzhu_closed_fund_period()").run()
    }
  }
}
