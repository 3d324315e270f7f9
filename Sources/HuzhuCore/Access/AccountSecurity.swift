import Foundation

/// The password rule: at least 10 characters from at least three of the four classes
/// (lower case, upper case, digits, symbols), not the username, not a run of one character.
/// GB/T 22239 (MLPS) asks for "complexity"; this is the usual reading.
public enum PasswordPolicy {
  public static let minimumLength = 10

  public static func problems(_ password: String, username: String) -> [FieldError] {
    var errors: [FieldError] = []
    if password.count < minimumLength {
      errors.append(
        FieldError(
          field: "password", code: "password_too_short",
          message: LocalizedText(zh: "密码至少 \(minimumLength) 位", en: "at least \(minimumLength) characters")))
    }
    let classes = [
      password.contains { $0.isLowercase }, password.contains { $0.isUppercase },
      password.contains { $0.isNumber }, password.contains { !$0.isLetter && !$0.isNumber },
    ].filter { $0 }.count
    if classes < 3 {
      errors.append(
        FieldError(
          field: "password", code: "password_too_simple",
          message: LocalizedText(
            zh: "密码须包含大写字母、小写字母、数字、符号中的至少三类",
            en: "use at least three of: upper case, lower case, digits, symbols")))
    }
    if password.lowercased().contains(username.lowercased()) && !username.isEmpty {
      errors.append(
        FieldError(
          field: "password", code: "password_contains_username",
          message: LocalizedText(zh: "密码不能包含用户名", en: "the password may not contain the username")))
    }
    if Set(password).count <= 2 && !password.isEmpty {
      errors.append(
        FieldError(
          field: "password", code: "password_repetitive",
          message: LocalizedText(zh: "密码过于简单", en: "the password is too repetitive")))
    }
    return errors
  }

  /// A password someone is given to sign in once and replace: 16 characters from an alphabet
  /// without look-alikes (no 0/O, 1/l/I), drawn until the policy accepts them.
  public static func generate() -> String {
    let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
    var generator = SystemRandomNumberGenerator()
    while true {
      let password = String((0..<16).map { _ in alphabet.randomElement(using: &generator)! })
      if problems(password, username: "admin").isEmpty { return password }
    }
  }
}

/// Repeated failed sign-ins lock an account for a while: twenty failures in a row, from
/// wherever, lock it for fifteen minutes (a security administrator can unlock it sooner). A
/// success resets the count. One address is held back from an account after five
/// (``AttemptRule/signInsToAccountFromAddress``), so the lock answers guessing from many places
/// and nobody can lock another person out from one desk.
public struct LoginThrottle: Sendable, Equatable {
  public var maximumFailures: Int
  public var lockDuration: TimeInterval

  public init(maximumFailures: Int = 20, lockDuration: TimeInterval = 15 * 60) {
    self.maximumFailures = maximumFailures
    self.lockDuration = lockDuration
  }

  public static let standard = LoginThrottle()

  /// When `failures` consecutive failures lock the account, until when.
  public func lock(afterFailures failures: Int, at now: Date) -> Date? {
    failures >= maximumFailures ? now.addingTimeInterval(lockDuration) : nil
  }
}

/// Failed attempts since the last success, and the lock if one is in force.
public struct LoginState: Sendable, Hashable {
  public var failedAttempts: Int
  public var lockedUntil: Date?

  public init(failedAttempts: Int = 0, lockedUntil: Date? = nil) {
    self.failedAttempts = failedAttempts
    self.lockedUntil = lockedUntil
  }

  public func isLocked(at now: Date) -> Bool {
    guard let lockedUntil else { return false }
    return now < lockedUntil
  }
}
