import Foundation
import HuzhuCore
import HuzhuPersistence

/// Setting up a real installation: a federation's top node and its three administrators
/// (system, security, audit: MLPS level 3 keeps the three apart). The web never gives an
/// administrator role, so this, run from the command line by whoever installs Huzhu, is the
/// only way in for a federation that is not the demonstration.
public struct Installation: UseCase {
  let services: AppServices
  let actor: Actor

  public init(_ services: AppServices) {
    self.services = services
    self.actor = .system("huzhu-init")
  }

  /// The federation to create: the top of its tree.
  public struct Federation: Sendable {
    public var code: String
    public var name: String
    public var nameEn: String?
    public var kind: OrganisationKind

    public init(code: String, name: String, nameEn: String? = nil, kind: OrganisationKind = .cityFederation) {
      self.code = code
      self.name = name
      self.nameEn = nameEn
      self.kind = kind
    }
  }

  /// An administrator account with the password it was given, to be printed once: only its
  /// bcrypt hash is stored, and its holder must choose their own at the first sign-in.
  public struct InitialAccount: Sendable {
    public let username: String
    public let role: Role
    public let password: String
  }

  public struct Report: Sendable {
    public let federation: Organisation
    public let accounts: [InitialAccount]
  }

  public enum Refusal: Error, Equatable {
    /// The database has organisations or accounts already (a second federation needs
    /// `addingFederation`).
    case alreadyInitialised
    /// A top node needs a kind that heads a federation.
    case notAFederationKind(OrganisationKind)

    public var message: LocalizedText {
      switch self {
      case .alreadyInitialised:
        LocalizedText(
          zh: "数据库中已有组织或账号，未做任何更改。如需在本系统中再建一个总工会，请加 --add-federation。",
          en: "the database already has organisations or accounts; nothing was changed. "
            + "To set up another federation on this installation, add --add-federation.")
      case .notAFederationKind(let kind):
        LocalizedText(
          zh: "“\(kind.label.zh)”不能作为顶级组织，应为市总工会或省办事处",
          en: "a \(kind.label.en) cannot head a federation: use a city federation or a provincial office")
      }
    }
  }

  /// The roles the three accounts hold, with the name each username ends in.
  static let administrators: [(role: Role, suffix: String)] = [
    (.systemAdministrator, "admin"), (.securityAdministrator, "security"), (.auditAdministrator, "auditor"),
  ]

  /// The prefix usernames get by default: the code in lower case and a hyphen (`AY` → `ay-admin`).
  public static func defaultUsernamePrefix(for code: String) -> String { code.lowercased() + "-" }

  /// Whether nobody could sign in: no organisation or no account at all.
  public func isEmpty() async throws -> Bool {
    guard try await FluentRegistryStore(database: services.database).counts().organisations > 0 else { return true }
    return try await FluentAccountStore(database: services.database).accounts().isEmpty
  }

  /// Creates `federation` and its three administrators in one transaction, refusing when the
  /// database already has organisations or accounts unless `addingFederation` (then only the
  /// federation's code and the usernames must be new).
  public func initialise(_ federation: Federation, usernamePrefix: String? = nil, addingFederation: Bool = false)
    async throws -> Report
  {
    guard [.cityFederation, .provincialOffice].contains(federation.kind) else {
      throw Refusal.notAFederationKind(federation.kind)
    }
    let prefix = usernamePrefix ?? Self.defaultUsernamePrefix(for: federation.code)
    let top = Organisation(
      parentID: nil, kind: federation.kind, code: federation.code.trimmingCharacters(in: .whitespaces),
      name: federation.name.trimmingCharacters(in: .whitespaces), nameEn: federation.nameEn)
    let hasher = services.passwordHasher
    let planned = Self.administrators.map {
      (role: $0.role, username: prefix + $0.suffix, password: PasswordPolicy.generate())
    }
    let accounts = try await services.offThePool {
      try planned.map { plan in
        UserAccount(
          username: plan.username, displayName: plan.role.label.zh, organisationID: top.id, roles: [plan.role],
          passwordHash: try hasher.hash(plan.password), mustChangePassword: true)
      }
    }
    var errors = accounts.flatMap { account in
      account.validate().map { FieldError(field: "usernamePrefix", code: $0.code, message: $0.message) }
    }
    if let first = errors.first { errors = [first] }
    guard errors.isEmpty else { throw ValidationFailure(errors) }

    try await services.database.writeTransaction { transaction in
      let registry = FluentRegistryStore(database: transaction)
      let accountStore = FluentAccountStore(database: transaction)
      if !addingFederation {
        let existingAccounts = try await accountStore.accounts()
        guard try await registry.counts().organisations == 0, existingAccounts.isEmpty else {
          throw Refusal.alreadyInitialised
        }
      }
      try await registry.create(top)
      for account in accounts {
        if try await accountStore.account(username: account.username) != nil {
          throw ValidationFailure([
            FieldError(
              field: "usernamePrefix", code: "duplicate_username",
              message: LocalizedText(
                zh: "用户名“\(account.username)”已被使用，请换一个前缀（--admin-prefix）",
                en: "the username \"\(account.username)\" is taken: choose another prefix (--admin-prefix)"))
          ])
        }
        try await accountStore.create(account)
      }
      let now = Date()
      try await FluentAuditStore(database: transaction).record(
        [
          AuditEvent(
            at: now, kind: .dataChange, actor: actor.name, organisationID: top.id, subject: "organisation:\(top.code)",
            detail: "created: \(top.kind.rawValue) \(top.name)", address: nil)
        ]
          + accounts.map {
            AuditEvent(
              at: now, kind: .accountChange, actor: actor.name, organisationID: top.id,
              subject: "account:\($0.username)",
              detail: "created: " + $0.roles.sorted().map(\.rawValue).joined(separator: ","), address: nil)
          })
    }
    return Report(
      federation: top,
      accounts: planned.map { InitialAccount(username: $0.username, role: $0.role, password: $0.password) })
  }
}
