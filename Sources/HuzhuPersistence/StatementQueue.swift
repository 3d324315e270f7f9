import SQLKit

/// Statements that run one at a time, in order, while the caller goes on making the next ones:
/// on a 2-core machine a bulk write otherwise keeps one core busy at a time (Swift encoding
/// rows, then the database storing them). At most `limit` wait, which bounds the memory they
/// hold. A failure surfaces at a later ``enqueue(_:)`` or at ``finish()``; a statement after a
/// failed one fails with its error, without running.
///
/// Used by one task at a time (it is not `Sendable`). Whoever fills a queue awaits
/// ``finish()`` before anything else uses the connection and before the transaction commits,
/// and ``abandon()`` when it throws before that, so that nothing runs on a connection that is
/// rolling back.
final class StatementQueue {
  let limit: Int
  /// The statements queued, the first one running: each waits for the one before it.
  private var queued: [Task<Void, any Error>] = []

  init(limit: Int) {
    self.limit = limit
  }

  /// Queues `work` to run after everything queued before it.
  func enqueue(_ work: @escaping @Sendable () async throws -> Void) async throws {
    if queued.count >= limit { try await queued.removeFirst().value }
    let previous = queued.last
    queued.append(
      Task {
        try await previous?.value
        try await work()
      })
  }

  /// Queues `statement` on `sql`.
  func enqueue(_ statement: any SQLExpression, on sql: any SQLDatabase) async throws {
    try await enqueue { try await sql.execute(sql: statement) { _ in } }
  }

  /// Waits for every queued statement, and throws the first failure.
  func finish() async throws {
    let last = queued.last
    queued.removeAll()
    try await last?.value
  }

  /// Waits for whatever is queued to end, ignoring failures (the caller is throwing already).
  func abandon() async {
    let last = queued.last
    queued.removeAll()
    _ = try? await last?.value
  }

  /// Runs `body` with a queue of its own, finished before this returns (abandoned when `body`
  /// throws).
  static func with<T>(limit: Int = 4, _ body: (StatementQueue) async throws -> T) async throws -> T {
    let queue = StatementQueue(limit: limit)
    do {
      let result = try await body(queue)
      try await queue.finish()
      return result
    } catch {
      await queue.abandon()
      throw error
    }
  }
}
