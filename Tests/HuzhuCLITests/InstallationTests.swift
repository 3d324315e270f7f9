import FluentKit
import Foundation
import HuzhuApp
import HuzhuCLI
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import HuzhuWeb
import Testing

@Suite("Going live: huzhu init and production mode")
struct InstallationTests {
  let scratch = ScratchDirectories()
  let commands = ClaimCommandTests()

  /// The accounts and one-time passwords `huzhu init` printed.
  static func printedAccounts(_ text: String) -> [String: String] {
    var accounts: [String: String] = [:]
    for line in text.split(separator: "\n") {
      let words = line.split(separator: " ").map(String.init)
      if words.count >= 2,
        words[0].hasSuffix("admin") || words[0].hasSuffix("security") || words[0].hasSuffix("auditor")
      {
        accounts[words[0]] = words[1]
      }
    }
    return accounts
  }

  /// From an empty database: the federation and its three administrators, each holding one
  /// role, with a password printed once that signs in and must be changed; nothing else.
  /// A second run is refused and changes nothing; another federation needs --add-federation.
  @Test func initCreatesAFederationAndItsThreeAdministrators() async throws {
    let configuration = try AppConfiguration.resolve(dataDirectory: scratch.make(), environment: quietDemo)
    let printed = try await Tasks.initialise(
      configuration, federation: .init(code: "AY", name: "安阳市总工会", nameEn: "Anyang Federation of Trade Unions"),
      usernamePrefix: nil, addingFederation: false)
    let passwords = Self.printedAccounts(printed)
    #expect(Set(passwords.keys) == ["ay-admin", "ay-security", "ay-auditor"], "\(printed)")
    #expect(Set(passwords.values).count == 3)

    try await commands.withStores(configuration) { database in
      let organisations = try await FluentRegistryStore(database: database).organisations()
      #expect(organisations.map(\.code) == ["AY"])
      #expect(organisations.first?.parentID == nil)
      let accounts = try await FluentAccountStore(database: database).accounts()
      #expect(accounts.count == 3)
      let roles = Dictionary(uniqueKeysWithValues: accounts.map { ($0.username, $0.roles) })
      #expect(roles["ay-admin"] == [.systemAdministrator])
      #expect(roles["ay-security"] == [.securityAdministrator])
      #expect(roles["ay-auditor"] == [.auditAdministrator])
      for account in accounts {
        #expect(account.mustChangePassword)
        #expect(!account.passwordHash.contains(passwords[account.username] ?? "?"))
        #expect(try BcryptPasswordHasher().verify(passwords[account.username] ?? "", against: account.passwordHash))
      }
      // No demo data, no units, no schemes: a real federation starts empty.
      #expect(try await InstallationFacts.holdsDemoData(database) == false)
      #expect(try await FluentRegistryStore(database: database).counts().units == 0)
    }
    // In the audit log, and the chain verifies.
    let audit = try await Tasks.verifyAudit(configuration, anchors: [], archive: nil)
    #expect(audit.intact && audit.text.contains("checked: 4"), "\(audit.text)")

    // Again: refused, exit status 2, nothing changed.
    await #expect(throws: Installation.Refusal.alreadyInitialised) {
      _ = try await Tasks.initialise(
        configuration, federation: .init(code: "AY2", name: "另一个"), usernamePrefix: nil, addingFederation: false)
    }
    let status = await CommandEnvironment.$values.withValue(["LOG_LEVEL": "critical"]) {
      await HuzhuCommand.run(arguments: [
        "init", "--code", "XX", "--name", "某市总工会", "--data-dir", configuration.dataDirectory,
      ])
    }
    #expect(status == 2)
    // Another federation, on purpose: a new code and new usernames.
    await #expect(throws: ValidationFailure.self) {
      _ = try await Tasks.initialise(
        configuration, federation: .init(code: "ay", name: "重复"), usernamePrefix: "other-", addingFederation: true)
    }
    await #expect(throws: ValidationFailure.self) {
      _ = try await Tasks.initialise(
        configuration, federation: .init(code: "WF", name: "潍坊市总工会"), usernamePrefix: "ay-", addingFederation: true)
    }
    let second = try await Tasks.initialise(
      configuration, federation: .init(code: "WF", name: "潍坊市总工会"), usernamePrefix: nil, addingFederation: true)
    #expect(Set(Self.printedAccounts(second).keys) == ["wf-admin", "wf-security", "wf-auditor"])
    try await commands.withStores(configuration) { database in
      let organisations = try await FluentRegistryStore(database: database).organisations()
      let accounts = try await FluentAccountStore(database: database).accounts()
      #expect(organisations.count == 2 && accounts.count == 6)
    }
    // A county cannot head a federation.
    await #expect(throws: Installation.Refusal.notAFederationKind(.countyUnion)) {
      _ = try await Tasks.initialise(
        configuration, federation: .init(code: "CT", name: "某县", kind: .countyUnion), usernamePrefix: nil,
        addingFederation: true)
    }
  }

  /// Production mode refuses, at start-up and naming each setting, a configuration that would
  /// load demo data, send the session cookie over plain HTTP, or let administrators sign in
  /// without a second factor; what it accepts loads no demo data.
  @Test func productionModeNamesEverySafeguardThatIsOff() async throws {
    let refused = #expect(throws: ConfigurationError.self) {
      try AppConfiguration.resolve(
        production: true,
        environment: [
          "HUZHU_DEMO_DATA": "true", "HUZHU_TWO_FACTOR": "optional", "HUZHU_DEMO_PASSWORD": "Aa-1234567890",
        ])
    }
    // Demo data would bring the demo's fake SMS gateway, which production refuses too.
    #expect(
      refused?.problems.map(\.setting) == [.demoData, .demoPassword, .secureCookies, .secondFactor, .messageGateway])
    #expect(refused?.description.contains("HTTPS") == true)
    #expect(refused?.description.contains("Aa-1234567890") == false)
    // HUZHU_MODE says the same as --production.
    let byEnvironment = #expect(throws: ConfigurationError.self) {
      try AppConfiguration.resolve(environment: ["HUZHU_MODE": "production"])
    }
    #expect(byEnvironment?.problems.map(\.setting) == [.secureCookies])
    #expect(throws: ConfigurationError.self) { try AppConfiguration.resolve(environment: ["HUZHU_MODE": "prod"]) }

    let accepted = try AppConfiguration.resolve(
      environment: ["HUZHU_MODE": "production", "HUZHU_SECURE_COOKIES": "true"])
    #expect(accepted.isProduction)
    #expect(!accepted.loadsDemoData)
    #expect(accepted.secondFactor == .required)
    #expect(accepted.secureCookies)
    let summary = accepted.startupSummary.joined(separator: "\n")
    #expect(summary.contains("mode: production"))
    #expect(summary.contains("secure cookies (HTTPS only): on"))
    #expect(summary.contains("messages: OFF"))
    #expect(accepted.messages == .off)
    // An SMS provider: every setting it needs is named when missing, and read when given.
    let incomplete = #expect(throws: ConfigurationError.self) {
      try AppConfiguration.resolve(
        environment: [
          "HUZHU_MODE": "production", "HUZHU_SECURE_COOKIES": "true", "HUZHU_SMS": "http",
          "HUZHU_SMS_URL": "ftp://sms", "HUZHU_SMS_TEMPLATES": "portal_kode=SMS_1", "HUZHU_SMS_RATE": "0",
        ])
    }
    #expect(
      incomplete?.problems.map(\.setting) == [
        .messageURL, .messageAccount, .messageSecret, .messageSignName, .messageTemplates, .messageRate,
      ])
    let withProvider = try AppConfiguration.resolve(
      environment: [
        "HUZHU_MODE": "production", "HUZHU_SECURE_COOKIES": "true", "HUZHU_SMS": "http",
        "HUZHU_SMS_URL": "https://sms.example.cn/send", "HUZHU_SMS_ACCOUNT": "acct", "HUZHU_SMS_SECRET": "k3y",
        "HUZHU_SMS_SIGN_NAME": "某市总工会", "HUZHU_SMS_TEMPLATES": "portal_code=SMS_1001", "HUZHU_SMS_RATE": "50",
      ])
    guard case .http(let settings, let rate) = withProvider.messages else {
      Issue.record("not the HTTP gateway: \(withProvider.messages)")
      return
    }
    #expect(
      settings.url == "https://sms.example.cn/send" && settings.templates == [.portalCode: "SMS_1001"] && rate == 50)
    #expect(!withProvider.startupSummary.joined().contains("k3y"))
    #expect(throws: ConfigurationError.self) {
      try AppConfiguration.resolve(
        production: true, environment: ["HUZHU_SECURE_COOKIES": "true", "HUZHU_SMS": "fake"])
    }
    // The standard mode still starts as the README's demo.
    let demo = try AppConfiguration.resolve(environment: [:])
    #expect(!demo.isProduction && demo.loadsDemoData)
    #expect(demo.startupSummary.joined().contains("secure cookies (HTTPS only): OFF"))

    // `serve --production` with cookies over HTTP: exit status 2 before anything starts.
    let status = await CommandEnvironment.$values.withValue(["LOG_LEVEL": "critical"]) {
      await HuzhuCommand.run(arguments: ["serve", "--production", "--data-dir", scratch.make()])
    }
    #expect(status == 2)
  }
}
