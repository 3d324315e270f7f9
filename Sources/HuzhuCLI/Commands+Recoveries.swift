import ArgumentParser
import HuzhuCore
import HuzhuWeb

/// `huzhu recoveries …`: paid claims found wrong, and the money paid back.
struct RecoveriesCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "recoveries",
    abstract: "Recoveries (追回) of paid claims found wrong: one opened, money paid back recorded, the list.",
    subcommands: [RecoveriesOpen.self, RecoveriesRepay.self, RecoveriesList.self])
}

/// `huzhu recoveries open --claim LP-… --reason duplicate --note TEXT [--amount 300.00] --as USER`.
struct RecoveriesOpen: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "open", abstract: "Open the recovery of a paid claim (the whole payment unless --amount).")

  @Option(help: "The claim's number.") var claim: String
  @Option(help: "duplicate, false_documents, resettled or overpaid.") var reason: String
  @Option(help: "What was found.") var note: String
  @Option(help: "The amount due in yuan (default: all the claim paid).") var amount: String?
  @Option(name: .customLong("as"), help: "The approver or finance operator.") var operatorName: String
  @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database.") var dataDirectory: String?

  func validate() throws {
    guard Recovery.Reason(rawValue: reason) != nil else {
      throw ValidationError("--reason takes duplicate, false_documents, resettled or overpaid")
    }
    if let amount, Money(yuan: amount) == nil { throw ValidationError("--amount takes yuan, e.g. 300.00") }
  }

  func run() async throws {
    let configuration = try AppConfiguration.resolve(
      dataDirectory: dataDirectory, environment: CommandEnvironment.values)
    print(
      try await Tasks.openRecovery(
        configuration, operatorName: operatorName, claim: claim, reason: Recovery.Reason(rawValue: reason)!,
        note: note, amount: amount.flatMap { Money(yuan: $0) }))
  }
}

/// `huzhu recoveries repay ID --amount 500.00 --reference HK-001 --as USER`.
struct RecoveriesRepay: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "repay", abstract: "Record money paid back towards a recovery (once per reference).")

  @Argument(help: "The recovery's ID.") var id: String
  @Option(help: "The amount in yuan.") var amount: String
  @Option(help: "The bank's reference or the window's receipt.") var reference: String
  @Option(name: .customLong("as"), help: "The operator recording it.") var operatorName: String
  @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database.") var dataDirectory: String?

  func validate() throws {
    guard Money(yuan: amount) != nil else { throw ValidationError("--amount takes yuan, e.g. 500.00") }
  }

  func run() async throws {
    let configuration = try AppConfiguration.resolve(
      dataDirectory: dataDirectory, environment: CommandEnvironment.values)
    print(
      try await Tasks.recordRepayment(
        configuration, operatorName: operatorName, id: id, amount: Money(yuan: amount)!, reference: reference))
  }
}

/// `huzhu recoveries list [--status open] --as USER`.
struct RecoveriesList: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list", abstract: "List the recoveries of the operator's area, newest first.")

  @Option(help: "open or settled.") var status: String?
  @Option(name: .customLong("as"), help: "The operator.") var operatorName: String
  @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database.") var dataDirectory: String?

  func validate() throws {
    if let status, Recovery.Status(rawValue: status) == nil { throw ValidationError("--status takes open or settled") }
  }

  func run() async throws {
    let configuration = try AppConfiguration.resolve(
      dataDirectory: dataDirectory, environment: CommandEnvironment.values)
    print(
      try await Tasks.listRecoveries(
        configuration, operatorName: operatorName, status: status.flatMap(Recovery.Status.init)))
  }
}
