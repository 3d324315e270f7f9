import Foundation

/// How a worker signs in to the self-service portal: their ID number and the mobile phone
/// the registry holds for them, then a six-digit code sent to that phone. A code lasts ten
/// minutes and survives five wrong tries; a new one can be asked for once a minute.
public enum PortalSignIn {
  public static let codeLength = 6
  public static let validity: TimeInterval = 10 * 60
  public static let maximumAttempts = 5
  public static let resendInterval: TimeInterval = 60

  /// A fresh code: six random digits.
  public static func newCode() -> String {
    var generator = SystemRandomNumberGenerator()
    return String((0..<codeLength).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
  }

  /// The text message that carries a code.
  public static func message(code: String) -> String {
    "【职工互助】您的登录验证码为 \(code)，10 分钟内有效。如非本人操作请忽略。"
  }

  /// Whether a stored one-time code (a sign-in code, an account change's code) accepts the
  /// code offered: not used yet, not expired, tried no more than ``maximumAttempts`` times
  /// counting this try, and the same hash.
  public static func accepts(
    storedHash: String, offeredHash: String, tries: Int, expiresAt: Date, used: Bool, at now: Date
  ) -> Bool {
    !used && now < expiresAt && tries <= maximumAttempts && storedHash == offeredHash
  }

  /// Whether what was typed can be a code at all (before any lookup).
  public static func isWellFormed(_ code: String) -> Bool {
    code.count == codeLength && code.allSatisfy(\.isASCIIDigit)
  }
}

/// Issuing and redeeming portal codes. Implementations store only a hash of the code.
public protocol PortalStore: Sendable {
  /// The person with this ID number whose registered phone is `phone`.
  func worker(idNumber: ResidentIDNumber, phone: String) async throws -> Worker?
  /// Stores a new code for the worker (and its message in the outbox). Returns false, storing
  /// nothing, when a code still unused was issued less than ``PortalSignIn/resendInterval`` ago.
  func issue(codeHash: String, message: OutgoingMessage, to worker: Worker, at now: Date) async throws -> Bool
  /// True (and the code used up) when `codeHash` matches the worker's latest code, unexpired,
  /// unused and tried fewer than ``PortalSignIn/maximumAttempts`` times; every try counts.
  func redeem(codeHash: String, for worker: Worker.ID, at now: Date) async throws -> Bool
}
