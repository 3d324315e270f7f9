import Fluent
import Foundation
import HuzhuCore
import SQLKit

/// The what-if replays refused claims too (``ClaimReplays``): a claim keeps the day it was
/// refused (`claims.rejected_on`, set and cleared with `rejection_reason`), and the replay rows'
/// day is the day decided (`decided_on`, was `paid_on`), of a payment or a refusal. Refusals
/// made before this migration take their day from the claim's history (the last rejection,
/// in Asia/Shanghai), and the claims refused by a rule get their rows.
struct M031_ReplayedRefusals: AsyncMigration {
  var name: String { "M031_ReplayedRefusals" }

  func prepare(on database: any Database) async throws {
    try await database.transaction { transaction in
      let sql = transaction.sqlDatabase
      try await transaction.schema("claims").field("rejected_on", .string).update()
      try await sql.raw("ALTER TABLE claim_replays RENAME COLUMN paid_on TO decided_on").run()
      try await sql.drop(index: "ix_claim_replays_scheme_paid_on").run()
      try await sql.create(index: "ix_claim_replays_scheme_decided_on").on("claim_replays").column("scheme_code")
        .column("decided_on").run()
      try await Self.dateRefusals(on: transaction)
      try await ClaimReplays.recordRefusals(on: transaction, raisingVersions: false)
    }
  }

  /// Each rejected claim's day of refusal from its last `reject` or `withdraw` entry.
  static func dateRefusals(on database: any Database) async throws {
    let rejected = try await ClaimModel.query(on: database).filter(\.$state == ClaimState.rejected.rawValue)
      .all(\.$id)
    for claim in rejected {
      guard
        let entry = try await ClaimHistoryModel.query(on: database).filter(\.$claimID == claim)
          .filter(\.$toState == ClaimState.rejected.rawValue).sort(\.$at, .descending).first()
      else { continue }
      try await database.sqlDatabase.raw(
        "UPDATE claims SET rejected_on = \(bind: CalendarDate(entry.at).description) WHERE id = \(bind: claim)"
      ).run()
    }
  }

  func revert(on database: any Database) async throws {
    try await database.transaction { transaction in
      let sql = transaction.sqlDatabase
      try await sql.raw(
        "DELETE FROM claim_replays WHERE id IN (SELECT id FROM claims WHERE state = \(bind: ClaimState.rejected.rawValue))"
      ).run()
      try await sql.drop(index: "ix_claim_replays_scheme_decided_on").run()
      try await sql.raw("ALTER TABLE claim_replays RENAME COLUMN decided_on TO paid_on").run()
      try await sql.create(index: "ix_claim_replays_scheme_paid_on").on("claim_replays").column("scheme_code")
        .column("paid_on").run()
      try await transaction.schema("claims").deleteField("rejected_on").update()
    }
  }
}
