import HuzhuApp
import HuzhuCore
import HuzhuPersistence
import NIOConcurrencyHelpers
import Vapor

/// Huzhu's state on the Vapor application.
struct HuzhuState: Sendable {
  var configuration: AppConfiguration?
  var passwordHasher: any HuzhuCore.PasswordHasher = BcryptPasswordHasher()
  var isReady = false
  /// The worker portal shows its one-time codes on screen (no SMS gateway): only in a demo
  /// installation whose database the demo seeder filled.
  var showsPortalCodes = false
  /// Sends the outbox's text messages (``MessageDispatcher``); nil when no gateway is
  /// configured (`HUZHU_SMS=off`). `huzhu serve` runs its loop; a portal code is sent at once.
  var messageDispatcher: MessageDispatcher?
  /// The demo's gateway, when it is the fake one: the portal shows a phone's latest code from it.
  var fakeGateway: FakeMessageGateway?
  /// The server's day: every date the rules depend on comes from it. Tests set the day.
  var clock: ServerClock = .system
  /// HTTP Basic checks that passed lately (``VerifiedCredentials``).
  let verifiedCredentials = VerifiedCredentials()
  /// Requests, durations and the scrape-time figures (``HuzhuMetrics``).
  let metrics = HuzhuMetrics()
  /// Failed sign-ins and public look-ups counted by address (``Throttles``).
  let throttles = Throttles()
  /// The organisation tree, kept between requests (``OrganisationDirectory``).
  let organisationDirectory = OrganisationDirectory()
  /// Audit lines of requests running at once, committed together (``AuditGroupCommit``).
  let auditLog = AuditGroupCommit()
  /// Compiled schemes, kept while their latest revision is the same (``CompiledSchemes``).
  let compiledSchemes = CompiledSchemes()
  /// The last what-if's cases, kept while the scheme's replay rows are the same (``KeptReplayCases``).
  let replayCases = KeptReplayCases()
  /// The database's last answer to a health probe (``HealthProbe``).
  let healthProbe = HealthProbe()
  /// The key authenticator secrets are sealed with: set by ``bootstrap(_:)`` from the
  /// configuration; a key of the process's own until then (tests).
  var secrets = SecretBox.ephemeral()
  /// Whether administrators and finance must enrol a second factor.
  var secondFactorPolicy: SecondFactor.Policy { configuration?.secondFactor ?? .optional }

  /// The configured input limits (the defaults outside `huzhu serve`).
  var limits: InputLimits { configuration?.limits ?? .standard }

  /// Scans of claim documents, under the data directory.
  var documents: any DocumentStorage {
    FileDocumentStorage(
      directory: configuration?.documentsDirectory
        ?? URL(fileURLWithPath: AppConfiguration.defaultDataDirectory).appendingPathComponent("documents").path)
  }
}

extension Application {
  private struct HuzhuStateKey: StorageKey {
    typealias Value = NIOLockedValueBox<HuzhuState>
  }

  /// Created on first use, which is `configure(_:_:)` on the starting thread, before any
  /// request can read it.
  private var huzhuBox: NIOLockedValueBox<HuzhuState> {
    if let box = storage[HuzhuStateKey.self] { return box }
    let box = NIOLockedValueBox(HuzhuState())
    storage[HuzhuStateKey.self] = box
    return box
  }

  var huzhu: HuzhuState {
    get { huzhuBox.withLockedValue { $0 } }
    set { huzhuBox.withLockedValue { $0 = newValue } }
  }
}

extension Application {
  /// What use cases run with outside a request (the command line, background work).
  public func services(clock: ServerClock? = nil) -> AppServices {
    let state = huzhu
    let database = db
    let databases = self.databases
    return AppServices(
      database: database, documents: state.documents, clock: clock ?? state.clock,
      passwordHasher: state.passwordHasher, alongside: { databases.others(than: database) },
      limits: state.limits, secrets: state.secrets, organisationDirectory: state.organisationDirectory,
      auditLog: state.auditLog, compiledSchemes: state.compiledSchemes, replayCases: state.replayCases)
  }

  /// The dispatcher of text messages, nil without a gateway (`huzhu serve` runs its loop).
  public var messageDispatcher: MessageDispatcher? { huzhu.messageDispatcher }

  /// The demo's fake gateway, when configured (tests read what it delivered).
  public var fakeMessageGateway: FakeMessageGateway? { huzhu.fakeGateway }

  /// The clock requests read the day from (tests fix it).
  public var serverClock: ServerClock {
    get { huzhu.clock }
    set { huzhu.clock = newValue }
  }
}

extension Request {
  /// What the use cases of this request work with.
  var services: AppServices {
    let state = application.huzhu
    let database = db
    let databases = application.databases
    return AppServices(
      database: database, documents: state.documents, clock: state.clock, passwordHasher: state.passwordHasher,
      alongside: { databases.others(than: database) }, limits: state.limits, secrets: state.secrets,
      organisationDirectory: state.organisationDirectory,
      auditLog: state.auditLog, compiledSchemes: state.compiledSchemes, replayCases: state.replayCases)
  }

  /// What anyone may look up, limited by the asking address.
  var publicLookups: PublicLookups {
    PublicLookups(services, throttles: application.huzhu.throttles, address: clientAddress)
  }

  /// The signed-in operator as the use cases' actor; throws 401 when nobody is signed in.
  var actor: Actor {
    get throws {
      guard let signedIn = operatorAccount else { throw APIError.unauthorized }
      return Actor(account: signedIn.account, organisations: signedIn.organisations, address: clientAddress)
    }
  }

  /// The server's day.
  var today: CalendarDate { application.huzhu.clock.today }
}
