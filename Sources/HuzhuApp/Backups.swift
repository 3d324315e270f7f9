import Crypto
import FluentKit
import Foundation
import HuzhuCore
import HuzhuPersistence
import ZIPFoundation

/// Backups an installation can restore: one ZIP archive holding a consistent copy of the
/// database (SQLite: `VACUUM INTO`; PostgreSQL: `pg_dump` in the custom format, from an
/// exported snapshot), every stored scan and roster, and `manifest.json` with what was in the
/// database at that moment (each table's rows, the fund's totals, the scans claims refer to)
/// and the checksums. A restore goes only into an empty database and data directory, checks
/// every checksum and finds the same figures before it puts anything in place.
///
/// Taken while the server runs: the database copy is one snapshot, and scans are stored
/// before any row refers to them and never change, so every scan the snapshot refers to is
/// already on disk when the files are copied after it.
///
/// The secrets key is not in the archive (a backup that leaks should not carry the key to
/// the secrets in it); the manifest records its fingerprint so that a restore can say
/// whether the key at hand is the right one.
public struct Backups: Sendable {
  let services: AppServices
  let target: DatabaseTarget
  let documentsDirectory: URL
  /// Where `pg_dump` and `pg_restore` are; nil: the PATH.
  let postgresTools: String?

  public init(_ services: AppServices, target: DatabaseTarget, documentsDirectory: String, postgresTools: String? = nil)
  {
    self.services = services
    self.target = target
    self.documentsDirectory = URL(fileURLWithPath: documentsDirectory, isDirectory: true)
    self.postgresTools = postgresTools
  }

  /// What `manifest.json` says.
  public struct Manifest: Codable, Sendable {
    public static let currentFormat = 1
    public var format: Int
    public var createdAt: Date
    /// `sqlite` or `postgresql`.
    public var database: String
    public var databaseFile: String
    public var databaseSHA256: String
    public var databaseBytes: Int64
    public var inventory: DatabaseInventory
    /// Stored files (their names are their SHA-256).
    public var files: Int
    public var fileBytes: Int64
    /// Scans the database refers to that were not on disk when the backup was taken.
    public var missingDocuments: [String]
    public var secretsKeyFingerprint: String?
  }

  public struct Report: Sendable {
    public let manifest: Manifest
    public let archiveBytes: Int64

    public var text: String {
      let rows = manifest.inventory.tables.values.reduce(0, +)
      var lines = [
        "数据库 database: \(manifest.database), \(manifest.inventory.tables.count) tables, \(rows) rows, migration \(manifest.inventory.lastMigration ?? "none")",
        "文件 files: \(manifest.files) (\(manifest.fileBytes) bytes); archive \(archiveBytes) bytes",
      ]
      for (scheme, total) in manifest.inventory.fundTotals.sorted(by: { $0.key < $1.key }) {
        lines.append("基金 fund \(scheme): \(Money(fen: total).formatted)")
      }
      if !manifest.missingDocuments.isEmpty {
        lines.append(
          "警告 warning: \(manifest.missingDocuments.count) scans the claims refer to were already missing from the documents directory: "
            + manifest.missingDocuments.prefix(5).joined(separator: ", "))
      }
      return lines.joined(separator: "\n")
    }
  }

  public enum Failure: Error, CustomStringConvertible {
    case exists(String)
    case notEmpty(String)
    case unreadable(String)
    case damaged(String)
    case tool(String, String)
    case wrongKey(expected: String, found: String)

    public var description: String {
      switch self {
      case .exists(let path): "\(path) 已存在，备份不覆盖文件 / already exists: a backup never overwrites a file"
      case .notEmpty(let what):
        "\(what) 不是空的：恢复只写入空的数据库和数据目录 / is not empty: a restore goes only into an empty database and data directory"
      case .unreadable(let why): "不是 Huzhu 备份 / not a Huzhu backup: \(why)"
      case .damaged(let why): "备份已损坏，未恢复任何内容 / the backup is damaged; nothing was restored: \(why)"
      case .tool(let tool, let output): "\(tool) 失败 / failed: \(output)"
      case .wrongKey(let expected, let found):
        "密钥不符 / the secrets key at hand (fingerprint \(found)) is not the one of the backup (\(expected)): "
          + "set HUZHU_SECRETS_KEY or put the installation's secrets.key in the data directory, then restore again"
      }
    }
  }

  // MARK: Backing up

  /// Writes the backup to `output` (never overwritten; written aside and moved into place).
  public func backUp(to output: String, secretsKeyFingerprint: String?) async throws -> Report {
    let outputURL = URL(fileURLWithPath: output)
    guard !FileManager.default.fileExists(atPath: outputURL.path) else { throw Failure.exists(output) }
    let work = try Self.workDirectory()
    defer { try? FileManager.default.removeItem(at: work) }

    let databaseFile: String
    let inventory: DatabaseInventory
    switch target {
    case .postgres(let location):
      databaseFile = "database/huzhu.pgdump"
      let dump = work.appendingPathComponent("huzhu.pgdump")
      let tools = postgresTools
      inventory = try await DatabaseSnapshot.withPostgresSnapshot(services.database) { inventory, snapshot in
        var arguments = [
          "--format=custom", "--no-owner", "--no-privileges", "--snapshot=\(snapshot)", "--file=\(dump.path)",
        ]
        arguments += (location.searchPath ?? []).map { "--schema=\($0)" }
        try PostgresTool(name: "pg_dump", directory: tools).run(arguments, location: location)
        return inventory
      }
    case .sqliteFile, .sqliteMemory:
      databaseFile = "database/huzhu.sqlite"
      let copy = work.appendingPathComponent("huzhu.sqlite")
      try await DatabaseSnapshot.copySQLite(services.database, to: copy.path)
      inventory = try await DatabaseSnapshot.inventory(ofSQLiteFile: copy.path)
    }
    let databaseCopy = work.appendingPathComponent(URL(fileURLWithPath: databaseFile).lastPathComponent)

    let partial = outputURL.deletingLastPathComponent().appendingPathComponent(
      ".\(outputURL.lastPathComponent).partial-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: partial) }
    let archive = try Archive(url: partial, accessMode: .create)
    try archive.addEntry(with: databaseFile, fileURL: databaseCopy, compressionMethod: .deflate)

    var stored: Set<String> = []
    var fileBytes: Int64 = 0
    for file in storedFiles() {
      // Scans are compressed already (JPEG, PDF): stored as they are.
      try archive.addEntry(
        with: "documents/\(file.prefix(2))/\(file)", fileURL: documentURL(file), compressionMethod: .none)
      stored.insert(file)
      fileBytes += Int64(
        (try? FileManager.default.attributesOfItem(atPath: documentURL(file).path)[.size] as? Int) ?? 0)
    }
    let manifest = Manifest(
      format: Manifest.currentFormat, createdAt: Date(), database: target.isPostgres ? "postgresql" : "sqlite",
      databaseFile: databaseFile, databaseSHA256: try Self.sha256(of: databaseCopy),
      databaseBytes: Self.size(of: databaseCopy), inventory: inventory, files: stored.count, fileBytes: fileBytes,
      missingDocuments: inventory.documents.subtracting(stored).sorted(), secretsKeyFingerprint: secretsKeyFingerprint)
    let manifestData = try Self.encoder.encode(manifest)
    try archive.addEntry(
      with: "manifest.json", type: .file, uncompressedSize: Int64(manifestData.count), compressionMethod: .deflate
    ) { position, size in
      manifestData.subdata(in: Int(position)..<Int(position) + size)
    }
    try FileManager.default.moveItem(at: partial, to: outputURL)
    return Report(manifest: manifest, archiveBytes: Self.size(of: outputURL))
  }

  // MARK: Restoring

  /// Restores `input` into this (empty) database and documents directory. `secretsKeyFingerprint`
  /// is the key at hand's, or nil when none is configured yet.
  public func restore(from input: String, secretsKeyFingerprint: String?) async throws -> Report {
    let inputURL = URL(fileURLWithPath: input)
    let archive: Archive
    do {
      archive = try Archive(url: inputURL, accessMode: .read)
    } catch {
      throw Failure.unreadable("\(input): \(error)")
    }
    guard let manifestEntry = archive["manifest.json"], manifestEntry.uncompressedSize < 64 << 20 else {
      throw Failure.unreadable("no manifest.json")
    }
    var manifestData = Data()
    _ = try archive.extract(manifestEntry) { manifestData.append($0) }
    let manifest: Manifest
    do {
      manifest = try Self.decoder.decode(Manifest.self, from: manifestData)
    } catch {
      throw Failure.unreadable("manifest.json: \(error)")
    }
    guard manifest.format == Manifest.currentFormat else {
      throw Failure.unreadable("format \(manifest.format); this version reads format \(Manifest.currentFormat)")
    }
    guard manifest.database == (target.isPostgres ? "postgresql" : "sqlite") else {
      throw Failure.unreadable("a \(manifest.database) backup cannot be restored into \(target)")
    }
    if let expected = manifest.secretsKeyFingerprint, let found = secretsKeyFingerprint, expected != found {
      throw Failure.wrongKey(expected: expected, found: found)
    }
    guard try await DatabaseSnapshot.isEmpty(services.database) else { throw Failure.notEmpty("\(target)") }
    if case .sqliteFile(let path) = target, Self.size(of: URL(fileURLWithPath: path)) > 0 {
      throw Failure.notEmpty(path)
    }

    let work = try Self.workDirectory()
    defer { try? FileManager.default.removeItem(at: work) }
    try Self.checkSpace(for: archive, at: work)

    // The database copy first: checked against the manifest before anything is put in place.
    guard let databaseEntry = archive[manifest.databaseFile] else {
      throw Failure.damaged("\(manifest.databaseFile) is missing")
    }
    let databaseCopy = work.appendingPathComponent(URL(fileURLWithPath: manifest.databaseFile).lastPathComponent)
    try Self.extract(databaseEntry, of: archive, to: databaseCopy)
    guard try Self.sha256(of: databaseCopy) == manifest.databaseSHA256 else {
      throw Failure.damaged("\(manifest.databaseFile): checksum differs")
    }

    // Then the files, each checked against its name (its SHA-256), into a staging directory.
    let staging = work.appendingPathComponent("documents", isDirectory: true)
    var restored: Set<String> = []
    for entry in archive where entry.path != "manifest.json" && entry.path != manifest.databaseFile {
      guard let name = Self.documentName(entry.path) else { throw Failure.damaged("unexpected entry \(entry.path)") }
      let file = staging.appendingPathComponent(name)
      try Self.extract(entry, of: archive, to: file)
      guard try Self.sha256(of: file) == name else { throw Failure.damaged("\(entry.path): checksum differs") }
      restored.insert(name)
    }
    let absent = manifest.inventory.documents.subtracting(restored).subtracting(manifest.missingDocuments)
    guard absent.isEmpty, restored.count == manifest.files else {
      throw Failure.damaged("\(manifest.files - restored.count) stored files missing, e.g. \(absent.first ?? "?")")
    }

    // Now the database: restored, then counted again.
    let found: DatabaseInventory
    switch target {
    case .postgres(let location):
      try PostgresTool(name: "pg_restore", directory: postgresTools).run(
        ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", databaseCopy.path],
        location: location)
      found = try await DatabaseSnapshot.inventory(of: services.database)
    case .sqliteFile(let path):
      found = try await DatabaseSnapshot.inventory(ofSQLiteFile: databaseCopy.path)
      let differences = manifest.inventory.differences(from: found)
      guard differences.isEmpty else { throw Failure.damaged(differences.joined(separator: "; ")) }
      // Whatever the empty database's connections made (an empty file, WAL files) goes first.
      for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
      try FileManager.default.moveItem(at: databaseCopy, to: URL(fileURLWithPath: path))
    case .sqliteMemory:
      throw Failure.unreadable("an in-memory database cannot be restored into")
    }
    let differences = manifest.inventory.differences(from: found)
    guard differences.isEmpty else { throw Failure.damaged(differences.joined(separator: "; ")) }

    let storage = FileDocumentStorage(directory: documentsDirectory.path)
    for name in restored.sorted() {
      try storage.place(staging.appendingPathComponent(name), sha256: name)
    }
    return Report(manifest: manifest, archiveBytes: Self.size(of: inputURL))
  }

  // MARK: Extracting

  /// Refuses an archive whose entries, as declared, would not fit on the disk the restore
  /// writes to (the sum is checked for overflow: the sizes are the archive's word).
  static func checkSpace(for archive: Archive, at work: URL) throws {
    var declared: UInt64 = 0
    for entry in archive {
      let (sum, overflow) = declared.addingReportingOverflow(entry.uncompressedSize)
      guard !overflow else { throw Failure.damaged("entry sizes past any disk") }
      declared = sum
    }
    let free =
      (try? FileManager.default.attributesOfFileSystem(forPath: work.path)[.systemFreeSize] as? NSNumber)?
      .uint64Value ?? .max
    guard declared < free else {
      throw Failure.unreadable("the archive unpacks to \(declared) bytes; \(free) are free at \(work.path)")
    }
  }

  /// Extracts `entry` to `url`, never writing more than the entry declares (a forged size
  /// cannot fill the disk behind the check above).
  static func extract(_ entry: Entry, of archive: Archive, to url: URL) throws {
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    guard FileManager.default.createFile(atPath: url.path, contents: nil),
      let handle = FileHandle(forWritingAtPath: url.path)
    else { throw Failure.unreadable("cannot write \(url.path)") }
    defer { try? handle.close() }
    let limit = entry.uncompressedSize
    var written: UInt64 = 0
    do {
      _ = try archive.extract(entry) { chunk in
        written += UInt64(chunk.count)
        guard written <= limit else { throw Failure.damaged("\(entry.path) is larger than it declares") }
        try handle.write(contentsOf: chunk)
      }
    } catch let failure as Failure {
      throw failure
    } catch {
      throw Failure.damaged("\(entry.path): \(error)")
    }
  }

  // MARK: Files

  /// The stored files: `documents/ab/abcdef…`, named by their SHA-256.
  func storedFiles() -> [String] {
    guard
      let enumerator = FileManager.default.enumerator(
        at: documentsDirectory, includingPropertiesForKeys: [.isRegularFileKey])
    else { return [] }
    var names: [String] = []
    for case let url as URL in enumerator {
      let name = url.lastPathComponent
      if Self.isChecksum(name), url.deletingLastPathComponent().lastPathComponent == String(name.prefix(2)) {
        names.append(name)
      }
    }
    return names.sorted()
  }

  func documentURL(_ name: String) -> URL {
    documentsDirectory.appendingPathComponent(String(name.prefix(2))).appendingPathComponent(name)
  }

  /// The checksum an archive entry `documents/ab/abcdef…` names; nil for any other path (a
  /// crafted archive cannot write outside the documents directory).
  static func documentName(_ path: String) -> String? {
    let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    guard parts.count == 3, parts[0] == "documents", isChecksum(parts[2]), parts[1] == String(parts[2].prefix(2))
    else { return nil }
    return parts[2]
  }

  static func isChecksum(_ name: String) -> Bool {
    name.utf8.count == 64 && name.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
  }

  static func sha256(of url: URL) throws -> String {
    let handle = try FileHandle(forReadingFrom: url)
    defer { try? handle.close() }
    var hasher = SHA256()
    while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
    return hasher.finalize().map { String(format: "%02x", $0) }.joined()
  }

  static func size(of url: URL) -> Int64 {
    ((try? FileManager.default.attributesOfItem(atPath: url.path)[.size]) as? NSNumber)?.int64Value ?? 0
  }

  static func workDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("huzhu-backup-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  static var encoder: JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.dateEncodingStrategy = .iso8601
    return encoder
  }

  static var decoder: JSONDecoder {
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    return decoder
  }
}

/// `pg_dump` or `pg_restore`, given the connection by environment (the password never on the
/// command line, where `ps` would show it).
struct PostgresTool {
  let name: String
  let directory: String?

  func run(_ arguments: [String], location: PostgresLocation) throws {
    guard let components = URLComponents(string: location.url) else { throw Backups.Failure.tool(name, "bad URL") }
    var environment = ProcessInfo.processInfo.environment
    environment["PGHOST"] = location.host
    environment["PGPORT"] = String(location.port)
    environment["PGDATABASE"] = location.database
    environment["PGUSER"] = components.user ?? ""
    if let password = components.password { environment["PGPASSWORD"] = password }
    if let mode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value {
      environment["PGSSLMODE"] = mode
    }
    let process = Process()
    process.executableURL = try executable()
    process.arguments = name == "pg_restore" ? ["--dbname=\(location.database)"] + arguments : arguments
    process.environment = environment
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let output = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw Backups.Failure.tool(name, String(decoding: output.prefix(4_000), as: UTF8.self))
    }
  }

  /// The tool in `directory`, else on the PATH, else in the newest Debian PostgreSQL.
  func executable() throws -> URL {
    var candidates: [String] = []
    if let directory { candidates.append(directory) }
    candidates += (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":").map(String.init)
    let debian = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
    candidates += debian.sorted { $0.compare($1, options: .numeric) == .orderedDescending }.map {
      "/usr/lib/postgresql/\($0)/bin"
    }
    for directory in candidates {
      let path = (directory as NSString).appendingPathComponent(name)
      if FileManager.default.isExecutableFile(atPath: path) { return URL(fileURLWithPath: path) }
    }
    throw Backups.Failure.tool(name, "not found: install PostgreSQL's client tools (Debian: postgresql-client)")
  }
}
