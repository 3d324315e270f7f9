import Foundation
import HuzhuCore
import HuzhuPersistence

/// Whoever signs in, by session (pages) or HTTP Basic (API clients), goes through the same
/// checks: a known, enabled, unlocked account with the right password. Every attempt is
/// audited under the account's node (an unknown name's under none).
///
/// Failures are held back three ways (``Throttles``, ``LoginThrottle``): five wrong passwords
/// for one account from one address keep that address out of that account for fifteen
/// minutes; thirty failures from one address, whatever the names, keep the address out; and
/// twenty in a row from anywhere lock the account itself until it expires or a security
/// administrator unlocks it. So nobody can lock `admin` out from one desk, while guessing from
/// many addresses still ends in the lock. A refusal costs the same bcrypt check whether the
/// name exists, is locked or the password is wrong, so names cannot be told apart by timing;
/// an address held back is refused without one.
public struct SignIns: Sendable {
  let services: AppServices
  let remembered: VerifiedCredentials
  let throttles: Throttles

  public init(_ services: AppServices, remembered: VerifiedCredentials, throttles: Throttles) {
    self.services = services
    self.remembered = remembered
    self.throttles = throttles
  }

  public enum Outcome: Sendable {
    /// The account, with every node (its scope's source).
    case signedIn(UserAccount, organisations: [Organisation])
    case refused(LocalizedText)
  }

  public static let wrongCredentials = LocalizedText(zh: "用户名或密码错误", en: "wrong username or password")

  var accounts: FluentAccountStore { FluentAccountStore(database: services.database) }

  /// `remembering`: an HTTP Basic client, whose passing check is kept for a few minutes
  /// (``VerifiedCredentials``) instead of paying bcrypt on every request.
  public func attempt(username: String, password: String, remembering: Bool, address: String?) async throws -> Outcome {
    let now = Date()
    let audit = AuditWriter(services)
    let hasher = services.passwordHasher
    let found = try await accounts.account(username: username)
    // The same one bcrypt check on every refusal (a decoy hash when there is no account's).
    func spendAsOnAPassword() async {
      _ = try? await services.offThePool { try hasher.verify(password, against: try hasher.decoyHash()) }
    }
    // Held back: refused without a check (the message says so; it reveals nothing of the name,
    // since unknown names are held back alike), so a flood from one address costs no bcrypt.
    if let until = throttles.signInBlocked(username: username, address: address, at: now) {
      try await audit.record(
        .loginFailed, actor: username, organisation: found?.organisationID, subject: "account:\(username)",
        detail: "held back from this address", address: address)
      return .refused(Self.heldBack(until: until))
    }
    guard let account = found, !account.isDisabled else {
      await spendAsOnAPassword()
      throttles.signInFailed(username: username, address: address, at: now)
      try await audit.record(
        .loginFailed, actor: username, organisation: found?.organisationID, subject: "account:\(username)",
        detail: "unknown or disabled", address: address)
      return .refused(Self.wrongCredentials)
    }
    if account.login.isLocked(at: now) {
      await spendAsOnAPassword()
      try await audit.record(
        .loginFailed, actor: username, organisation: account.organisationID, subject: "account:\(username)",
        detail: "locked", address: address)
      return .refused(Self.locked(until: account.login.lockedUntil!))
    }
    let key = VerifiedCredentials.key(username: username, password: password, hash: account.passwordHash)
    let passed: Bool
    if remembering && remembered.contains(key, at: now) {
      passed = true
    } else {
      let hash = account.passwordHash
      passed = try await services.offThePool { try hasher.verify(password, against: hash) }
      if passed && remembering { remembered.remember(key, at: now) }
    }
    guard passed else {
      let heldBack = throttles.signInFailed(username: username, address: address, at: now)
      let state = try await accounts.recordFailedLogin(username: username, at: now, throttle: .standard)
      try await audit.record(
        .loginFailed, actor: username, organisation: account.organisationID, subject: "account:\(username)",
        detail: "wrong password", address: address)
      if let lockedUntil = state?.lockedUntil, state?.isLocked(at: now) == true {
        try await audit.record(
          .accountLocked, actor: username, organisation: account.organisationID, subject: "account:\(username)",
          detail: "\(lockedUntil)", address: address)
        return .refused(Self.locked(until: lockedUntil))
      }
      if let heldBack {
        try await audit.record(
          .accountLocked, actor: username, organisation: account.organisationID, subject: "account:\(username)",
          detail: "from \(address ?? "an unknown address") until \(heldBack)", address: address)
        return .refused(Self.heldBack(until: heldBack))
      }
      return .refused(Self.wrongCredentials)
    }
    throttles.signedIn(username: username, address: address)
    let organisations = try await services.organisationDirectory.current(on: services)
    guard organisations.contains(where: { $0.id == account.organisationID }) else {
      return .refused(LocalizedText(zh: "账号所属组织不存在", en: "the account's organisation no longer exists"))
    }
    if account.login.failedAttempts > 0 { try await accounts.recordSuccessfulLogin(account.id) }
    return .signedIn(account, organisations: organisations)
  }

  /// The second step for an account with an authenticator: `code` must be its current one and
  /// not used before (`once`: sign-in; an API client, which sends the code with every request,
  /// may send it again within its thirty seconds). A wrong code counts as a wrong password.
  public func secondStep(_ account: UserAccount, code: String, once: Bool, address: String?) async throws -> Outcome {
    let now = services.clock.instant
    let audit = AuditWriter(services)
    if let until = throttles.signInBlocked(username: account.username, address: address, at: now) {
      return .refused(Self.heldBack(until: until))
    }
    let accounts = self.accounts
    var accepted = false
    if let stored = try await accounts.secondFactor(of: account.id),
      let secret = services.secrets.open(stored.sealedSecret),
      let step = SecondFactor.matchingStep(
        code, at: now, after: once ? stored.lastStep : nil, code: { OneTimeCodes.code(secret: secret, step: $0) })
    {
      accepted = once ? try await accounts.useSecondFactorStep(step, for: account.id) : true
    }
    if accepted {
      throttles.signedIn(username: account.username, address: address)
      let organisations = try await services.organisationDirectory.current(on: services)
      return .signedIn(account, organisations: organisations)
    }
    throttles.signInFailed(username: account.username, address: address, at: now)
    let state = try await accounts.recordFailedLogin(username: account.username, at: now, throttle: .standard)
    try await audit.record(
      .loginFailed, actor: account.username, organisation: account.organisationID,
      subject: "account:\(account.username)", detail: "wrong one-time code", address: address)
    if let lockedUntil = state?.lockedUntil, state?.isLocked(at: now) == true {
      return .refused(Self.locked(until: lockedUntil))
    }
    return .refused(SecondFactors.wrongCode)
  }

  /// The account a live session names, if it may still act (enabled, unlocked, its node there).
  public func session(_ id: UserAccount.ID) async throws -> (account: UserAccount, organisations: [Organisation])? {
    guard let account = try await accounts.account(id), !account.isDisabled, !account.login.isLocked(at: Date())
    else { return nil }
    let organisations = try await services.organisationDirectory.current(on: services)
    guard organisations.contains(where: { $0.id == account.organisationID }) else { return nil }
    return (account, organisations)
  }

  static func heldBack(until: Date) -> LocalizedText {
    let minutes = max(1, Int((until.timeIntervalSinceNow / 60).rounded(.up)))
    return LocalizedText(
      zh: "密码错误次数过多，请 \(minutes) 分钟后再试",
      en: "too many wrong passwords from here; try again in \(minutes) min")
  }

  static func locked(until: Date) -> LocalizedText {
    let minutes = max(1, Int((until.timeIntervalSinceNow / 60).rounded(.up)))
    return LocalizedText(
      zh: "密码错误次数过多，账号已锁定，请 \(minutes) 分钟后再试，或联系本单位所属工会组织的安全管理员解锁",
      en:
        "too many wrong passwords: the account is locked; try again in \(minutes) min or ask your federation's security administrator to unlock it"
    )
  }
}

/// A line of the audit log written for whoever acted (an operator, a worker in the portal, a
/// name typed at the sign-in form), under the node whose audit administrators read it.
public struct AuditWriter: Sendable {
  let services: AppServices

  public init(_ services: AppServices) {
    self.services = services
  }

  public func record(
    _ kind: AuditKind, actor: String, organisation: Organisation.ID?, subject: String, detail: String,
    address: String?
  ) async throws {
    try await record([
      AuditEvent(
        at: Date(), kind: kind, actor: actor, organisationID: organisation, subject: subject, detail: detail,
        address: address)
    ])
  }

  /// Appends `events` in order: with the transaction the use case runs in, if any; otherwise
  /// in the server's next group commit (``AuditGroupCommit``).
  func record(_ events: [AuditEvent]) async throws {
    if services.database.inTransaction {
      try await FluentAuditStore(database: services.database).record(events)
    } else {
      try await services.auditLog.record(events, on: services.database)
    }
  }
}
