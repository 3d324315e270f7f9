import HuzhuApp
import HuzhuCore
import NIOConcurrencyHelpers
import Vapor

/// bcrypt through Vapor, offered to the core as its ``PasswordHasher``.
public struct BcryptPasswordHasher: HuzhuCore.PasswordHasher {
  public let cost: Int
  /// Made on first use, once per hasher: a fresh bcrypt hash per refusal would cost twice a check.
  private let decoy = NIOLockedValueBox<String?>(nil)

  public init(cost: Int = 12) {
    self.cost = cost
  }

  public func decoyHash() throws -> String {
    if let made = decoy.withLockedValue({ $0 }) { return made }
    let made = try hash(UUID().uuidString)
    decoy.withLockedValue { $0 = made }
    return made
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

/// Signing in, for the web: the checks are the application layer's (``SignIns``); this turns
/// their outcome into the request's operator.
enum SignIn {
  enum Outcome {
    case success(AuthenticatedAccount)
    case failure(LocalizedText)
  }

  /// `remembering`: an HTTP Basic client, whose passing check is kept for a few minutes.
  static func attempt(username: String, password: String, remembering: Bool = false, on request: Request)
    async throws -> Outcome
  {
    switch try await request.signIns.attempt(
      username: username, password: password, remembering: remembering, address: request.clientAddress)
    {
    case .refused(let message): return .failure(message)
    case .signedIn(let account, let organisations):
      guard let authenticated = AuthenticatedAccount(account, organisations: organisations) else {
        return .failure(LocalizedText(zh: "账号所属组织不存在", en: "the account's organisation no longer exists"))
      }
      return .success(authenticated)
    }
  }
}

extension Request {
  var signIns: SignIns {
    SignIns(services, remembered: application.huzhu.verifiedCredentials, throttles: application.huzhu.throttles)
  }
}

extension AuthenticatedAccount {
  /// The account with its node and scope, from every node (its scope's source).
  init?(_ account: UserAccount, organisations: [Organisation]) {
    guard let organisation = organisations.first(where: { $0.id == account.organisationID }) else { return nil }
    self.init(
      account: account, organisation: organisation, scope: .of(account, in: organisations),
      organisations: organisations)
  }
}

/// HTTP Basic for API clients (scripts, the bank interface). Browsers use the session. An
/// account with an authenticator sends its current code in ``oneTimeCodeHeader`` as well.
struct BasicAccountAuthenticator: AsyncBasicAuthenticator {
  static let oneTimeCodeHeader = "X-Huzhu-One-Time-Code"

  func authenticate(basic: BasicAuthorization, for request: Request) async throws {
    guard
      case .success(let account) = try await SignIn.attempt(
        username: basic.username, password: basic.password, remembering: true, on: request)
    else { return }
    if account.account.hasSecondFactor {
      guard let code = request.headers.first(name: Self.oneTimeCodeHeader),
        case .signedIn = try await request.signIns.secondStep(
          account.account, code: code, once: false, address: request.clientAddress)
      else { return }
    }
    request.auth.login(account)
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
    guard let live = try await request.signIns.session(id),
      let authenticated = AuthenticatedAccount(live.account, organisations: live.organisations)
    else {
      request.session.data[SessionKeys.account] = nil
      return
    }
    request.touchSession(at: now)
    request.auth.login(authenticated)
  }
}

extension Application {
  /// One round of housekeeping under the web's session policy.
  public func keepHouse(now: Date = Date()) async throws -> Upkeep.Report {
    try await Upkeep(services()).run(
      now: now, sessionIdle: SessionPolicy.idleTimeout, sessionLifetime: SessionPolicy.absoluteLifetime)
  }

  /// Queues the reminders due on the server's day (each once, by its key).
  public func remind(now: Date = Date()) async throws -> Reminding.Report {
    try await Reminding(services()).run(today: serverClock.today, now: now)
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
  // The stamps housekeeping reads to purge ended sessions.
  static let seen = Upkeep.SessionStamp.seen
  static let started = Upkeep.SessionStamp.started
  static let csrf = "csrf"
  static let expired = "expired"
  static let flash = "flash"
  static let flashError = "flashError"
  /// Between the password and the one-time code: the account, since when, and where to go.
  static let pendingAccount = "pendingAccount"
  static let pendingSince = Upkeep.SessionStamp.pendingSince
  static let pendingNext = "pendingNext"
  /// A sealed authenticator secret shown for enrolment, until its first code proves it.
  static let enrolling = "enrolling"
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
