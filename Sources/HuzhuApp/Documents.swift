import Crypto
import Foundation
import HuzhuCore

/// Files kept by content (scans, rosters between preview and import): stored once under their
/// SHA-256, whoever uploads them how often.
struct Documents: Sendable {
  let services: AppServices

  init(_ services: AppServices) {
    self.services = services
  }

  static func checksum(_ bytes: Data) -> String {
    SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
  }

  /// Stores `bytes` and returns their checksum, the name they are kept under.
  func store(_ bytes: Data) async throws -> String {
    let checksum = Self.checksum(bytes)
    try services.documents.save(bytes, sha256: checksum)
    return checksum
  }
}
