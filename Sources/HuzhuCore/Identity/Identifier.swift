import Foundation

/// A typed identifier: an `Identifier<Unit>` cannot be passed where an
/// `Identifier<Worker>` is expected, although both are UUIDs underneath.
///
/// Hand-written (a dozen lines) rather than taken from swift-tagged so that the domain
/// target depends on Foundation alone.
public struct Identifier<Entity>: Hashable, Sendable, Codable, CustomStringConvertible {
  public let rawValue: UUID

  public init(_ rawValue: UUID = .timeOrdered()) {
    self.rawValue = rawValue
  }

  public init?(_ text: String) {
    guard let uuid = UUID(uuidString: text) else { return nil }
    self.rawValue = uuid
  }

  public init(from decoder: any Decoder) throws {
    rawValue = try decoder.singleValueContainer().decode(UUID.self)
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(rawValue)
  }

  public var description: String { rawValue.uuidString.lowercased() }
}
