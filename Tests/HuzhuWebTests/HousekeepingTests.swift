import FluentKit
import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import HuzhuWeb
import SQLKit
import Testing
import Vapor
import VaporTesting

/// `serve`'s housekeeping: ended sessions and long-expired portal codes go, live ones stay;
/// two instances purging at once delete each row once between them.
@Suite("Housekeeping")
struct HousekeepingTests {
  func sessionCount(_ test: TestApp) async throws -> Int {
    try await (test.app.db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM _fluent_sessions").first()!
      .decode(column: "n", as: Int.self)
  }

  @Test(arguments: TestDatabaseKind.available)
  func endedSessionsAndOldCodesArePurgedLiveOnesKept(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      let clerk = try await test.signIn("ay-window")
      let finance = try await test.signIn("ay-finance")
      // A sign-in page left open: an anonymous session, stamped when its form was made.
      _ = try await test.get("/login")
      // A session of before the stamps (or of anything else): nothing says it is alive.
      try await (test.app.db as! any SQLDatabase).raw(
        "INSERT INTO _fluent_sessions (id, key, data) VALUES (\(bind: UUID()), 'legacy', '{}')"
      ).run()
      let total = try await sessionCount(test)
      #expect(total >= 4)

      let now = Date()
      let first = try await test.app.keepHouse(now: now)
      #expect(first.sessions == 1)
      #expect(try await test.get("/funds", headers: finance.cookie).status == .ok)

      // Thirty-one minutes on, every session has idled out; two instances purge at once and
      // between them delete each once (each reads the table in one statement: before or after
      // the other's delete).
      _ = try await test.get("/", headers: clerk.cookie)
      let later = Date().addingTimeInterval(31 * 60)
      let app = test.app
      async let one = app.keepHouse(now: later)
      async let two = app.keepHouse(now: later)
      let (a, b) = try await (one, two)
      #expect(try await sessionCount(test) == 0)
      #expect(max(a.sessions, b.sessions) == total - 1)
      let gone = try await test.get("/funds", headers: finance.cookie)
      #expect(gone.status == .seeOther)

      // Portal codes: one expired two days ago goes, one issued now stays.
      let registry = FluentRegistryStore(database: test.app.db)
      let certificate = try #require(
        try await FluentEnrollmentStore(database: test.app.db).certificate(number: "ANYANG-2019-000001"))
      let worker = try #require(try await registry.worker(certificate.enrollment.workerID))
      let portal = FluentPortalStore(database: test.app.db)
      func message(_ code: String, at time: Date) -> OutgoingMessage {
        .portalCode(code, phone: worker.phone ?? "", organisationID: nil, workerID: worker.id, at: time)
      }
      let old = message("123456", at: now.addingTimeInterval(-3 * 86_400))
      #expect(
        try await portal.issue(codeHash: "old", message: old, to: worker, at: now.addingTimeInterval(-3 * 86_400)))
      let fresh = message("654321", at: now)
      #expect(try await portal.issue(codeHash: "new", message: fresh, to: worker, at: now))
      let codes = try await test.app.keepHouse(now: now)
      #expect(codes.portalCodes == 1)
      // The old code's text message, never sent, is given up and its code blanked; the new one waits.
      #expect(codes.expiredMessages == 1)
      let outbox = FluentMessageStore(database: test.app.db)
      let listed = try await outbox.messages(status: nil, troubledOnly: false, page: PageQuery()).items
      let oldRow = try #require(listed.first { $0.message.id == old.id })
      #expect(oldRow.status == .dead)
      #expect(!oldRow.message.text.contains("123456"))
      #expect(oldRow.message.parameters.isEmpty)
      #expect(listed.first { $0.message.id == fresh.id }?.status == .pending)
      let again = try await test.app.keepHouse(now: now)
      #expect(again.portalCodes == 0)
      #expect(again.expiredMessages == 0)
    }
  }
}
