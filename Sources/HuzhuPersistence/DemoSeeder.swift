import FluentKit
import HuzhuCore

/// The administrator created with the demo data; the password exists in clear only here,
/// to be printed once to the console.
public struct DemoAdministrator: Sendable {
  public let username: String
  public let password: String
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
  public static func seedIfEmpty(database: any Database, hasher: any PasswordHasher, schemes: [DemoScheme]) async throws
    -> DemoAdministrator?
  {
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
        let saved = try await schemeStore.save(
          scheme.definition, source: scheme.source, organisationID: home.id, savedBy: "demo")
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
      let password = generatePassword()
      try await FluentAccountStore(database: transaction).create(
        UserAccount(
          username: "admin", displayName: "系统管理员", organisationID: home.id, roles: [.systemAdministrator],
          passwordHash: try hasher.hash(password)))
      return DemoAdministrator(username: "admin", password: password)
    }
  }

  /// 16 characters from an alphabet without look-alikes (no 0/O, 1/l/I).
  static func generatePassword() -> String {
    let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
    var generator = SystemRandomNumberGenerator()
    return String((0..<16).map { _ in alphabet.randomElement(using: &generator)! })
  }
}
