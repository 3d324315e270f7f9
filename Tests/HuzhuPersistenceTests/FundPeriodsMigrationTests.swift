import FluentKit
import Foundation
import HuzhuCore
import HuzhuTestSupport
import SQLKit
import Testing

@testable import HuzhuPersistence

/// M023 on a database that already holds a ledger: every entry kept, the ledger still
/// append-only, the new kinds taken; and back again.
@Suite("M023 on a ledger in use")
struct FundPeriodsMigrationTests {
  @Test(arguments: TestDatabaseKind.available)
  func theLedgerSurvivesTheUpgrade(kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { db in
      try await M024_TakenOverClaims().revert(on: db.database)
      try await M023_FundPeriods().revert(on: db.database)
      func insert(_ kind: String, _ source: String) async throws {
        try await db.sql.raw(
          """
          INSERT INTO fund_entries (id, scheme_code, product_code, version_label, posted_on, kind, amount, source_id, \
          memo, created_at) VALUES (\(bind: UUID()), 'test', 'hospital', '2024', '2024-01-01', \(bind: kind), 100, \
          \(bind: source), 'memo', \(bind: Date()))
          """
        ).run()
      }
      for (index, kind) in ["contribution", "subsidy", "claim_payment"].enumerated() {
        try await insert(kind, "s\(index)")
      }
      // Before the upgrade, the new kinds are refused.
      await #expect(throws: (any Error).self) { try await insert("opening_balance", "o0") }

      try await M023_FundPeriods().prepare(on: db.database)
      let balance = try #require(
        try await FluentEnrollmentStore(database: db.database).fundBalances(scheme: "test").first)
      // (A claim payment is stored negative; this one is +1.00, so the sum is 3.00.)
      #expect(balance.entryCount == 3 && balance.balance == Money(fen: 300))
      try await insert("opening_balance", "o1")
      await #expect(throws: (any Error).self) { try await db.sql.raw("UPDATE fund_entries SET amount = 0").run() }
      await #expect(throws: (any Error).self) { try await db.sql.raw("DELETE FROM fund_entries").run() }
      try await M024_TakenOverClaims().prepare(on: db.database)
    }
  }
}
