import Crypto
import Foundation

/// API clients send their password with every request (HTTP Basic), and bcrypt at cost 12
/// spends about a quarter of a second of a core on each: a script reading a hundred claims
/// would wait half a minute. A successful check is remembered for a few minutes under a
/// SHA-256 of the name, the password and the stored hash, so it counts only while that hash is
/// the account's: changing or resetting the password ends it at once. Only digests are kept,
/// never the password. Locks and disabling are checked on every request as before.
public final class VerifiedCredentials: @unchecked Sendable {
  static let lifetime: TimeInterval = 5 * 60
  static let capacity = 1_000

  private let lock = NSLock()
  private var entries: [String: Date] = [:]

  public init() {}

  static func key(username: String, password: String, hash: String) -> String {
    SHA256.hash(data: Data("\(username)\u{0}\(password)\u{0}\(hash)".utf8)).map { String(format: "%02x", $0) }.joined()
  }

  func contains(_ key: String, at now: Date) -> Bool {
    lock.withLock {
      guard let expiry = entries[key] else { return false }
      if expiry <= now {
        entries[key] = nil
        return false
      }
      return true
    }
  }

  func remember(_ key: String, at now: Date) {
    lock.withLock {
      if entries.count >= Self.capacity { entries = entries.filter { $0.value > now } }
      // Still full of live entries: forget them all rather than grow without bound.
      if entries.count >= Self.capacity { entries.removeAll() }
      entries[key] = now.addingTimeInterval(Self.lifetime)
    }
  }
}
