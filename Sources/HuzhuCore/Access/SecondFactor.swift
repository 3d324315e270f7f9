import Foundation

/// Two-factor sign-in with time-based one-time codes (TOTP, RFC 6238: HMAC-SHA1, six digits,
/// thirty-second steps), as authenticator apps make them. MLPS level 3 asks for two factors
/// for those who administer the system and move money; the others may enrol.
///
/// The core decides who must enrol, which step a typed code belongs to and whether it was
/// used before; the HMAC itself is the caller's (`code(for:)`), as in ``AuditChain``.
public enum SecondFactor {
  /// Whether the installation makes the roles that need it enrol before they do anything.
  public enum Policy: String, Sendable, CaseIterable {
    /// System, security and audit administrators and finance must enrol; others may.
    case required
    /// Anyone may enrol; nobody must (a demonstration without phones).
    case optional
  }

  public static let stepSeconds: Int64 = 30
  public static let digits = 6
  /// A code of the step before or after is accepted too: a phone's clock a little off.
  public static let tolerance: Int64 = 1
  /// 160 bits, as RFC 4226 recommends.
  public static let secretBytes = 20

  /// The step a moment falls in.
  public static func step(at date: Date) -> Int64 {
    Int64((date.timeIntervalSince1970 / Double(stepSeconds)).rounded(.down))
  }

  /// Six digits and nothing else (spaces people type between groups are dropped first).
  public static func normalised(_ typed: String) -> String? {
    let code = typed.filter { !$0.isWhitespace }
    guard code.count == digits, code.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
    return code
  }

  /// The step whose code `typed` is, within ``tolerance`` of `date`'s and later than
  /// `lastUsed` (a code is good once: one seen over a shoulder or in a log cannot be replayed).
  public static func matchingStep(
    _ typed: String, at date: Date, after lastUsed: Int64?, code: (Int64) -> String
  ) -> Int64? {
    guard let typed = normalised(typed) else { return nil }
    let now = step(at: date)
    for candidate in (now - tolerance)...(now + tolerance) where candidate > (lastUsed ?? Int64.min) {
      if constantTimeEqual(code(candidate), typed) { return candidate }
    }
    return nil
  }

  /// Compares without stopping at the first difference.
  static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let (x, y) = (Array(a.utf8), Array(b.utf8))
    guard x.count == y.count else { return false }
    return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
  }

  /// The code of `step` from the HMAC-SHA1 of its big-endian bytes (RFC 4226's dynamic
  /// truncation); `hmac` is the digest of those eight bytes under the secret.
  public static func code(fromHMAC hmac: [UInt8]) -> String {
    guard hmac.count >= 20 else { return "" }
    let offset = Int(hmac[hmac.count - 1] & 0x0f)
    let value =
      (UInt32(hmac[offset] & 0x7f) << 24) | (UInt32(hmac[offset + 1]) << 16) | (UInt32(hmac[offset + 2]) << 8)
      | UInt32(hmac[offset + 3])
    let code = String(value % 1_000_000)
    return String(repeating: "0", count: digits - code.count) + code
  }

  /// The eight bytes an HMAC is taken of for `step`.
  public static func message(for step: Int64) -> [UInt8] {
    (0..<8).reversed().map { UInt8(truncatingIfNeeded: UInt64(bitPattern: step) >> (UInt64($0) * 8)) }
  }

  /// What the authenticator app reads from the QR code.
  public static func provisioningURI(issuer: String, account: String, secret: [UInt8]) -> String {
    var components = URLComponents()
    components.scheme = "otpauth"
    components.host = "totp"
    components.path = "/\(issuer):\(account)"
    components.queryItems = [
      URLQueryItem(name: "secret", value: Base32.encode(secret)), URLQueryItem(name: "issuer", value: issuer),
      URLQueryItem(name: "algorithm", value: "SHA1"), URLQueryItem(name: "digits", value: String(digits)),
      URLQueryItem(name: "period", value: String(stepSeconds)),
    ]
    return components.string ?? ""
  }
}

extension Role {
  /// Administrators of the system and those who move money sign in with two factors.
  public var requiresSecondFactor: Bool {
    switch self {
    case .systemAdministrator, .securityAdministrator, .auditAdministrator, .finance: true
    default: false
    }
  }
}

extension UserAccount {
  public var requiresSecondFactor: Bool { roles.contains { $0.requiresSecondFactor } }
}

/// RFC 4648 base32, upper case, without padding: how authenticator apps take a secret typed
/// by hand.
public enum Base32 {
  static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

  public static func encode(_ bytes: [UInt8]) -> String {
    var output: [UInt8] = []
    var buffer: UInt32 = 0
    var bits = 0
    for byte in bytes {
      buffer = (buffer << 8) | UInt32(byte)
      bits += 8
      while bits >= 5 {
        output.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
        bits -= 5
      }
    }
    if bits > 0 { output.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
    return String(decoding: output, as: UTF8.self)
  }

  /// Nil for anything but the alphabet (case, spaces and padding are forgiven).
  public static func decode(_ text: String) -> [UInt8]? {
    var output: [UInt8] = []
    var buffer: UInt32 = 0
    var bits = 0
    for character in text.uppercased().utf8 where character != UInt8(ascii: " ") && character != UInt8(ascii: "=") {
      guard let value = alphabet.firstIndex(of: character) else { return nil }
      buffer = (buffer << 5) | UInt32(value)
      bits += 5
      if bits >= 8 {
        output.append(UInt8((buffer >> UInt32(bits - 8)) & 0xff))
        bits -= 8
      }
    }
    return output
  }
}
