import FluentKit
import Foundation
import HuzhuCore
import HuzhuPersistence

/// Lines of the audit log from requests running at once, written together. Each request still
/// waits until its line is committed (nothing is answered before its line is durable), but
/// requests that arrive while a write is under way share the next transaction: one lock on the
/// chain and one commit for all of them, where each used to queue for its own (and on SQLite
/// every write waits for the one write lock). Reading a claim writes a line (a personal-data
/// view), so this is what lets many people read at once.
///
/// A line written inside a transaction of its own use case goes with that transaction instead
/// (``AuditWriter``).
public actor AuditGroupCommit {
  private var waiting: [(events: [AuditEvent], continuation: CheckedContinuation<Void, any Error>)] = []
  private var writing = false

  public init() {}

  /// Appends `events` in order, with whatever else is waiting; returns once they are committed.
  func record(_ events: [AuditEvent], on database: any Database) async throws {
    try await withCheckedThrowingContinuation { continuation in
      waiting.append((events, continuation))
      if !writing {
        writing = true
        Task { await self.write(on: database) }
      }
    }
  }

  /// Writes what waits, batch after batch, until nothing does. When a batch of several fails,
  /// each request's lines are tried on their own, so that one request's line the database
  /// refuses fails that request alone.
  private func write(on database: any Database) async {
    let store = FluentAuditStore(database: database)
    while !waiting.isEmpty {
      let batch = waiting
      waiting.removeAll()
      do {
        try await store.record(batch.flatMap(\.events))
        for entry in batch { entry.continuation.resume() }
      } catch {
        guard batch.count > 1 else {
          batch[0].continuation.resume(throwing: error)
          continue
        }
        for entry in batch {
          do {
            try await store.record(entry.events)
            entry.continuation.resume()
          } catch {
            entry.continuation.resume(throwing: error)
          }
        }
      }
    }
    writing = false
  }
}
