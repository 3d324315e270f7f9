import Crypto
import Foundation

/// The hash the audit chain is sealed with: SHA-256, in lowercase hex.
public enum AuditDigest {
  public static func sha256(_ data: Data) -> String {
    SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
  }
}

extension AuditDigest {
  /// SHA-256 over data given in parts (an archive written a page at a time).
  public struct Running {
    var hasher = SHA256()

    public init() {}

    public mutating func update(_ data: Data) { hasher.update(data: data) }

    public func finish() -> String { hasher.finalize().map { String(format: "%02x", $0) }.joined() }
  }
}
