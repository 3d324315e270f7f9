import ArgumentParser
import HuzhuApp
import HuzhuCore
import HuzhuWeb

/// `huzhu corrections withdraw --certificate … --kind enrollment_void|withdrawal --reason TEXT --as USER`.
struct CorrectionsWithdraw: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "withdraw",
    abstract: "Ask for a member's cover to be withdrawn (enrolled in error, or withdrawing in time); refunds follow.")

  @Option(help: "The certificate's number.") var certificate: String
  @Option(help: "enrollment_void (enrolled in error) or withdrawal (the member withdraws).") var kind: String
  @Option(help: "Why.") var reason: String
  @Option(help: "Bank of the account refunds to the unit or a third party go to (else the unit's on file).")
  var refundBank: String?
  @Option(help: "That account's number.") var refundAccount: String?
  @Option(name: .customLong("as"), help: "The operator asking.") var operatorName: String
  @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database.") var dataDirectory: String?

  func validate() throws {
    guard Correction.Kind(rawValue: kind)?.correctsEnrollment == true else {
      throw ValidationError("--kind takes enrollment_void or withdrawal")
    }
  }

  func run() async throws {
    let configuration = try AppConfiguration.resolve(
      dataDirectory: dataDirectory, environment: CommandEnvironment.values)
    print(
      try await Tasks.requestWithdrawal(
        configuration, operatorName: operatorName, certificate: certificate, kind: Correction.Kind(rawValue: kind)!,
        reason: reason, refundBankName: refundBank, refundBankAccount: refundAccount))
  }
}

/// `huzhu refunds …`: contributions refunded when a cover was withdrawn.
struct RefundsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "refunds",
    abstract: "Refunds (退费) of contributions: the list, their bank file, a transfer recorded.",
    subcommands: [RefundsList.self, RefundsBankFile.self, RefundsPay.self])
}

/// `huzhu refunds list [--status due] --as USER`.
struct RefundsList: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list", abstract: "List the refunds of the operator's area, newest first.")

  @Option(help: "due or paid.") var status: String?
  @Option(name: .customLong("as"), help: "The operator.") var operatorName: String
  @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database.") var dataDirectory: String?

  func validate() throws {
    if let status, Refund.Status(rawValue: status) == nil { throw ValidationError("--status takes due or paid") }
  }

  func run() async throws {
    let configuration = try AppConfiguration.resolve(
      dataDirectory: dataDirectory, environment: CommandEnvironment.values)
    print(
      try await Tasks.listRefunds(
        configuration, operatorName: operatorName, status: status.flatMap(Refund.Status.init)))
  }
}

/// `huzhu refunds bank-file --out FILE [--format csv|xlsx] --as FINANCE`.
struct RefundsBankFile: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bank-file", abstract: "Write the bank file of the refunds still owed.")

  @Option(help: "Where to write it.") var out: String
  @Option(help: "csv (default) or xlsx.") var format: String = "csv"
  @Option(name: .customLong("as"), help: "The finance operator.") var operatorName: String
  @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database.") var dataDirectory: String?

  func validate() throws {
    guard Payments.BankFileFormat(rawValue: format) != nil else { throw ValidationError("--format takes csv or xlsx") }
  }

  func run() async throws {
    let configuration = try AppConfiguration.resolve(
      dataDirectory: dataDirectory, environment: CommandEnvironment.values)
    print(
      try await Tasks.refundsBankFile(
        configuration, operatorName: operatorName, format: Payments.BankFileFormat(rawValue: format)!, to: out))
  }
}

/// `huzhu refunds pay ID --reference REF --as FINANCE`.
struct RefundsPay: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pay", abstract: "Record the bank's transfer of a refund (once per refund).")

  @Argument(help: "The refund's ID.") var id: String
  @Option(help: "The bank's reference.") var reference: String
  @Option(name: .customLong("as"), help: "The finance operator.") var operatorName: String
  @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database.") var dataDirectory: String?

  func run() async throws {
    let configuration = try AppConfiguration.resolve(
      dataDirectory: dataDirectory, environment: CommandEnvironment.values)
    print(try await Tasks.payRefund(configuration, operatorName: operatorName, id: id, reference: reference))
  }
}

/// `huzhu corrections reissue --receipt SJ-… --reason TEXT --as USER`.
struct CorrectionsReissue: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "reissue", abstract: "Reissue a receipt under a new number (lost, spoilt or made out wrongly).")

  @Option(help: "The receipt in force.") var receipt: String
  @Option(help: "Why.") var reason: String
  @Option(name: .customLong("as"), help: "The operator.") var operatorName: String
  @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database.") var dataDirectory: String?

  func run() async throws {
    let configuration = try AppConfiguration.resolve(
      dataDirectory: dataDirectory, environment: CommandEnvironment.values)
    print(try await Tasks.reissueReceipt(configuration, operatorName: operatorName, receipt: receipt, reason: reason))
  }
}
