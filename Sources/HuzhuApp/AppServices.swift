import Dispatch
import FluentKit
import HuzhuCore
import HuzhuPersistence

/// What every use case works with besides the actor: the database, the files kept by content
/// (scans, rosters between preview and import), the server's clock, and the password hasher
/// (bcrypt in production, a cheap one in tests).
public struct AppServices: Sendable {
  public let database: any Database
  public let documents: any DocumentStorage
  public let clock: ServerClock
  public let passwordHasher: any PasswordHasher
  /// Connections on the other event loops, for reads that run statements side by side (the
  /// statistics page, the what-if); none outside a server.
  public let alongside: @Sendable () -> [any Database]
  /// How much outside input a use case takes (sheet sizes, report periods).
  public let limits: InputLimits
  /// Seals the secrets kept in the database (authenticator secrets) under the installation's key.
  public let secrets: SecretBox
  /// The organisation tree kept between requests (one per server; a fresh one keeps nothing
  /// between use cases).
  public let organisationDirectory: OrganisationDirectory
  /// Writes the audit lines of requests running at once together (one per server).
  public let auditLog: AuditGroupCommit
  /// Compiled schemes kept between claims (one per server).
  public let compiledSchemes: CompiledSchemes
  /// The last what-if's cases, kept for the next (one per server).
  public let replayCases: KeptReplayCases

  public init(
    database: any Database, documents: any DocumentStorage, clock: ServerClock = .system,
    passwordHasher: any PasswordHasher, alongside: @escaping @Sendable () -> [any Database] = { [] },
    limits: InputLimits = .standard, secrets: SecretBox = .ephemeral(),
    organisationDirectory: OrganisationDirectory = OrganisationDirectory(),
    auditLog: AuditGroupCommit = AuditGroupCommit(), compiledSchemes: CompiledSchemes = CompiledSchemes(),
    replayCases: KeptReplayCases = KeptReplayCases()
  ) {
    self.replayCases = replayCases
    self.compiledSchemes = compiledSchemes
    self.organisationDirectory = organisationDirectory
    self.auditLog = auditLog
    self.secrets = secrets
    self.limits = limits
    self.database = database
    self.documents = documents
    self.clock = clock
    self.passwordHasher = passwordHasher
    self.alongside = alongside
  }

  public var today: CalendarDate { clock.today }

  /// Runs `work` (bcrypt, deliberately slow) on a global queue rather than on the cooperative
  /// pool, whose few threads every request shares.
  func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
      DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
  }
}
