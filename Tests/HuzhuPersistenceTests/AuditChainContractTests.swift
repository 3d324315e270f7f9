import FluentKit
import Foundation
import HuzhuCore
import HuzhuTestSupport
import SQLKit
import Testing

@testable import HuzhuPersistence

/// The audit log's hash chain on both databases: every entry sealed after the one before,
/// also when many are written at once, and every way of removing or altering an entry behind
/// the application's back (after dropping the append-only trigger, as a database
/// administrator could) found by the verifier.
@Suite("Audit chain")
struct AuditChainContractTests {
  static func event(_ number: Int, at date: Date = Date()) -> AuditEvent {
    AuditEvent(
      at: date, kind: .dataChange, actor: "clerk\(number % 3)",
      organisationID: number.isMultiple(of: 2) ? nil : .init(),
      subject: "claim:\(number)", detail: "entry \(number) 第\(number)条",
      address: number.isMultiple(of: 5) ? nil : "10.0.0.\(number)")
  }

  static func verify(_ database: any Database, anchors: [AuditChain.Head] = []) async throws
    -> (findings: [AuditChain.Finding], head: AuditChain.Head?, checked: Int)
  {
    let store = AuditChainStore(database: database)
    let start = try await store.start()
    var verifier = AuditChain.Verifier(start: start, anchors: anchors, digest: AuditDigest.sha256)
    var after = start.sequence - 1
    while true {
      let links = try await store.links(after: after, limit: 7)
      for link in links { verifier.check(link) }
      guard let last = links.last else { break }
      after = last.seal.sequence
    }
    let findings = verifier.finish(unsealed: try await store.unsealedCount())
    return (findings, verifier.head, verifier.checked)
  }

  /// Lifts the append-only protection as someone with the database's owner rights could.
  static func dropProtection(_ migrated: MigratedDatabase) async throws {
    try await AppendOnly.unprotect("audit_events", keepingFunction: true, on: migrated.sql)
  }

  @Test(arguments: TestDatabaseKind.available)
  func entriesAreSealedInOrderAndTheChainVerifies(_ kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { migrated in
      let store = FluentAuditStore(database: migrated.database)
      for number in 1...12 { try await store.record(Self.event(number)) }
      try await store.record((13...15).map { Self.event($0) })
      let result = try await Self.verify(migrated.database)
      #expect(result.findings.isEmpty)
      #expect(result.checked == 15)
      #expect(result.head?.sequence == 15)
      // What was stored reads back as it was sealed: the same bytes on both databases.
      let links = try await AuditChainStore(database: migrated.database).links(after: 0, limit: 100)
      #expect(links.map(\.event.subject) == (1...15).map { "claim:\($0)" })
      #expect(links[0].seal.previous == AuditChain.genesis)
    }
  }

  /// Four writers at once, as many as the pool has connections, eight entries each (two app
  /// instances would be no different on PostgreSQL: the lock is the database's): one chain,
  /// no sequence taken twice.
  @Test(arguments: TestDatabaseKind.available)
  func concurrentWritersMakeOneChain(_ kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { migrated in
      let database = migrated.database
      try await withThrowingTaskGroup(of: Void.self) { group in
        for writer in 0..<4 {
          group.addTask {
            for entry in 0..<8 {
              try await FluentAuditStore(database: database).record(Self.event(writer * 8 + entry))
            }
          }
        }
        try await group.waitForAll()
      }
      let result = try await Self.verify(database)
      #expect(result.findings.isEmpty)
      #expect(result.checked == 32)
      #expect(result.head?.sequence == 32)
    }
  }

  @Test(arguments: TestDatabaseKind.available)
  func theTriggerRefusesAndADeletedRowIsFoundAfterItIsDropped(_ kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { migrated in
      let store = FluentAuditStore(database: migrated.database)
      for number in 1...6 { try await store.record(Self.event(number)) }
      await #expect(throws: (any Error).self) {
        try await migrated.sql.raw("DELETE FROM audit_events WHERE sequence = 3").run()
      }
      #expect(try await Self.verify(migrated.database).findings.isEmpty)

      try await Self.dropProtection(migrated)
      try await migrated.sql.raw("DELETE FROM audit_events WHERE sequence = 3").run()
      #expect(try await Self.verify(migrated.database).findings == [.missing(expected: 3, found: 4)])
    }
  }

  @Test(arguments: TestDatabaseKind.available)
  func anAlteredFieldIsFound(_ kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { migrated in
      let store = FluentAuditStore(database: migrated.database)
      for number in 1...5 { try await store.record(Self.event(number)) }
      try await Self.dropProtection(migrated)
      try await migrated.sql.raw("UPDATE audit_events SET actor = 'someone-else' WHERE sequence = 2").run()
      #expect(try await Self.verify(migrated.database).findings == [.altered(sequence: 2)])
    }
  }

  /// Cutting the newest entries leaves an intact but shorter chain: the anchor kept outside
  /// the database shows it. A chain rewritten from an entry on (hashes recomputed) loses the
  /// anchor too.
  @Test(arguments: TestDatabaseKind.available)
  func cuttingOrRewritingTheEndLosesTheAnchor(_ kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { migrated in
      let store = FluentAuditStore(database: migrated.database)
      for number in 1...6 { try await store.record(Self.event(number)) }
      let anchor = try #require(try await Self.verify(migrated.database).head)
      try await Self.dropProtection(migrated)
      try await migrated.sql.raw("DELETE FROM audit_events WHERE sequence >= 5").run()
      #expect(try await Self.verify(migrated.database).findings.isEmpty)  // no anchor: looks whole
      #expect(
        try await Self.verify(migrated.database, anchors: [anchor]).findings == [
          .missing(expected: 5, found: nil), .anchorLost(anchor),
        ])
      // Entry 6 written again, resealed properly by someone who knows the format.
      try await AppendOnly.protect("audit_events", on: migrated.sql)
      try await store.record(Self.event(60))
      try await store.record(Self.event(61))
      #expect(try await Self.verify(migrated.database, anchors: [anchor]).findings == [.anchorLost(anchor)])
    }
  }

  @Test(arguments: TestDatabaseKind.available)
  func aRowInsertedAroundTheApplicationIsUnsealed(_ kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { migrated in
      try await FluentAuditStore(database: migrated.database).record(Self.event(1))
      try await AuditEventModel(Self.event(2)).create(on: migrated.database)
      #expect(try await Self.verify(migrated.database).findings == [.unsealed(count: 1)])
    }
  }

  /// A prune removes the oldest entries only with the protection lifted for it, records where
  /// the kept chain starts, and the chain verifies from there; a row removed later still shows.
  @Test(arguments: TestDatabaseKind.available)
  func aPruneMovesTheStartAndTheRestStillVerifies(_ kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { migrated in
      let store = FluentAuditStore(database: migrated.database)
      for number in 1...8 { try await store.record(Self.event(number)) }
      let chain = AuditChainStore(database: migrated.database)
      let links = try await chain.links(after: 0, limit: 100)
      let through = AuditChain.Head(sequence: 4, hash: links[3].seal.hash)
      try await chain.prune(
        through: through, count: 4, actor: "audit", archiveDigest: String(repeating: "a", count: 64))
      #expect(try await chain.start() == AuditChain.Start(sequence: 5, previous: through.hash))
      let result = try await Self.verify(migrated.database)
      #expect(result.findings.isEmpty)
      #expect(result.checked == 4)
      // The protection is back.
      await #expect(throws: (any Error).self) {
        try await migrated.sql.raw("DELETE FROM audit_events WHERE sequence = 5").run()
      }
      try await Self.dropProtection(migrated)
      try await migrated.sql.raw("DELETE FROM audit_events WHERE sequence = 5").run()
      #expect(try await Self.verify(migrated.database).findings == [.missing(expected: 5, found: 6)])
    }
  }

  /// A log written before the chain existed is sealed by the migration, oldest first.
  @Test(arguments: TestDatabaseKind.available)
  func theMigrationSealsEntriesWrittenBeforeIt(_ kind: TestDatabaseKind) async throws {
    try await withMigratedDatabase(kind) { migrated in
      try await M020_AuditChain().revert(on: migrated.database)
      let start = Date(timeIntervalSince1970: 1_790_000_000.123456)
      for number in 1...7 {
        try await migrated.sql.raw(
          """
          INSERT INTO audit_events (id, at, kind, actor, subject, detail) VALUES \
          (\(bind: UUID()), \(bind: start.addingTimeInterval(Double(number) * 1.000_271)), 'login', \
          \(bind: "user\(number)"), \(bind: "account:user\(number)"), '')
          """
        ).run()
      }
      try await M020_AuditChain().prepare(on: migrated.database)
      let result = try await Self.verify(migrated.database)
      #expect(result.findings.isEmpty)
      #expect(result.checked == 7)
      let links = try await AuditChainStore(database: migrated.database).links(after: 0, limit: 10)
      #expect(links.map(\.event.actor) == (1...7).map { "user\($0)" })
      try await FluentAuditStore(database: migrated.database).record(Self.event(8))
      #expect(try await Self.verify(migrated.database).findings.isEmpty)
    }
  }
}
