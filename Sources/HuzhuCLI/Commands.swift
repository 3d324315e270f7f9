import ArgumentParser
import Foundation
import HuzhuApp
import HuzhuCore
import HuzhuPersistence
import HuzhuWeb

// The commands only parse; the work is in `Tasks`, which tests call directly.

/// `huzhu serve`: migrate, load demo data into an empty database, and serve HTTP until
/// SIGINT or SIGTERM, then shut down gracefully.
struct Serve: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Run the web application and JSON API.")

  @Option(help: "Address to listen on (default 127.0.0.1).") var hostname: String?
  @Option(help: "Port to listen on (default 8080).") var port: Int?
  @Option(
    name: .customLong("data-dir"),
    help: "Directory for the SQLite database and uploaded documents (default ./huzhu-data).")
  var dataDirectory: String?
  @Flag(help: "Production mode (also HUZHU_MODE=production): no demo data, HTTPS-only cookies, two-factor required.")
  var production = false

  func run() async throws {
    let configuration = try AppConfiguration.resolve(
      hostname: hostname, port: port, dataDirectory: dataDirectory, production: production,
      environment: CommandEnvironment.values)
    try await Tasks.serve(configuration)
  }
}

/// `huzhu init --code AY --name 安阳市总工会`: a federation and its three administrators.
struct Initialise: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "init",
    abstract:
      "Set up a real installation: create a federation's top node and its system, security and audit administrators, with one-time passwords printed once.",
    discussion: """
      Refuses a database that already has organisations or accounts, unless --add-federation (a further
      federation on the same installation). Units and the rest of the tree come next, from the pages or an import.
      """)

  @Option(help: "The federation's code, e.g. AY (letters, digits, hyphens).") var code: String
  @Option(help: "Its official name, e.g. 安阳市总工会.") var name: String
  @Option(name: .customLong("name-en"), help: "Its English name.") var nameEn: String?
  @Option(help: "city_federation (default) or provincial_office.") var kind: String = OrganisationKind.cityFederation
    .rawValue
  @Option(name: .customLong("admin-prefix"), help: "Usernames start with this (default: the code in lower case and -).")
  var adminPrefix: String?
  @Flag(name: .customLong("add-federation"), help: "The database has a federation already; add another.")
  var addFederation = false
  @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database.") var dataDirectory: String?
  @Flag(help: "Check the configuration as production mode would.") var production = false

  func validate() throws {
    guard OrganisationKind(rawValue: kind) != nil else {
      throw ValidationError("--kind takes city_federation or provincial_office")
    }
  }

  func run() async throws {
    let configuration = try AppConfiguration.resolve(
      dataDirectory: dataDirectory, production: production, environment: CommandEnvironment.values)
    print(
      try await Tasks.initialise(
        configuration,
        federation: .init(code: code, name: name, nameEn: nameEn, kind: OrganisationKind(rawValue: kind)!),
        usernamePrefix: adminPrefix, addingFederation: addFederation))
  }
}

/// `huzhu migrate`: bring the schema up to date (the server also does this at start).
struct Migrate: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Apply pending database migrations.")

  @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database.") var dataDirectory: String?
  @Flag(help: "Revert every migration instead (drops all data). Needs --yes.") var revertAll = false
  @Flag(help: "Confirm a destructive operation.") var yes = false

  func validate() throws {
    if revertAll && !yes { throw ValidationError("--revert-all drops every table; add --yes to confirm") }
  }

  func run() async throws {
    let configuration = try AppConfiguration.resolve(
      dataDirectory: dataDirectory, environment: CommandEnvironment.values)
    print(try await Tasks.migrate(configuration, revertAll: revertAll))
  }
}

/// `huzhu seed-demo [--scale province]`: load the demonstration data set into an empty
/// database, or a generated province for measuring at scale.
struct SeedDemo: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "seed-demo",
    abstract:
      "Load the demo organisations, units, workers, accounts and the history behind the articles' figures; with --scale province, a generated province instead of the history."
  )

  enum Scale: String, ExpressibleByArgument, CaseIterable {
    case demo, province
  }

  @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database.") var dataDirectory: String?
  @Option(help: "demo (the articles' figures) or province (2 million members, 20,000 units, 300,000 claims a year).")
  var scale: Scale = .demo
  @Option(help: "With --scale province: members.") var members = ProvinceScale.province.members
  @Option(help: "With --scale province: units.") var units = ProvinceScale.province.units
  @Option(help: "With --scale province: claims a year (two years are generated).") var claims =
    ProvinceScale.province.claimsPerYear

  func run() async throws {
    let configuration = try AppConfiguration.resolve(
      dataDirectory: dataDirectory, environment: CommandEnvironment.values)
    switch scale {
    case .demo: print(try await Tasks.seedDemo(configuration))
    case .province:
      print(
        try await Tasks.seedProvince(
          configuration, scale: ProvinceScale(members: members, units: units, claimsPerYear: claims)))
    }
  }
}

/// `huzhu calc`: the explanation of benefit for one case under a scheme file.
struct Calc: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Calculate a claim case under a scheme definition and explain it step by step.",
    discussion: "Example: huzhu calc --scheme schemes/anyang.yaml --case schemes/cases/anyang-3000.json")

  @Option(help: "Scheme definition file (YAML or JSON; see docs/schemes.md).") var scheme: String
  @Option(name: .customLong("case"), help: "Claim case file (JSON or YAML).") var casePath: String
  @Flag(help: "Print JSON instead of a table; the total is a decimal string in yuan.") var json = false
  @Option(help: "Language of the table: zh or en.") var lang: String = "zh"

  func validate() throws {
    guard ["zh", "en"].contains(lang) else { throw ValidationError("--lang takes zh or en") }
  }

  func run() async throws {
    print(try Tasks.calculate(schemePath: scheme, casePath: casePath, json: json, language: lang == "en" ? .en : .zh))
  }
}

/// `huzhu import …`: bring data in from files.
struct Import: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Import data from spreadsheets.",
    subcommands: [
      ImportRoster.self, ImportOrganisations.self, ImportUnits.self, ImportCover.self, ImportPaidClaims.self,
      ImportSettlements.self, RosterTemplate.self,
    ])
}

/// `huzhu import roster FILE --unit CODE`: a unit's roster (花名册) from XLSX or CSV.
struct ImportRoster: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "roster",
    abstract: "Import a unit's roster (XLSX or CSV, UTF-8 or GBK): every row checked, then all rows or none.")

  @Argument(help: "The roster file.") var file: String
  @Option(help: "The unit: its unified social credit code or its id.") var unit: String
  @Flag(help: "Check the roster and report, but write nothing.") var dryRun = false
  @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database.") var dataDirectory: String?

  func run() async throws {
    let configuration = try AppConfiguration.resolve(
      dataDirectory: dataDirectory, environment: CommandEnvironment.values)
    let report = try await Tasks.importRoster(
      configuration, file: file, unit: unit, dryRun: dryRun, progress: { Console.error($0) })
    print(report.text)
    if !report.succeeded { throw ExitCode(2) }
  }
}

/// `huzhu import organisations|units FILE --as USER`: the tree or the units, as an operator.
protocol RegistryImportCommand: AsyncParsableCommand {
  static var sheet: RegistryImports.Kind { get }
  var file: String { get }
  var operatorName: String { get }
  var dryRun: Bool { get }
  var dataDirectory: String? { get }
}

extension RegistryImportCommand {
  func run() async throws {
    let configuration = try AppConfiguration.resolve(
      dataDirectory: dataDirectory, environment: CommandEnvironment.values)
    let report = try await Tasks.importRegistry(
      configuration, sheet: Self.sheet, file: file, operatorName: operatorName, dryRun: dryRun)
    print(report.text)
    if !report.succeeded { throw ExitCode(2) }
  }
}

/// `huzhu import organisations FILE --as ADMIN`: the nodes under the federation.
struct ImportOrganisations: RegistryImportCommand {
  static let sheet = RegistryImports.Kind.organisations
  static let configuration = CommandConfiguration(
    commandName: "organisations",
    abstract:
      "Import the organisation tree (code, parent code, kind, name) as the system administrator: every row checked, then all or none."
  )

  @Argument(help: "The sheet (XLSX or CSV, UTF-8 or GBK); `huzhu import template --kind organisations` writes one.")
  var file: String
  @Option(name: .customLong("as"), help: "The system administrator importing it.") var operatorName: String
  @Flag(help: "Check the sheet and report, but write nothing.") var dryRun = false
  @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database.") var dataDirectory: String?
}

/// `huzhu import units FILE --as CLERK`: units with their details and headcounts.
struct ImportUnits: RegistryImportCommand {
  static let sheet = RegistryImports.Kind.units
  static let configuration = CommandConfiguration(
    commandName: "units",
    abstract:
      "Import units (organisation code, name, credit code, sector, address, contact, bank, headcounts) as a window clerk: new units created, known ones updated, all or none."
  )

  @Argument(help: "The sheet (XLSX or CSV, UTF-8 or GBK); `huzhu import template --kind units` writes one.")
  var file: String
  @Option(name: .customLong("as"), help: "The window clerk (or unit officer) importing it.") var operatorName: String
  @Flag(help: "Check the sheet and report, but write nothing.") var dryRun = false
  @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database.") var dataDirectory: String?
}

/// `huzhu import cover|paid-claims FILE --scheme S --as USER`: the old system's records.
protocol TakeOverCommand: AsyncParsableCommand {
  static var sheet: Tasks.TakeOverSheet { get }
  var file: String { get }
  var scheme: String { get }
  var operatorName: String { get }
  var dryRun: Bool { get }
  var dataDirectory: String? { get }
}

extension TakeOverCommand {
  func run() async throws {
    let configuration = try AppConfiguration.resolve(
      dataDirectory: dataDirectory, environment: CommandEnvironment.values)
    let report = try await Tasks.takeOver(
      configuration, sheet: Self.sheet, file: file, scheme: scheme, operatorName: operatorName, dryRun: dryRun)
    print(report.text)
    if !report.succeeded { throw ExitCode(2) }
  }
}

/// `huzhu import cover FILE --scheme S --as CLERK`: last period's and this period's members.
struct ImportCover: TakeOverCommand {
  static let sheet = Tasks.TakeOverSheet.cover
  static let configuration = CommandConfiguration(
    commandName: "cover",
    abstract:
      "Take over members' cover from the old records (unit, ID number, name, product, period start…): all rows or none; renewals then keep continuity."
  )

  @Argument(help: "The sheet (XLSX or CSV, UTF-8 or GBK); `huzhu import template --kind cover` writes one.")
  var file: String
  @Option(help: "The scheme's code.") var scheme: String
  @Option(name: .customLong("as"), help: "The window clerk taking it over.") var operatorName: String
  @Flag(help: "Check the sheet and report, but write nothing.") var dryRun = false
  @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database.") var dataDirectory: String?
}

/// `huzhu import paid-claims FILE --scheme S --as FINANCE`: the current period's paid claims.
struct ImportPaidClaims: TakeOverCommand {
  static let sheet = Tasks.TakeOverSheet.paidClaims
  static let configuration = CommandConfiguration(
    commandName: "paid-claims",
    abstract:
      "Take over the current period's paid claims from the old records into the cap ledger (caps and paid counts hold): all rows or none."
  )

  @Argument(help: "The sheet (XLSX or CSV, UTF-8 or GBK); `huzhu import template --kind paid-claims` writes one.")
  var file: String
  @Option(help: "The scheme's code.") var scheme: String
  @Option(name: .customLong("as"), help: "The finance operator taking it over.") var operatorName: String
  @Flag(help: "Check the sheet and report, but write nothing.") var dryRun = false
  @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database.") var dataDirectory: String?
}

/// `huzhu import template [--kind roster|organisations|units|cover|paid-claims] OUT.xlsx`: a sheet to fill in.
struct RosterTemplate: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "template", abstract: "Write a template to fill in (XLSX): the roster, the organisation tree or units."
  )

  enum Kind: String, ExpressibleByArgument, CaseIterable {
    case roster, organisations, units, cover
    case paidClaims = "paid-claims"
  }

  @Option(help: "roster (default), organisations, units, cover or paid-claims.") var kind: Kind = .roster
  @Argument(help: "Where to write the template.") var output: String?

  func run() throws {
    let path: String
    switch kind {
    case .roster:
      path = output ?? "花名册模板.xlsx"
      try Tasks.writeRosterTemplate(to: path)
    case .organisations:
      path = output ?? "组织架构模板.xlsx"
      try RegistryImports.organisationTemplate().write(to: URL(fileURLWithPath: path))
    case .units:
      path = output ?? "单位名册模板.xlsx"
      try RegistryImports.unitTemplate().write(to: URL(fileURLWithPath: path))
    case .cover:
      path = output ?? "在保人员迁移模板.xlsx"
      try TakeOvers.coverTemplate().write(to: URL(fileURLWithPath: path))
    case .paidClaims:
      path = output ?? "本期已给付迁移模板.xlsx"
      try TakeOvers.paidClaimTemplate().write(to: URL(fileURLWithPath: path))
    }
    print("已写入模板 / template written: \(path)")
  }
}

/// `huzhu claims …`: batch operations on claims.
struct Claims: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Claims: the work queue, payment batches and the bank's returns.",
    subcommands: [ClaimsQueue.self, ClaimsBatch.self, ClaimsReturn.self])
}

/// `huzhu claims queue [--scheme S] [--filter overdue]`.
struct ClaimsQueue: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "queue", abstract: "List the claims whose clock runs, soonest due first.")

  @Option(help: "Only this scheme.") var scheme: String?
  @Option(help: "open, overdue, due-today or expedited.") var filter: String = "open"
  @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database.") var dataDirectory: String?

  func validate() throws {
    guard Tasks.QueueFilter(rawValue: filter) != nil else {
      throw ValidationError("--filter takes open, overdue, due-today or expedited")
    }
  }

  func run() async throws {
    let configuration = try AppConfiguration.resolve(
      dataDirectory: dataDirectory, environment: CommandEnvironment.values)
    print(try await Tasks.claimQueue(configuration, scheme: scheme, filter: Tasks.QueueFilter(rawValue: filter)!))
  }
}

/// `huzhu claims batch --scheme S --operator U [--out bank.xlsx]`.
struct ClaimsBatch: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "batch",
    abstract: "Put every approved claim of a scheme into a payment batch and write the bank transfer file.")

  @Option(help: "The scheme's code.") var scheme: String
  @Option(name: .customLong("operator"), help: "The operator account the batch is made by.") var operatorName: String
  @Option(help: "Where to write the bank file (.csv or .xlsx).") var out: String?
  @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database.") var dataDirectory: String?

  func run() async throws {
    let configuration = try AppConfiguration.resolve(
      dataDirectory: dataDirectory, environment: CommandEnvironment.values)
    let report = try await Tasks.createPaymentBatch(
      configuration, scheme: scheme, operatorName: operatorName, output: out)
    print(report.text)
    if report.batch == nil { throw ExitCode(1) }
  }
}

/// `huzhu claims return --batch ZF-… --claim LP-… --reason 账户已销户 --operator U`.
struct ClaimsReturn: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "return",
    abstract:
      "Record that the bank sent a paid transfer back (退汇): the fund is credited, the claim waits for the next batch.")

  @Option(help: "The payment batch's number.") var batch: String
  @Option(help: "The claim's number.") var claim: String
  @Option(help: "The bank's reason.") var reason: String
  @Option(name: .customLong("operator"), help: "The finance account recording it.") var operatorName: String
  @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database.") var dataDirectory: String?

  func run() async throws {
    let configuration = try AppConfiguration.resolve(
      dataDirectory: dataDirectory, environment: CommandEnvironment.values)
    print(
      try await Tasks.returnPayment(
        configuration, batch: batch, claim: claim, reason: reason, operatorName: operatorName))
  }
}

/// `huzhu simulate --scheme anyang --period 2019-10-16..2020-11-30 --product anyang-hospital
/// --version 2019 --set anyang-hospital-topup.band.0.rate=40%`, or `--scheme draft.yaml`.
struct Simulate: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "What changed rules would have paid for a period's claims, and the fund after it (writes nothing).")

  @Option(help: "A stored scheme's code, or a draft scheme file (YAML) replacing the stored one of its code.")
  var scheme: String
  @Option(help: "The claims paid in FROM..TO (dates as 2020-11-30).") var period: String
  @Option(name: .customLong("org"), help: "Only this organisation node (its code) and everything under it.")
  var organisation: String?
  @Option(help: "The product whose rule version --set changes.") var product: String?
  @Option(help: "The rule version --set changes (e.g. 2019).") var version: String?
  @Option(name: .customLong("set"), help: "KEY=VALUE, e.g. anyang-hospital-topup.band.0.rate=40% (repeatable).")
  var changes: [String] = []
  @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database.") var dataDirectory: String?

  static func parsePeriod(_ text: String) -> ReportPeriod? {
    let parts = text.components(separatedBy: "..")
    guard parts.count == 2, let from = CalendarDate(parts[0]), let to = CalendarDate(parts[1]) else { return nil }
    return ReportPeriod(from: from, to: to)
  }

  func validate() throws {
    guard Self.parsePeriod(period) != nil else {
      throw ValidationError("--period takes FROM..TO, e.g. 2019-10-16..2020-11-30")
    }
    for change in changes where !change.contains("=") {
      throw ValidationError("--set takes KEY=VALUE, e.g. anyang-hospital-topup.band.0.rate=40%")
    }
  }

  func run() async throws {
    let configuration = try AppConfiguration.resolve(
      dataDirectory: dataDirectory, environment: CommandEnvironment.values)
    var values: [String: String] = [:]
    for change in changes {
      let parts = change.split(separator: "=", maxSplits: 1).map(String.init)
      values[parts[0]] = parts.count > 1 ? parts[1] : ""
    }
    print(
      try await Tasks.simulate(
        configuration, scheme: scheme, period: Self.parsePeriod(period)!, organisation: organisation, product: product,
        version: version, changes: values))
  }
}

/// `huzhu audit verify|prune`: the audit log's hash chain.
struct Audit: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "The audit log: verify its hash chain, archive entries past the retention period.",
    subcommands: [AuditVerify.self, AuditPrune.self])
}

/// `huzhu audit verify [--anchor SEQ:HASH]… [--archive FILE]`: exits 1 when the chain is damaged.
struct AuditVerify: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify",
    abstract: "Check that no audit entry was removed or altered; prints the head to keep as an anchor.")

  @Option(
    name: .customLong("anchor"),
    help: "A head printed by an earlier verify (SEQUENCE:HASH) that must still be in the chain; repeatable.")
  var anchors: [String] = []
  @Option(help: "Verify an archive written by `audit prune` instead of the database.") var archive: String?
  @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database.") var dataDirectory: String?

  func validate() throws {
    for anchor in anchors where AuditChain.Head(anchor) == nil {
      throw ValidationError("--anchor takes SEQUENCE:HASH as verify printed it, not \(anchor)")
    }
  }

  func run() async throws {
    let configuration = try AppConfiguration.resolve(
      dataDirectory: dataDirectory, environment: CommandEnvironment.values)
    let report = try await Tasks.verifyAudit(
      configuration, anchors: anchors.compactMap(AuditChain.Head.init), archive: archive)
    print(report.text)
    if !report.intact { throw ExitCode.failure }
  }
}

/// `huzhu audit prune --as AUDITOR --archive FILE`.
struct AuditPrune: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "prune",
    abstract:
      "Archive the audit entries older than HUZHU_AUDIT_RETENTION_DAYS (default 1095, at least 183) to a file, then remove them."
  )

  @Option(name: .customLong("as"), help: "The audit administrator doing it.") var operatorName: String
  @Option(help: "The archive to write (JSON lines; never overwritten).") var archive: String
  @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database.") var dataDirectory: String?

  func run() async throws {
    let configuration = try AppConfiguration.resolve(
      dataDirectory: dataDirectory, environment: CommandEnvironment.values)
    print(try await Tasks.pruneAudit(configuration, operatorName: operatorName, archive: archive))
  }
}

/// `huzhu backup --out FILE`: the database and the stored files, while the server runs.
struct BackUp: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "backup",
    abstract:
      "Write a consistent backup (database, scans, manifest with checksums) to one file, while the server runs.",
    discussion: """
      SQLite: the database is copied with VACUUM INTO. PostgreSQL: pg_dump (custom format) from an exported
      snapshot; the tools come from the PATH or HUZHU_PG_TOOLS. The secrets key is not included: keep it apart.
      """)

  @Option(help: "The backup file to write (never overwritten), e.g. huzhu-2026-12-04.zip.") var out: String
  @Option(name: .customLong("data-dir"), help: "The data directory (database and documents).") var dataDirectory:
    String?

  func run() async throws {
    let configuration = try AppConfiguration.resolve(
      dataDirectory: dataDirectory, environment: CommandEnvironment.values)
    print(try await Tasks.backUp(configuration, to: out))
  }
}

/// `huzhu restore FILE`: into an empty database and data directory.
struct Restore: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Restore a backup into an empty database and data directory, checking every checksum and count first.")

  @Argument(help: "The backup file.") var file: String
  @Option(name: .customLong("data-dir"), help: "The data directory to restore into.") var dataDirectory: String?

  func run() async throws {
    let configuration = try AppConfiguration.resolve(
      dataDirectory: dataDirectory, environment: CommandEnvironment.values)
    print(try await Tasks.restore(configuration, from: file))
  }
}

/// `huzhu corrections …`: money recorded in error, corrected with four eyes.
struct CorrectionsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "corrections",
    abstract:
      "Corrections of money: a payment's void or a cover's withdrawal asked for, approved or refused by a second person, listed.",
    subcommands: [
      CorrectionsVoid.self, CorrectionsWithdraw.self, CorrectionsReissue.self, CorrectionsDecide.self,
      CorrectionsList.self,
    ])
}

/// `huzhu corrections void --receipt SJ-… --reason TEXT --as USER`.
struct CorrectionsVoid: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "void", abstract: "Ask for the void of a payment recorded in error (a second person approves it).")

  @Option(help: "The payment's receipt number.") var receipt: String
  @Option(help: "Why it is void.") var reason: String
  @Option(name: .customLong("as"), help: "The operator asking.") var operatorName: String
  @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database.") var dataDirectory: String?

  func run() async throws {
    let configuration = try AppConfiguration.resolve(
      dataDirectory: dataDirectory, environment: CommandEnvironment.values)
    print(try await Tasks.requestVoid(configuration, operatorName: operatorName, receipt: receipt, reason: reason))
  }
}

/// `huzhu corrections decide ID --approve|--refuse [--note TEXT] --as FINANCE`.
struct CorrectionsDecide: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "decide", abstract: "Approve (carry out) or refuse a correction someone else asked for.")

  @Argument(help: "The correction's ID.") var id: String
  @Flag(help: "Approve it.") var approve = false
  @Flag(help: "Refuse it (give --note).") var refuse = false
  @Option(help: "The decision's note (required to refuse).") var note: String?
  @Option(name: .customLong("as"), help: "The finance operator deciding.") var operatorName: String
  @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database.") var dataDirectory: String?

  func validate() throws {
    guard approve != refuse else { throw ValidationError("give one of --approve and --refuse") }
  }

  func run() async throws {
    let configuration = try AppConfiguration.resolve(
      dataDirectory: dataDirectory, environment: CommandEnvironment.values)
    print(
      try await Tasks.decideCorrection(
        configuration, operatorName: operatorName, id: id, approve: approve, note: note))
  }
}

/// `huzhu corrections list [--status requested] --as USER`.
struct CorrectionsList: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list", abstract: "List the corrections of the operator's area, newest first.")

  @Option(help: "requested, applied or refused.") var status: String?
  @Option(name: .customLong("as"), help: "The operator.") var operatorName: String
  @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database.") var dataDirectory: String?

  func validate() throws {
    if let status, Correction.Status(rawValue: status) == nil {
      throw ValidationError("--status takes requested, applied or refused")
    }
  }

  func run() async throws {
    let configuration = try AppConfiguration.resolve(
      dataDirectory: dataDirectory, environment: CommandEnvironment.values)
    print(
      try await Tasks.listCorrections(
        configuration, operatorName: operatorName, status: status.flatMap(Correction.Status.init)))
  }
}

/// `huzhu fund …`: the ledger's own entries, as finance.
struct Fund: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "The fund ledger: the opening balance taken over, a period's close.",
    subcommands: [FundOpening.self, FundClose.self])
}

/// `huzhu fund opening --scheme S --product P --version V --amount 1234.56 --reference R --as FINANCE`.
struct FundOpening: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "opening",
    abstract: "Post a product's opening balance in a period (once; dated today), with its voucher reference.")

  @Option(help: "The scheme's code.") var scheme: String
  @Option(help: "The product's code.") var product: String
  @Option(help: "The rule version (the fund's period), e.g. 2026.") var version: String
  @Option(help: "The balance in yuan, e.g. 1234567.89.") var amount: String
  @Option(help: "The accounting voucher or audit report it comes from.") var reference: String
  @Option(name: .customLong("as"), help: "The finance operator posting it.") var operatorName: String
  @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database.") var dataDirectory: String?

  func run() async throws {
    let configuration = try AppConfiguration.resolve(
      dataDirectory: dataDirectory, environment: CommandEnvironment.values)
    print(
      try await Tasks.postOpeningBalance(
        configuration, operatorName: operatorName, scheme: scheme, product: product, version: version,
        amount: amount, reference: reference))
  }
}

/// `huzhu fund close --scheme S --version V --reference R --as FINANCE [--dry-run]`.
struct FundClose: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "close",
    abstract:
      "Close a fund period (rule version): its balance carried to each product's next version, no entry into it after."
  )

  @Option(help: "The scheme's code.") var scheme: String
  @Option(help: "The rule version (the fund's period) to close.") var version: String
  @Option(help: "The accounting reference of the close.") var reference: String
  @Option(name: .customLong("as"), help: "The finance operator closing it.") var operatorName: String
  @Flag(help: "Check and show what would be carried forward, but write nothing.") var dryRun = false
  @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database.") var dataDirectory: String?

  func run() async throws {
    let configuration = try AppConfiguration.resolve(
      dataDirectory: dataDirectory, environment: CommandEnvironment.values)
    print(
      try await Tasks.closeFundPeriod(
        configuration, operatorName: operatorName, scheme: scheme, version: version, reference: reference,
        dryRun: dryRun))
  }
}

/// `huzhu renew --scheme S --product P --period-start D --under CODE --as CLERK [--dry-run]`.
struct Renew: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Year-end renewal: every unit under a node carries its members of a product into the next period (one bill each)."
  )

  @Option(help: "The scheme's code.") var scheme: String
  @Option(help: "The product's code.") var product: String
  @Option(name: .customLong("period-start"), help: "The first day of the period being renewed, e.g. 2025-01-01.")
  var periodStart: String
  @Option(help: "The organisation node (its code) whose units renew, at any depth.") var under: String
  @Option(name: .customLong("as"), help: "The window clerk renewing them.") var operatorName: String
  @Flag(help: "Show what each unit's renewal would do, but write nothing.") var dryRun = false
  @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database.") var dataDirectory: String?

  func run() async throws {
    let configuration = try AppConfiguration.resolve(
      dataDirectory: dataDirectory, environment: CommandEnvironment.values)
    let report = try await Tasks.renewUnits(
      configuration, operatorName: operatorName, scheme: scheme, product: product, periodStart: periodStart,
      under: under, dryRun: dryRun)
    print(report.text)
    if !report.succeeded { throw ExitCode(2) }
  }
}

/// `huzhu import settlements FILE --source CODE --as USER`: one-stop claims from a bureau's file.
struct ImportSettlements: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "settlements",
    abstract:
      "Import medical-insurance settlements (XLSX, CSV in UTF-8 or GBK, JSON lines) as claims: each record matched to a member and cover; sending a file again changes nothing."
  )

  @Argument(help: "The bureau's or hospital's file.") var file: String
  @Option(help: "The settlement source's code (its column mapping and scheme).") var source: String
  @Option(name: .customLong("as"), help: "The window clerk importing it.") var operatorName: String
  @Flag(help: "Decide everything and report, but write nothing.") var dryRun = false
  @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database.") var dataDirectory: String?

  func run() async throws {
    let configuration = try AppConfiguration.resolve(
      dataDirectory: dataDirectory, environment: CommandEnvironment.values)
    let report = try await Tasks.importSettlements(
      configuration, file: file, source: source, operatorName: operatorName, dryRun: dryRun)
    print(report.text)
    if !report.succeeded { throw ExitCode(2) }
  }
}

/// `huzhu settlements source …`: where settlement records come from.
struct SettlementsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "settlements", abstract: "One-stop claims: settlement sources.",
    subcommands: [SettlementSourceCommand.self])
}

/// `huzhu settlements source --code C --name N --scheme S [--layout FILE] --as USER`.
struct SettlementSourceCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "source",
    abstract:
      "Add a settlement source: a bureau's or hospital's export feeding a scheme, with its column mapping (JSON)."
  )

  @Option(help: "The source's code (letters, digits, hyphens).") var code: String
  @Option(help: "Its name, e.g. 安阳市医疗保障局.") var name: String
  @Option(help: "The scheme its claims go to.") var scheme: String
  @Option(help: "A JSON column mapping (docs/settlements.md); the built-in headers when absent.") var layout: String?
  @Option(name: .customLong("as"), help: "The scheme administrator adding it.") var operatorName: String
  @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database.") var dataDirectory: String?

  func run() async throws {
    let configuration = try AppConfiguration.resolve(
      dataDirectory: dataDirectory, environment: CommandEnvironment.values)
    print(
      try await Tasks.createSettlementSource(
        configuration, code: code, name: name, scheme: scheme, layout: layout, operatorName: operatorName))
  }
}
