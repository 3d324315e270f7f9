import Crypto
import Foundation
import HuzhuCore
import HuzhuPersistence

/// Secrets kept in the database sealed (AES-GCM) under a key that is not: the authenticator
/// secrets of two-factor sign-in. A copy of the database alone does not let anyone make codes.
public struct SecretBox: Sendable {
  let key: SymmetricKey

  public init(key: SymmetricKey) {
    self.key = key
  }

  /// A key for this process only (tests): what it seals is lost when the process ends.
  public static func ephemeral() -> SecretBox { SecretBox(key: SymmetricKey(size: .bits256)) }

  /// The key from 32 bytes in base64 (`HUZHU_SECRETS_KEY`), nil for anything else.
  public init?(base64 text: String) {
    guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32
    else { return nil }
    self.init(key: SymmetricKey(data: data))
  }

  /// The key kept in `path`, made (readable by the owner only) when there is none yet.
  public static func kept(at path: String) throws -> SecretBox {
    if let text = try? String(contentsOfFile: path, encoding: .utf8) {
      guard let box = SecretBox(base64: text) else { throw Unreadable(path: path) }
      return box
    }
    let key = SymmetricKey(size: .bits256)
    let text = key.withUnsafeBytes { Data($0).base64EncodedString() } + "\n"
    guard
      FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
    else { throw Unreadable(path: path) }
    return SecretBox(key: key)
  }

  public struct Unreadable: Error, CustomStringConvertible {
    public let path: String
    public var description: String { "\(path) does not hold a 32-byte key in base64" }
  }

  /// A short fingerprint of the key (not the key): a backup records it, so that a restore can
  /// tell whether the key at hand opens the secrets in it.
  public var fingerprint: String {
    key.withUnsafeBytes { SHA256.hash(data: Data($0)) }.prefix(8).map { String(format: "%02x", $0) }.joined()
  }

  public func seal(_ bytes: [UInt8]) throws -> String {
    guard let combined = try AES.GCM.seal(bytes, using: key).combined else { throw Unreadable(path: "sealed box") }
    return combined.base64EncodedString()
  }

  public func open(_ sealed: String) -> [UInt8]? {
    guard let data = Data(base64Encoded: sealed), let box = try? AES.GCM.SealedBox(combined: data),
      let opened = try? AES.GCM.open(box, using: key)
    else { return nil }
    return Array(opened)
  }
}

/// One-time codes from a secret: HMAC-SHA1 of the step (``SecondFactor``).
enum OneTimeCodes {
  static func code(secret: [UInt8], step: Int64) -> String {
    let mac = HMAC<Insecure.SHA1>.authenticationCode(
      for: SecondFactor.message(for: step), using: SymmetricKey(data: secret))
    return SecondFactor.code(fromHMAC: Array(mac))
  }

  static func newSecret() -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    return (0..<SecondFactor.secretBytes).map { _ in UInt8.random(in: 0...255, using: &generator) }
  }
}

/// Enrolling an authenticator for two-factor sign-in: the holder scans a QR code and proves it
/// with a first code; a security administrator resets it when the phone is lost (the holder
/// then enrols again at their next sign-in).
public struct SecondFactors: UseCase {
  let services: AppServices
  let actor: Actor

  public init(_ services: AppServices, actor: Actor) {
    self.services = services
    self.actor = actor
  }

  /// A secret not yet enrolled: sealed, for the page to keep in the session until the first
  /// code proves the app has it.
  public struct Pending: Sendable {
    public let sealed: String
    /// The `otpauth://` address the QR code carries.
    public let provisioningURI: String
    /// The secret in base32, in groups of four, for typing by hand.
    public let typedSecret: String
  }

  public static let issuer = "Huzhu"

  public func begin() throws -> Pending {
    guard let account = actor.account else { throw UseCaseError.forbidden }
    return try pending(OneTimeCodes.newSecret(), for: account)
  }

  /// The pending secret the page kept (sealed), shown again.
  public func pending(_ sealed: String) throws -> Pending? {
    guard let account = actor.account, let secret = services.secrets.open(sealed) else { return nil }
    return try pending(secret, for: account)
  }

  private func pending(_ secret: [UInt8], for account: UserAccount) throws -> Pending {
    let text = Base32.encode(secret)
    let groups = stride(from: 0, to: text.count, by: 4).map { start in
      String(text.dropFirst(start).prefix(4))
    }
    return Pending(
      sealed: try services.secrets.seal(secret),
      provisioningURI: SecondFactor.provisioningURI(issuer: Self.issuer, account: account.username, secret: secret),
      typedSecret: groups.joined(separator: " "))
  }

  static let wrongCode = LocalizedText(
    zh: "验证码不正确或已过期，请输入验证器中当前显示的 6 位数字", en: "wrong or expired code: type the 6 digits the app shows now")

  /// Enrols the pending secret once `code` shows the app makes its codes.
  public func confirm(_ sealed: String, code: String) async throws {
    guard let account = actor.account, let secret = services.secrets.open(sealed) else {
      throw UseCaseError.forbidden
    }
    guard
      let step = SecondFactor.matchingStep(
        code, at: services.clock.instant, after: nil, code: { OneTimeCodes.code(secret: secret, step: $0) })
    else { throw ValidationFailure([FieldError(field: "code", code: "wrong_code", message: Self.wrongCode)]) }
    try await FluentAccountStore(database: services.database).setSecondFactor(
      sealedSecret: sealed, step: step, at: services.clock.instant, for: account.id)
    try await audit.record(.accountChange, subject: "account:\(account.username)", detail: "two-factor enrolled")
  }

  /// The holder's own authenticator removed: only where no role of theirs requires one.
  public func remove(policy: SecondFactor.Policy) async throws {
    guard let account = actor.account else { throw UseCaseError.forbidden }
    guard !(policy == .required && account.requiresSecondFactor) else {
      throw ValidationFailure([
        FieldError(
          field: "code", code: "required",
          message: LocalizedText(
            zh: "您的角色必须使用双因素登录，不能停用；更换手机请联系安全管理员重置",
            en: "your role signs in with two factors; to change phones ask a security administrator to reset it"))
      ])
    }
    try await FluentAccountStore(database: services.database).setSecondFactor(
      sealedSecret: nil, step: nil, at: services.clock.instant, for: account.id)
    try await audit.record(.accountChange, subject: "account:\(account.username)", detail: "two-factor removed")
  }

  /// A security administrator forgets another account's authenticator (a lost phone), within
  /// their federation.
  public func reset(_ id: UserAccount.ID) async throws -> UserAccount {
    try actor.require(.unlockAccounts)
    // One's own is reset by another security administrator, never by oneself.
    guard id != actor.account?.id else { throw UseCaseError.forbidden }
    let account = try await Accounts(services, actor: actor).account(id)
    try await FluentAccountStore(database: services.database).setSecondFactor(
      sealedSecret: nil, step: nil, at: services.clock.instant, for: account.id)
    try await audit.record(.accountChange, subject: "account:\(account.username)", detail: "two-factor reset")
    return account
  }
}
