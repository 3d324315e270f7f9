import FluentKit
import Foundation
import HuzhuCore
import HuzhuTestSupport
import SQLKit
import Testing

@testable import HuzhuPersistence

/// M035 on a database whose claims' notices sat in `notifications`: each moves to the one
/// outbox with its kind, owner node and status (never sent without a phone: given up), and
/// back again; the portal codes' texts are blanked.
@Suite("M035 on notices written before it")
struct MessagesMigrationTests {
  @Test(arguments: TestDatabaseKind.available)
  func noticesMoveToTheOutboxAndBack(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      let claims = ClaimStoreContractTests()
      let world = try await claims.world(db)
      var claim = try await world.store.open(
        claims.stay(selfPaid: 300_000, invoice: "INV-N1", sheet: "JS-N1"), for: world.worker.id, channel: .window,
        expedited: false, context: claims.context(world, claims.clerk))
      claim = try await claims.attachAll(world, to: claim)
      _ = try await world.store.perform(.submit, on: claim.id, context: claims.context(world, claims.clerk))
      _ = try await world.store.perform(
        .reject(reason: .waitingPeriod, note: "测试"), on: claim.id, context: claims.context(world, claims.approver))
      let before = try await world.store.outbox(claim: claim.id)
      #expect(before.map(\.notice) == [.submitted, .rejected])

      try await M035_Messages().revert(on: db.database)
      struct Notice: Decodable {
        let notice: String
        let phone: String?
      }
      let moved = try await db.sql.raw("SELECT notice, phone FROM notifications ORDER BY created_at").all(
        decoding: Notice.self)
      #expect(moved.map(\.notice) == ["submitted", "rejected"])
      // One was sent already, one never had a phone; a portal code waits with its text.
      try await db.sql.raw("UPDATE notifications SET sent_at = created_at WHERE notice = 'submitted'").run()
      try await db.sql.raw("UPDATE notifications SET phone = NULL WHERE notice = 'rejected'").run()
      try await db.sql.raw(
        """
        INSERT INTO portal_codes (id, worker_id, phone, message, code_hash, expires_at, attempts, created_at)
        VALUES (\(bind: UUID()), \(bind: world.worker.id.rawValue), '13800000000', '验证码为 112233', 'h',
          \(bind: Date()), 0, \(bind: Date()))
        """
      ).run()

      try await M035_Messages().prepare(on: db.database)
      let after = try await world.store.outbox(claim: claim.id)
      #expect(after.map(\.notice) == [.submitted, .rejected])
      #expect(after.map(\.status) == [.sent, .dead])
      #expect(after.map(\.text) == before.map(\.text))
      let listed = try await FluentMessageStore(database: db.database).messages(
        status: nil, troubledOnly: false, page: PageQuery()
      ).items
      #expect(Set(listed.map(\.message.kind)) == [.claimSubmitted, .claimRejected])
      #expect(listed.allSatisfy { $0.message.organisationID == claim.organisationID })
      #expect(listed.first { $0.status == .dead }?.lastError == "no phone")
      struct Code: Decodable { let message: String? }
      #expect(
        try await db.sql.raw("SELECT message FROM portal_codes").all(decoding: Code.self).map(\.message) == [nil])
    }
  }
}
