import FluentKit
import HuzhuCore

/// The administrator created with the demo data; the password exists in clear only here,
/// to be printed once to the console.
public struct DemoAdministrator: Sendable {
  public let username: String
  /// Every demo account's password.
  public let password: String
  public let accounts: [DemoAccount]
}

/// A scheme to load with the demo data: its text and its parsed definition.
public struct DemoScheme: Sendable {
  public let source: String
  public let definition: SchemeDefinition

  public init(source: String, definition: SchemeDefinition) {
    self.source = source
    self.definition = definition
  }
}

public enum DemoSeeder {
  /// Writes ``DemoData/standard()``, the given schemes, the demo enrollments with their
  /// payments, and an administrator account, all in one transaction, when the registry is
  /// empty. Returns nil (and writes nothing) when it is not.
  public static func seedIfEmpty(
    database: any Database, hasher: any PasswordHasher, schemes: [DemoScheme], password: String? = nil
  ) async throws -> DemoAdministrator? {
    try await database.transaction { transaction -> DemoAdministrator? in
      let registry = FluentRegistryStore(database: transaction)
      guard try await registry.counts().organisations == 0 else { return nil }
      let data = DemoData.standard()
      for organisation in data.organisations {
        try await registry.create(organisation)
      }
      for unit in data.units {
        try await registry.create(unit)
      }
      for (worker, since) in data.workers {
        try await registry.create(worker, employedSince: since)
      }
      let home = data.organisations.first { $0.code == data.administratorOrganisationCode }!
      var compiled: [String: CompiledScheme] = [:]
      let schemeStore = FluentSchemeStore(database: transaction)
      for scheme in schemes {
        let ownerCode = data.schemeOwners[scheme.definition.scheme.code] ?? data.administratorOrganisationCode
        let owner = data.organisations.first { $0.code == ownerCode } ?? home
        let saved = try await schemeStore.save(
          scheme.definition, source: scheme.source, organisationID: owner.id, savedBy: "demo")
        compiled[saved.code] = try saved.compiled()
      }
      let unionWork = FluentUnionWorkStore(database: transaction)
      for pairing in data.pairings { try await unionWork.create(pairing) }
      for visit in data.outreach { try await unionWork.record(visit, today: visit.visitedOn) }
      let enrollments = FluentEnrollmentStore(database: transaction)
      for (order, paidOn) in data.enrollments {
        guard let scheme = compiled[order.schemeCode] else { continue }
        let plan = try await enrollments.enroll(order, scheme: scheme)
        for part in plan.bill.due {
          _ = try await enrollments.record(
            PaymentRequest(
              payer: part.payer, payerName: part.payerName, amount: part.amount, paidOn: paidOn,
              reference: "DEMO-\(plan.bill.number)-\(part.payer.rawValue)"),
            on: plan.bill.id, recordedBy: "demo", idempotencyKey: nil, scheme: scheme)
        }
      }
      // One bcrypt hash for the shared demo password: hashing it per account would add seconds
      // to the first start for nothing.
      let password = password ?? generatePassword()
      let hash = try hasher.hash(password)
      let accounts = FluentAccountStore(database: transaction)
      for account in data.accounts {
        try await accounts.create(
          UserAccount(
            username: account.username, displayName: account.displayName, organisationID: account.organisationID,
            unitID: account.unitID, roles: account.roles, passwordHash: hash))
      }
      return DemoAdministrator(username: "admin", password: password, accounts: data.accounts)
    }
  }

  /// 16 characters from an alphabet without look-alikes (no 0/O, 1/l/I), drawn until the
  /// password policy accepts them (all three classes present).
  static func generatePassword() -> String {
    let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
    var generator = SystemRandomNumberGenerator()
    while true {
      let password = String((0..<16).map { _ in alphabet.randomElement(using: &generator)! })
      if PasswordPolicy.problems(password, username: "admin").isEmpty { return password }
    }
  }
}
