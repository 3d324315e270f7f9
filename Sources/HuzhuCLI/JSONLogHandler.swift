import Foundation
import Logging
import NIOConcurrencyHelpers

/// Log lines as JSON objects, one per line (`HUZHU_LOG_FORMAT=json`), for a log collector
/// (journald, Loki, Elasticsearch) to read without parsing text: `time` (UTC, milliseconds),
/// `level`, `label`, `message`, `source`, and the metadata as an object of strings.
///
/// Hand-written: swift-log ships only its text handler, and none of the packages available
/// here writes JSON lines to standard output.
public struct JSONLogHandler: LogHandler {
  public var metadata: Logger.Metadata = [:]
  public var logLevel: Logger.Level = .info
  let label: String
  let write: @Sendable (String) -> Void

  /// `write` receives each line, newline included (standard output by default).
  public init(label: String, write: @escaping @Sendable (String) -> Void = JSONLogHandler.standardOutput) {
    self.label = label
    self.write = write
  }

  public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  public func log(event: LogEvent) {
    var merged = metadata
    if let extra = event.metadata { merged.merge(extra) { $1 } }
    var object: [String: Any] = [
      "time": Self.timestamp(Date()), "level": event.level.rawValue, "label": label,
      "message": event.message.description, "source": event.source,
    ]
    if !merged.isEmpty { object["metadata"] = merged.mapValues(Self.plain) }
    guard
      let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    else { return }
    write(String(decoding: data, as: UTF8.self) + "\n")
  }

  /// Nested metadata as JSON values: strings, arrays and objects.
  static func plain(_ value: Logger.Metadata.Value) -> Any {
    switch value {
    case .string(let text): text
    case .stringConvertible(let convertible): convertible.description
    case .array(let values): values.map(plain)
    case .dictionary(let values): values.mapValues(plain)
    }
  }

  static func timestamp(_ date: Date) -> String {
    date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
  }

  private static let outputLock = NIOLock()

  /// One `write` per line under a lock, so lines from several threads never interleave.
  public static let standardOutput: @Sendable (String) -> Void = { line in
    outputLock.withLock { FileHandle.standardOutput.write(Data(line.utf8)) }
  }
}
