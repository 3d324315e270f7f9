import Foundation
import HuzhuApp
import HuzhuCore
import HuzhuPersistence
import HuzhuSpreadsheet
import Logging

/// Everything the server needs to start, resolved once from flags and the environment and
/// checked before anything else happens. A bad value stops start-up with a message that
/// names the setting and what it accepts.
public struct AppConfiguration: Sendable, Equatable {
  public var hostname: String
  public var port: Int
  public var dataDirectory: String
  public var database: DatabaseTarget
  public var logLevel: Logger.Level
  /// Load the demo data set when the database is empty. Demo mode also shows the worker
  /// portal's one-time codes on screen (there is no SMS gateway in a demo), but only in a
  /// database the demo seeder filled.
  public var loadsDemoData: Bool
  /// With the demo data, also the history behind the articles' figures (650 Anyang units,
  /// 49,231 insured, Yichun's 23,000; about 70,000 workers and 800 claims: seconds to load).
  /// `huzhu serve` and `seed-demo` load it unless `HUZHU_DEMO_HISTORY=false`; tests do not.
  public var loadsDemoHistory: Bool
  /// The password every demo account gets; random (printed once) when nil.
  public var demoPassword: String?
  /// Mark cookies `Secure` (sent over HTTPS only). On for any deployment behind TLS; off by
  /// default so that `http://127.0.0.1` works.
  public var secureCookies: Bool
  /// How much a request may upload and ask for (``InputLimits``); request body limits follow.
  public var limits: InputLimits
  /// Addresses of reverse proxies whose `X-Forwarded-For` names the client. Without them every
  /// request behind a proxy would come from the proxy, and sign-in throttling by address would
  /// hold back everyone at once.
  public var trustedProxies: [String]
  /// How long audit entries are kept before `huzhu audit prune` may archive and remove them.
  public var auditRetention: AuditRetention
  /// Whether administrators and finance must sign in with a one-time code too. Required unless
  /// the demo data is loaded (a demonstration has no phones enrolled).
  public var secondFactor: SecondFactor.Policy
  /// Where the key that seals authenticator secrets comes from.
  public var secretsKey: SecretsKey
  /// Production mode (`--production` or `HUZHU_MODE=production`): never demo data or codes on
  /// screen, cookies over HTTPS only, two-factor sign-in required; start-up refuses a
  /// configuration that says otherwise, naming each setting.
  public var isProduction: Bool
  /// The bearer token `GET /metrics` asks for; nil: no metrics endpoint (404).
  public var metricsToken: String?
  /// Where text messages go (``MessageGatewaySetting``): the fake gateway in a demo, none
  /// unless configured otherwise.
  public var messages: MessageGatewaySetting
  /// The address members reach the site at (`HUZHU_PUBLIC_URL`, e.g. `https://huzhu.example.cn`):
  /// the certificates' QR codes point there. Without it, the address the request came to.
  public var publicURL: String?
  /// Where scans and rosters are stored, by their checksum: `<data-dir>/documents` unless
  /// `HUZHU_DOCUMENTS_DIR` names a directory every instance shares (NFS, a mounted volume).
  public var documentsDirectory: String {
    get { documentsOverride ?? URL(fileURLWithPath: dataDirectory).appendingPathComponent("documents").path }
    set { documentsOverride = newValue }
  }
  private var documentsOverride: String?

  public enum SecretsKey: Sendable, Equatable {
    /// `HUZHU_SECRETS_KEY`: 32 bytes in base64, the same for every instance.
    case value(String)
    /// A file in the data directory, made on first start (one instance).
    case file(String)
    /// This process's own (tests).
    case ephemeral
  }

  public init(
    hostname: String = defaultHostname, port: Int = defaultPort, dataDirectory: String = defaultDataDirectory,
    database: DatabaseTarget, logLevel: Logger.Level = .info, loadsDemoData: Bool = true, demoPassword: String? = nil,
    secureCookies: Bool = false, loadsDemoHistory: Bool = false, limits: InputLimits = .standard,
    trustedProxies: [String] = [], auditRetention: AuditRetention = .standard,
    secondFactor: SecondFactor.Policy = .optional, secretsKey: SecretsKey = .ephemeral, isProduction: Bool = false,
    metricsToken: String? = nil, documentsDirectory: String? = nil, messages: MessageGatewaySetting? = nil,
    publicURL: String? = nil
  ) {
    self.publicURL = publicURL
    self.messages = messages ?? (loadsDemoData ? .fake : .off)
    self.metricsToken = metricsToken
    self.documentsOverride = documentsDirectory
    self.isProduction = isProduction
    self.secondFactor = secondFactor
    self.secretsKey = secretsKey
    self.auditRetention = auditRetention
    self.limits = limits
    self.trustedProxies = trustedProxies
    self.loadsDemoHistory = loadsDemoHistory
    self.demoPassword = demoPassword
    self.secureCookies = secureCookies
    self.hostname = hostname
    self.port = port
    self.dataDirectory = dataDirectory
    self.database = database
    self.logLevel = logLevel
    self.loadsDemoData = loadsDemoData
  }

  public static let defaultHostname = "127.0.0.1"
  public static let defaultPort = 8080
  public static let defaultDataDirectory = "./huzhu-data"

  /// The settings read from the environment, with the flags that override them.
  public enum Setting: String, CaseIterable, Sendable {
    case hostname = "--hostname"
    case port = "--port"
    case dataDirectory = "--data-dir / HUZHU_DATA_DIR"
    case databaseURL = "DATABASE_URL"
    case logLevel = "LOG_LEVEL"
    case demoData = "HUZHU_DEMO_DATA"
    case demoPassword = "HUZHU_DEMO_PASSWORD"
    case demoHistory = "HUZHU_DEMO_HISTORY"
    case secureCookies = "HUZHU_SECURE_COOKIES"
    case uploadLimit = "HUZHU_LIMIT_UPLOAD_MB"
    case rowLimit = "HUZHU_LIMIT_SHEET_ROWS"
    case columnLimit = "HUZHU_LIMIT_SHEET_COLUMNS"
    case cellLimit = "HUZHU_LIMIT_SHEET_CELLS"
    case expandedLimit = "HUZHU_LIMIT_SHEET_EXPANDED_MB"
    case ratioLimit = "HUZHU_LIMIT_COMPRESSION_RATIO"
    case reportLimit = "HUZHU_LIMIT_REPORT_YEARS"
    case trustedProxies = "HUZHU_TRUSTED_PROXIES"
    case auditRetention = "HUZHU_AUDIT_RETENTION_DAYS"
    case secondFactor = "HUZHU_TWO_FACTOR"
    case secretsKey = "HUZHU_SECRETS_KEY"
    case mode = "--production / HUZHU_MODE"
    case metricsToken = "HUZHU_METRICS_TOKEN"
    case logFormat = "HUZHU_LOG_FORMAT"
    case documentsDirectory = "HUZHU_DOCUMENTS_DIR"
    case messageGateway = "HUZHU_SMS"
    case messageURL = "HUZHU_SMS_URL"
    case messageAccount = "HUZHU_SMS_ACCOUNT"
    case messageSecret = "HUZHU_SMS_SECRET"
    case messageSignName = "HUZHU_SMS_SIGN_NAME"
    case messageTemplates = "HUZHU_SMS_TEMPLATES"
    case messageRate = "HUZHU_SMS_RATE"
    case publicURL = "HUZHU_PUBLIC_URL"
  }

  /// Resolves the configuration; flags win over the environment.
  ///
  /// - Throws: ``ConfigurationError`` listing every bad setting, not just the first.
  public static func resolve(
    hostname: String? = nil, port: Int? = nil, dataDirectory: String? = nil, production: Bool = false,
    environment: [String: String]
  ) throws(ConfigurationError) -> AppConfiguration {
    var problems: [ConfigurationError.Problem] = []

    var isProduction = production
    if let text = environment["HUZHU_MODE"], !text.isEmpty {
      switch text.lowercased() {
      case "production": isProduction = true
      case "standard": break
      default: problems.append(.init(setting: .mode, value: text, accepted: "production or standard"))
      }
    }

    let host = hostname ?? environment["HUZHU_HOSTNAME"] ?? defaultHostname
    if host.isEmpty || host.contains(where: { $0.isWhitespace || $0 == "/" }) {
      problems.append(.init(setting: .hostname, value: host, accepted: "a host name or IP address, e.g. 127.0.0.1"))
    }

    var resolvedPort = port ?? defaultPort
    if port == nil, let text = environment["HUZHU_PORT"] {
      if let value = Int(text) { resolvedPort = value } else { resolvedPort = -1 }
    }
    if !(1...65535).contains(resolvedPort) {
      problems.append(
        .init(
          setting: .port, value: port.map(String.init) ?? environment["HUZHU_PORT"] ?? "",
          accepted: "a TCP port from 1 to 65535"))
    }

    let directory = dataDirectory ?? environment["HUZHU_DATA_DIR"] ?? defaultDataDirectory
    if directory.isEmpty {
      problems.append(.init(setting: .dataDirectory, value: directory, accepted: "a directory path"))
    }

    var database = DatabaseTarget.sqliteFile(path: (directory as NSString).appendingPathComponent("huzhu.sqlite"))
    if let url = environment["DATABASE_URL"], !url.isEmpty {
      if url.hasPrefix("sqlite:") {
        let path = String(url.dropFirst("sqlite:".count)).replacingOccurrences(of: "//", with: "")
        database = path == ":memory:" ? .sqliteMemory(identifier: "huzhu") : .sqliteFile(path: path)
      } else {
        switch PostgresLocation.parse(url) {
        case .success(let location): database = .postgres(location)
        case .failure(let problem):
          problems.append(
            .init(
              setting: .databaseURL, value: redactingPassword(url),
              accepted: "postgres://user@host:port/database or sqlite:PATH (\(problem.explanation))"))
        }
      }
    }

    var level = Logger.Level.info
    if let text = environment["LOG_LEVEL"], !text.isEmpty {
      if let parsed = Logger.Level(rawValue: text.lowercased()) {
        level = parsed
      } else {
        problems.append(
          .init(
            setting: .logLevel, value: text,
            accepted: Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")))
      }
    }

    var demo = !isProduction
    if let text = environment["HUZHU_DEMO_DATA"], !text.isEmpty {
      switch text.lowercased() {
      case "1", "true", "yes", "on": demo = true
      case "0", "false", "no", "off": demo = false
      default: problems.append(.init(setting: .demoData, value: text, accepted: "true or false"))
      }
    }

    func flag(_ setting: Setting) -> Bool {
      guard let text = environment[setting.rawValue], !text.isEmpty else { return false }
      switch text.lowercased() {
      case "1", "true", "yes", "on": return true
      case "0", "false", "no", "off": return false
      default:
        problems.append(.init(setting: setting, value: text, accepted: "true or false"))
        return false
      }
    }
    let secureCookies = flag(.secureCookies)
    // On unless switched off.
    let demoHistory = (environment[Setting.demoHistory.rawValue] ?? "").isEmpty ? true : flag(.demoHistory)

    let demoPassword = environment[Setting.demoPassword.rawValue].flatMap { $0.isEmpty ? nil : $0 }
    if let demoPassword, !PasswordPolicy.problems(demoPassword, username: "admin").isEmpty {
      problems.append(
        .init(
          setting: .demoPassword, value: "***",
          accepted:
            "at least \(PasswordPolicy.minimumLength) characters with three of: upper case, lower case, digits, symbols"
        ))
    }

    let limits = Self.limits(environment, problems: &problems)
    let proxies = (environment[Setting.trustedProxies.rawValue] ?? "").split(separator: ",").map {
      $0.trimmingCharacters(in: .whitespaces)
    }.filter { !$0.isEmpty }
    for proxy in proxies where !ClientAddress.isIPAddress(proxy) {
      problems.append(
        .init(setting: .trustedProxies, value: proxy, accepted: "IP addresses separated by commas, e.g. 127.0.0.1,::1"))
    }

    var retention = AuditRetention.standard
    if let text = environment[Setting.auditRetention.rawValue], !text.isEmpty {
      if let days = Int(text), let chosen = AuditRetention(days: days) {
        retention = chosen
      } else {
        problems.append(
          .init(
            setting: .auditRetention, value: text,
            accepted: "a number of days from \(AuditRetention.minimumDays) (six months, the legal minimum) to 36500"))
      }
    }

    var secondFactor: SecondFactor.Policy = demo ? .optional : .required
    if let text = environment[Setting.secondFactor.rawValue], !text.isEmpty {
      if let policy = SecondFactor.Policy(rawValue: text.lowercased()) {
        secondFactor = policy
      } else {
        problems.append(.init(setting: .secondFactor, value: text, accepted: "required or optional"))
      }
    }
    var secretsKey = SecretsKey.file((directory as NSString).appendingPathComponent("secrets.key"))
    if let text = environment[Setting.secretsKey.rawValue], !text.isEmpty {
      if SecretBox(base64: text) != nil {
        secretsKey = .value(text)
      } else {
        problems.append(
          .init(setting: .secretsKey, value: "***", accepted: "32 random bytes in base64 (openssl rand -base64 32)"))
      }
    }

    if let format = environment[Setting.logFormat.rawValue], !format.isEmpty,
      !["json", "text"].contains(format.lowercased())
    {
      problems.append(.init(setting: .logFormat, value: format, accepted: "json (one JSON object a line) or text"))
    }

    let metricsToken = environment[Setting.metricsToken.rawValue].flatMap { $0.isEmpty ? nil : $0 }
    if let metricsToken,
      metricsToken.utf8.count < 24 || metricsToken.utf8.count > 256
        || metricsToken.contains(where: { $0.isWhitespace || !$0.isASCII })
    {
      problems.append(
        .init(
          setting: .metricsToken, value: "***",
          accepted: "24 to 256 printable ASCII characters without spaces (openssl rand -hex 24)"))
    }

    let messages = Self.messages(environment, demo: demo, problems: &problems)
    var publicURL: String?
    if let text = environment[Setting.publicURL.rawValue], !text.isEmpty {
      if let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil,
        url.query == nil
      {
        publicURL = text.hasSuffix("/") ? String(text.dropLast()) : text
      } else {
        problems.append(
          .init(setting: .publicURL, value: text, accepted: "the site's address, e.g. https://huzhu.example.cn"))
      }
    }
    if isProduction {
      problems += productionProblems(
        demo: demo, secureCookies: secureCookies, secondFactor: secondFactor, demoPassword: demoPassword)
      if messages == .fake {
        problems.append(
          .init(
            setting: .messageGateway, value: "fake",
            accepted: "http (the provider's settings) or off: production sends real messages or none"))
      }
    }

    guard problems.isEmpty else { throw ConfigurationError(problems: problems) }
    return AppConfiguration(
      hostname: host, port: resolvedPort, dataDirectory: directory, database: database, logLevel: level,
      loadsDemoData: demo, demoPassword: demoPassword, secureCookies: secureCookies, loadsDemoHistory: demoHistory,
      limits: limits, trustedProxies: proxies, auditRetention: retention, secondFactor: secondFactor,
      secretsKey: secretsKey, isProduction: isProduction, metricsToken: metricsToken,
      documentsDirectory: environment[Setting.documentsDirectory.rawValue].flatMap { $0.isEmpty ? nil : $0 },
      messages: messages, publicURL: publicURL)
  }

  /// What production mode refuses, each naming the setting to change.
  static func productionProblems(
    demo: Bool, secureCookies: Bool, secondFactor: SecondFactor.Policy, demoPassword: String?
  ) -> [ConfigurationError.Problem] {
    var problems: [ConfigurationError.Problem] = []
    if demo {
      problems.append(.init(setting: .demoData, value: "true", accepted: "false: production never loads demo data"))
    }
    if demoPassword != nil {
      problems.append(.init(setting: .demoPassword, value: "***", accepted: "unset: production has no demo accounts"))
    }
    if !secureCookies {
      problems.append(
        .init(
          setting: .secureCookies, value: "false",
          accepted: "true: in production the session cookie is sent over HTTPS only (TLS at the server or its proxy)"))
    }
    if secondFactor != .required {
      problems.append(
        .init(
          setting: .secondFactor, value: secondFactor.rawValue,
          accepted: "required: administrators and finance sign in with a one-time code in production"))
    }
    return problems
  }

  /// What start-up says about the installation: one line per safeguard, so that whoever runs
  /// it sees what is on, and what is missing, without reading the configuration.
  public var startupSummary: [String] {
    func onOff(_ on: Bool) -> String { on ? "on" : "OFF" }
    var lines = [
      "模式 mode: \(isProduction ? "production" : loadsDemoData ? "demo" : "standard")",
      "数据库 database: \(database)",
      "安全 Cookie secure cookies (HTTPS only): \(onOff(secureCookies))",
      "双因素 two-factor sign-in for administrators and finance: \(secondFactor.rawValue)",
      "可信代理 trusted proxies: \(trustedProxies.isEmpty ? "none (client = TCP peer)" : trustedProxies.joined(separator: ", "))",
      "密钥 secrets key: \(secretsKeyDescription)",
      "文件 documents: \(documentsDirectory)",
      "指标 metrics: \(metricsToken == nil ? "off (set HUZHU_METRICS_TOKEN)" : "GET /metrics with the bearer token")",
    ]
    lines.append("短信 messages: \(messages.summary)")
    return lines
  }

  /// The fingerprint of the configured secrets key (``SecretBox/fingerprint``); nil while the
  /// key file has not been made yet.
  public var secretsKeyFingerprint: String? {
    switch secretsKey {
    case .value(let text): SecretBox(base64: text)?.fingerprint
    case .file(let path):
      (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { SecretBox(base64: $0) }?.fingerprint
    case .ephemeral: nil
    }
  }

  var secretsKeyDescription: String {
    switch secretsKey {
    case .value: "HUZHU_SECRETS_KEY"
    case .file(let path): "\(path) (one instance only: set HUZHU_SECRETS_KEY for several)"
    case .ephemeral: "this process's own"
    }
  }

  /// The input limits, each setting a whole number within a range that keeps the server's
  /// arithmetic and memory safe (the defaults are ``InputLimits/standard``).
  static func limits(_ environment: [String: String], problems: inout [ConfigurationError.Problem]) -> InputLimits {
    var limits = InputLimits.standard
    func read(
      _ setting: Setting, _ range: ClosedRange<Int>, unit: Int = 1, into keyPath: WritableKeyPath<InputLimits, Int>
    ) {
      guard let text = environment[setting.rawValue], !text.isEmpty else { return }
      guard let value = Int(text), range.contains(value) else {
        problems.append(
          .init(
            setting: setting, value: text, accepted: "a whole number from \(range.lowerBound) to \(range.upperBound)"))
        return
      }
      limits[keyPath: keyPath] = value * unit
    }
    read(.uploadLimit, 1...1_024, unit: 1 << 20, into: \.sheet.fileBytes)
    read(.rowLimit, 1...XLSXReader.maximumRows, into: \.sheet.rows)
    read(.columnLimit, 1...XLSXReader.maximumColumns, into: \.sheet.columns)
    read(.cellLimit, 1...100_000_000, into: \.sheet.cells)
    read(.expandedLimit, 1...4_096, unit: 1 << 20, into: \.sheet.expandedBytes)
    read(.ratioLimit, 2...100_000, into: \.sheet.compressionRatio)
    read(.reportLimit, 1...100, into: \.reportYears)
    return limits
  }

  /// Creates the data directory when missing and proves it is writable, so that a bad path
  /// fails at start-up rather than at the first uploaded scan.
  public func prepareDataDirectory(fileManager: FileManager = .default) throws(ConfigurationError) {
    var directories: [(AppConfiguration.Setting, String)] = [(.dataDirectory, dataDirectory)]
    if let documentsOverride { directories.append((.documentsDirectory, documentsOverride)) }
    for (setting, directory) in directories {
      do {
        try fileManager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let probe = (directory as NSString).appendingPathComponent(".write-probe-\(UUID().uuidString)")
        guard fileManager.createFile(atPath: probe, contents: Data()) else { throw CocoaError(.fileWriteNoPermission) }
        try fileManager.removeItem(atPath: probe)
      } catch {
        throw ConfigurationError(problems: [
          .init(setting: setting, value: directory, accepted: "a directory this user can create and write")
        ])
      }
    }
  }

  static func redactingPassword(_ url: String) -> String {
    guard var components = URLComponents(string: url), components.password != nil else { return url }
    components.password = "***"
    return components.string ?? url
  }
}

public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
  public struct Problem: Equatable, Sendable {
    public let setting: AppConfiguration.Setting
    public let value: String
    public let accepted: String
  }

  public let problems: [Problem]

  public var description: String {
    (["配置错误 / invalid configuration:"]
      + problems.map { "  \($0.setting.rawValue) = \"\($0.value)\": expected \($0.accepted)" })
      .joined(separator: "\n")
  }
}

extension Logger.Level {
  static let allCases: [Logger.Level] = [.trace, .debug, .info, .notice, .warning, .error, .critical]
}
