import Foundation
import Logging
import Synchronization

/// A log handler that hands every event (with the drivers' SQL logging, one per statement) to
/// `record`: for counting statements and for `--trace-sql`.
struct StatementLogHandler: LogHandler {
  let record: @Sendable (LogEvent) -> Void
  var metadata: Logger.Metadata = [:]
  var logLevel: Logger.Level

  init(level: Logger.Level, record: @escaping @Sendable (LogEvent) -> Void) {
    self.logLevel = level
    self.record = record
  }

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  func log(event: LogEvent) { record(event) }
}

/// `--trace-sql`: each SQL statement the drivers log (before running it) on standard error,
/// after the milliseconds since the previous one, i.e. how long the previous statement and the
/// Swift around it took. For finding which statement of a page is slow.
final class StatementTimer: Sendable {
  private let last = Mutex(ContinuousClock.now)

  var handler: StatementLogHandler {
    StatementLogHandler(level: .trace) { [self] event in
      // The drivers put the statement in the metadata ("Executing query" is the message).
      let details = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.value)" }.joined(separator: " ")
      let text = "\(event.message) \(details)".replacingOccurrences(of: "\n", with: " ")
      FileHandle.standardError.write(Data((String(format: "%9.1f ms  ", lap()) + text.prefix(6000) + "\n").utf8))
    }
  }

  private func lap() -> Double {
    last.withLock { last in
      let now = ContinuousClock.now
      defer { last = now }
      let elapsed = now - last
      return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    }
  }
}
