import Fluent
import Foundation
import HuzhuCore
import SQLKit

/// What the statistics read that the claim rows kept only as JSON: each paid claim's money by
/// product and benefit (`claim_payouts`, written when the bank's "paid" posts to the fund), the
/// coded reason of a rejection; and the provincial office's targets per agency and period.
struct M008_Statistics: AsyncMigration {
  var name: String { "M008_Statistics" }

  func prepare(on database: any Database) async throws {
    try await database.schema("claim_payouts")
      .id()
      .field("claim_id", .uuid, .required, .references("claims", "id", onDelete: .restrict))
      .field("worker_id", .uuid, .required, .references("workers", "id", onDelete: .restrict))
      .field("unit_id", .uuid)
      .field("organisation_id", .uuid)
      .field("scheme_code", .string, .required)
      .field("product_code", .string, .required)
      .field("benefit_code", .string, .required)
      .field("amount", .int64, .required)
      .field("paid_on", .string, .required)
      .unique(on: "claim_id", "product_code", "benefit_code", name: "uq_claim_payouts_benefit")
      .create()

    try await database.schema("claims").field("rejection_reason", .string).update()

    try await database.schema("agency_targets")
      .id()
      .field("organisation_id", .uuid, .required, .references("organisations", "id", onDelete: .restrict))
      .field("period_start", .string, .required)
      .field("period_end", .string, .required)
      .field("measure", .string, .required)
      .field("target", .int64, .required)
      .field("set_by", .string, .required)
      .field("set_at", .datetime, .required)
      .unique(on: "organisation_id", "period_start", "measure", name: "uq_agency_targets_period_measure")
      .constraint(.check(named: "ck_agency_targets_measure", "measure", in: TargetMeasure.allCases.map(\.rawValue)))
      .constraint(.sqlCheck(named: "ck_agency_targets_target", "target > 0"))
      .create()

    guard let sql = database as? any SQLDatabase else { return }
    try await sql.create(index: "ix_claim_payouts_organisation").on("claim_payouts").column("organisation_id")
      .column("paid_on").run()
    try await sql.create(index: "ix_claim_payouts_paid_on").on("claim_payouts").column("paid_on").run()
    try await sql.create(index: "ix_payments_paid_on").on("payments").column("paid_on").run()
    try await sql.create(index: "ix_claims_paid_on").on("claims").column("paid_on").run()
    try await sql.create(index: "ix_enrollments_period").on("enrollments").column("period_start").run()

    // Claims paid before this migration: their payouts from the explanation and approved
    // total they were paid on, split the way the fund posting split them.
    for claim in try await ClaimModel.query(on: database).filter(\.$state == ClaimState.paid.rawValue).all() {
      try await FluentClaimStore.recordPayouts(try claim.domain(), on: database)
    }
  }

  func revert(on database: any Database) async throws {
    guard let sql = database as? any SQLDatabase else { return }
    for index in ["ix_enrollments_period", "ix_claims_paid_on", "ix_payments_paid_on"] {
      try await sql.raw("DROP INDEX \(unsafeRaw: index)").run()
    }
    try await database.schema("agency_targets").delete()
    try await database.schema("claims").deleteField("rejection_reason").update()
    try await database.schema("claim_payouts").delete()
  }
}
