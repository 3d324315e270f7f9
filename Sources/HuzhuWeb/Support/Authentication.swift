import HuzhuCore
import HuzhuPersistence
import Vapor

/// bcrypt through Vapor, offered to the core as its ``PasswordHasher``.
public struct BcryptPasswordHasher: HuzhuCore.PasswordHasher {
  public let cost: Int

  public init(cost: Int = 12) {
    self.cost = cost
  }

  public func hash(_ password: String) throws -> String {
    try Bcrypt.hash(password, cost: cost)
  }

  public func verify(_ password: String, against hash: String) throws -> Bool {
    try Bcrypt.verify(password, created: hash)
  }
}

/// The operator behind a request, with what they may see: worked out once per request.
struct AuthenticatedAccount: Authenticatable {
  let account: UserAccount
  let organisation: Organisation
  let scope: AccessScope
  /// Every node, read once to work out the scope; kept for the few checks that look upwards
  /// (which schemes serve the operator's area).
  let organisations: [Organisation]

  /// People on their own are kept by organisation nodes: an account that sees nodes may
  /// register them; one that sees a single unit (a unit officer) may not.
  var keepsIndividuals: Bool {
    if case .organisations = scope { return true }
    return false
  }

  /// The nodes whose schemes the operator may see and use.
  var schemeReach: SchemeReach {
    SchemeReach(node: organisation.id, scope: scope, hierarchy: OrganisationHierarchy(organisations))
  }

  /// The nodes the scope shows.
  var visibleOrganisations: [Organisation] { organisations.filter { scope.contains(organisation: $0.id) } }

  /// Those nodes parents first, with their depth: what every organisation picker lists.
  var visibleTree: [(depth: Int, organisation: Organisation)] {
    OrganisationTree(organisations: visibleOrganisations).flattened().map { ($0.depth, $0.node.organisation) }
  }
}

/// Whoever signs in, by session cookie (pages) or HTTP Basic (API clients), goes through the
/// same checks: a known, enabled, unlocked account with the right password. Failures count
/// towards the lock and are audited.
enum SignIn {
  enum Outcome {
    case success(AuthenticatedAccount)
    case failure(LocalizedText)
  }

  static let wrongCredentials = LocalizedText(zh: "用户名或密码错误", en: "wrong username or password")

  /// `remembering`: an HTTP Basic client, whose passing check is kept for a few minutes
  /// (``VerifiedCredentials``) instead of paying bcrypt on every request.
  static func attempt(username: String, password: String, remembering: Bool = false, on request: Request)
    async throws -> Outcome
  {
    let now = Date()
    let accounts = request.accounts
    let found = try await accounts.account(username: username)
    guard let account = found, !account.isDisabled else {
      // Hash anyway (off the event loop), so an unknown name takes as long to refuse as a
      // wrong password.
      let hasher = request.application.huzhu.passwordHasher
      _ = try? await request.application.threadPool.runIfActive {
        try hasher.verify(password, against: try hasher.hash("not-a-password"))
      }
      try await request.audit(
        .loginFailed, actor: username, organisation: found?.organisationID, subject: "account:\(username)",
        detail: "unknown or disabled")
      return .failure(wrongCredentials)
    }
    if account.login.isLocked(at: now) {
      try await request.audit(
        .loginFailed, actor: username, organisation: account.organisationID, subject: "account:\(username)",
        detail: "locked")
      return .failure(locked(until: account.login.lockedUntil!))
    }
    let verified = request.application.huzhu.verifiedCredentials
    let key = VerifiedCredentials.key(username: username, password: password, hash: account.passwordHash)
    let passed: Bool
    if remembering && verified.contains(key, at: now) {
      passed = true
    } else {
      passed = try await verify(password, against: account.passwordHash, on: request)
      if passed && remembering { verified.remember(key, at: now) }
    }
    guard passed else {
      let state = try await accounts.recordFailedLogin(username: username, at: now, throttle: .standard)
      try await request.audit(
        .loginFailed, actor: username, organisation: account.organisationID, subject: "account:\(username)",
        detail: "wrong password")
      if let lockedUntil = state?.lockedUntil, state?.isLocked(at: now) == true {
        try await request.audit(
          .accountLocked, actor: username, organisation: account.organisationID, subject: "account:\(username)",
          detail: "\(lockedUntil)")
        return .failure(locked(until: lockedUntil))
      }
      return .failure(wrongCredentials)
    }
    guard let authenticated = try await authenticated(account, on: request) else {
      return .failure(LocalizedText(zh: "账号所属组织不存在", en: "the account's organisation no longer exists"))
    }
    if account.login.failedAttempts > 0 { try await accounts.recordSuccessfulLogin(account.id) }
    return .success(authenticated)
  }

  /// The account with its organisation and scope, read unscoped (it is the scope's source).
  static func authenticated(_ account: UserAccount, on request: Request) async throws -> AuthenticatedAccount? {
    let organisations = try await FluentRegistryStore(database: request.db).organisations()
    guard let organisation = organisations.first(where: { $0.id == account.organisationID }) else { return nil }
    return AuthenticatedAccount(
      account: account, organisation: organisation, scope: .of(account, in: organisations),
      organisations: organisations)
  }

  static func locked(until: Date) -> LocalizedText {
    let minutes = max(1, Int((until.timeIntervalSinceNow / 60).rounded(.up)))
    return LocalizedText(
      zh: "密码错误次数过多，账号已锁定，请 \(minutes) 分钟后再试，或联系本单位所属工会组织的安全管理员解锁",
      en:
        "too many wrong passwords: the account is locked; try again in \(minutes) min or ask your federation's security administrator to unlock it"
    )
  }

  /// bcrypt is deliberately slow: keep it off the event loop.
  static func verify(_ password: String, against hash: String, on request: Request) async throws -> Bool {
    let hasher = request.application.huzhu.passwordHasher
    return try await request.application.threadPool.runIfActive { try hasher.verify(password, against: hash) }
  }
}

/// HTTP Basic for API clients (scripts, the bank interface). Browsers use the session.
struct BasicAccountAuthenticator: AsyncBasicAuthenticator {
  func authenticate(basic: BasicAuthorization, for request: Request) async throws {
    if case .success(let account) = try await SignIn.attempt(
      username: basic.username, password: basic.password, remembering: true, on: request)
    {
      request.auth.login(account)
    }
  }
}

/// The signed-in operator of a browser session. A session idle for longer than
/// ``SessionPolicy/idleTimeout`` or older than ``SessionPolicy/absoluteLifetime`` ends.
struct SessionAccountAuthenticator: AsyncRequestAuthenticator {
  func authenticate(request: Request) async throws {
    guard request.hasSession, let text = request.session.data[SessionKeys.account],
      let id = UserAccount.ID(text)
    else { return }
    let now = Date()
    guard request.sessionIsAlive(at: now) else {
      request.session.data[SessionKeys.account] = nil
      request.session.data[SessionKeys.expired] = "1"
      return
    }
    guard let account = try await request.accounts.account(id), !account.isDisabled,
      !account.login.isLocked(at: now), let authenticated = try await SignIn.authenticated(account, on: request)
    else {
      request.session.data[SessionKeys.account] = nil
      return
    }
    request.touchSession(at: now)
    request.auth.login(authenticated)
  }
}

enum SessionPolicy {
  /// 30 minutes without a request ends the session (MLPS: "登录连接超时自动退出").
  static let idleTimeout: TimeInterval = 30 * 60
  static let absoluteLifetime: TimeInterval = 12 * 3600
}

enum SessionKeys {
  static let account = "account"
  static let worker = "worker"
  static let portalPending = "portalPending"
  static let seen = "seen"
  static let started = "started"
  static let csrf = "csrf"
  static let expired = "expired"
  static let flash = "flash"
  static let flashError = "flashError"
}

extension Request {
  var operatorAccount: AuthenticatedAccount? { auth.get(AuthenticatedAccount.self) }

  /// What this request may see. Anonymous requests see nothing.
  var accessScope: AccessScope { operatorAccount?.scope ?? .nothing }

  /// Throws 401 when nobody is signed in and 403 when the account lacks `permission`.
  @discardableResult
  func require(_ permission: Permission) throws -> AuthenticatedAccount {
    guard let account = operatorAccount else { throw APIError.unauthorized }
    guard account.account.may(permission) else { throw APIError.forbidden }
    return account
  }

  /// Starts a fresh session for `account`: the old session id is dropped, so an id planted
  /// before sign-in (session fixation) is worthless after it.
  ///
  /// `key` is ``SessionKeys/account`` for an operator, ``SessionKeys/worker`` in the portal.
  func startSession(_ key: String, _ value: String) async throws {
    try await rotateSession()
    let now = String(Int(Date().timeIntervalSince1970))
    session.data[key] = value
    session.data[SessionKeys.started] = now
    session.data[SessionKeys.seen] = now
    session.data[SessionKeys.csrf] = CSRF.newToken()
  }

  /// Whether the session is within ``SessionPolicy``'s idle and absolute limits.
  func sessionIsAlive(at now: Date) -> Bool {
    let seen = session.data[SessionKeys.seen].flatMap(TimeInterval.init) ?? 0
    let started = session.data[SessionKeys.started].flatMap(TimeInterval.init) ?? 0
    return now.timeIntervalSince1970 - seen < SessionPolicy.idleTimeout
      && now.timeIntervalSince1970 - started < SessionPolicy.absoluteLifetime
  }

  /// Restarts the idle clock.
  func touchSession(at now: Date) {
    session.data[SessionKeys.seen] = String(Int(now.timeIntervalSince1970))
  }

  /// A sign-in form (staff or portal) must carry its own session's token. The middleware
  /// checks only requests that already carry the cookie; a sign-in without one (cookies
  /// blocked, or a forged cross-site form) is refused here.
  func requireSignInToken() throws {
    guard hasSession,
      CSRF.matches(try? content.get(String.self, at: CSRF.field), session.data[SessionKeys.csrf])
    else { throw CSRF.refused }
  }

  /// Forgets the current session id (and its stored data) but keeps the session usable.
  func rotateSession() async throws {
    if hasSession, let id = session.id {
      try await application.sessions.driver.deleteSession(id, for: self).get()
      session.id = nil
      for key in session.data.snapshot.keys { session.data[key] = nil }
    }
  }
}

enum SessionCookie {
  static let name = "huzhu_session"
}
