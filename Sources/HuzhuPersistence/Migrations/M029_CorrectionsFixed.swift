import Fluent
import SQLKit

/// A correction's request is fixed once made: what it corrects, its amount, its reason and who
/// asked never change, and its decision is taken once (from `requested` to `applied` or
/// `refused`, never back, never again). Nothing deletes one. The database refuses anything
/// else, whichever code path tries.
struct M029_CorrectionsFixed: AsyncMigration {
  var name: String { "M029_CorrectionsFixed" }

  static let changed = """
    NEW.kind <> OLD.kind OR NEW.scheme_code <> OLD.scheme_code OR NEW.target_id <> OLD.target_id \
    OR NEW.target_label <> OLD.target_label OR NEW.amount <> OLD.amount OR NEW.reason <> OLD.reason \
    OR NEW.requested_by <> OLD.requested_by OR NEW.requested_by_id <> OLD.requested_by_id \
    OR NEW.requested_on <> OLD.requested_on OR OLD.status <> 'requested'
    """

  func prepare(on database: any Database) async throws {
    guard let sql = database as? any SQLDatabase else { return }
    if sql.dialect.name == "sqlite" {
      try await sql.raw(
        """
        CREATE TRIGGER corrections_fixed BEFORE UPDATE ON corrections WHEN \(unsafeRaw: Self.changed) \
        BEGIN SELECT RAISE(ABORT, 'a correction is fixed once made and decided once'); END
        """
      ).run()
      try await sql.raw(
        """
        CREATE TRIGGER corrections_no_delete BEFORE DELETE ON corrections \
        BEGIN SELECT RAISE(ABORT, 'corrections are never deleted'); END
        """
      ).run()
    } else {
      try await sql.raw(
        """
        CREATE OR REPLACE FUNCTION huzhu_corrections_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'corrections are never deleted'; END IF;
          IF \(unsafeRaw: Self.changed) THEN
            RAISE EXCEPTION 'a correction is fixed once made and decided once';
          END IF;
          RETURN NEW;
        END $$
        """
      ).run()
      try await sql.raw(
        """
        CREATE TRIGGER corrections_fixed BEFORE UPDATE OR DELETE ON corrections \
        FOR EACH ROW EXECUTE FUNCTION huzhu_corrections_fixed()
        """
      ).run()
    }
  }

  func revert(on database: any Database) async throws {
    guard let sql = database as? any SQLDatabase else { return }
    if sql.dialect.name == "sqlite" {
      try await sql.raw("DROP TRIGGER IF EXISTS corrections_fixed").run()
      try await sql.raw("DROP TRIGGER IF EXISTS corrections_no_delete").run()
    } else {
      try await sql.raw("DROP TRIGGER IF EXISTS corrections_fixed ON corrections").run()
      try await sql.raw("DROP FUNCTION IF EXISTS huzhu_corrections_fixed()").run()
    }
  }
}
