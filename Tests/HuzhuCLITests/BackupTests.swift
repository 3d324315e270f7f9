import Crypto
import FluentKit
import Foundation
import HuzhuApp
import HuzhuCLI
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import HuzhuWeb
import SQLKit
import Synchronization
import Testing
import ZIPFoundation

@Suite("Backup and restore")
struct BackupTests {
  let scratch = ScratchDirectories()
  let commands = ClaimCommandTests()

  /// A demo installation on `kind`: its data directory and, on PostgreSQL, its schema.
  func installation(_ kind: TestDatabaseKind) async throws -> (AppConfiguration, IsolatedDatabase?) {
    let directory = scratch.make()
    switch kind {
    case .sqlite:
      return (try AppConfiguration.resolve(dataDirectory: directory, environment: quietDemo), nil)
    case .postgresql:
      let isolated = try await IsolatedDatabase.create(.postgresql)
      return (configuration(directory, isolated.target), isolated)
    }
  }

  func configuration(_ directory: String, _ target: DatabaseTarget) -> AppConfiguration {
    AppConfiguration(
      dataDirectory: directory, database: target, logLevel: .warning,
      secretsKey: .file((directory as NSString).appendingPathComponent("secrets.key")))
  }

  /// Opens a claim for the demo's first Anyang member with a scan of its own, stored before
  /// the row that refers to it, as the web does.
  static func claimWithScan(_ number: Int, database: any Database, documents: FileDocumentStorage) async throws {
    let certificate = try #require(
      try await FluentEnrollmentStore(database: database).certificate(number: "ANYANG-2019-000001"))
    let scheme = try #require(try await FluentSchemeStore(database: database).scheme(code: "anyang")).compiled()
    let today = CalendarDate(year: 2020, month: 11, day: 20)!
    let context = ClaimContext(
      actor: ClaimActor(accountID: .init(), name: "clerk", organisationKind: .cityFederation), address: "test",
      today: today, scheme: scheme, calendar: .publishedChina)
    let admission = CalendarDate(year: 2019, month: 11, day: 1)!.adding(days: number * 3)
    let store = FluentClaimStore(database: database)
    let claim = try await store.open(
      ClaimIntake(
        event: ClaimEvent(
          admissionDate: admission, dischargeDate: admission.adding(days: 2), claimDate: today,
          figures: SettlementFigures([
            .inScopeCost: Money(fen: 100_000 + Int64(number)), .pooledFundPaid: .zero,
            .criticalIllnessInsurancePaid: .zero,
          ]))), for: certificate.enrollment.workerID, channel: .window, expedited: false, context: context)
    let scan = Data("%PDF-1.4 scan \(number) \(UUID())".utf8)
    let checksum = SHA256.hash(data: scan).map { String(format: "%02x", $0) }.joined()
    try documents.save(scan, sha256: checksum)
    _ = try await store.attach(
      ClaimDocument(
        claimID: claim.id, kind: "invoice", fileName: "invoice-\(number).pdf", format: .pdf, size: scan.count,
        sha256: checksum, uploadedBy: "clerk", uploadedAt: Date()), to: claim.id, context: context)
  }

  /// A backup taken while claims with scans are being written restores into another data
  /// directory (another database) with the same figures as the manifest, every scan a restored
  /// claim refers to, and an audit chain that verifies: the copy is one moment, not a smear.
  @Test(arguments: TestDatabaseKind.available)
  func aBackupTakenUnderWritesRestoresElsewhereWhole(kind: TestDatabaseKind) async throws {
    let (source, isolated) = try await installation(kind)
    var cleanup: [IsolatedDatabase] = isolated.map { [$0] } ?? []
    defer {
      let databases = cleanup
      Task { for database in databases { try? await database.drop() } }
    }
    _ = try await Tasks.seedDemo(source)
    let documents = FileDocumentStorage(directory: source.documentsDirectory)

    let progress = WriterProgress()
    let commands = self.commands
    let writer = Task {
      try await commands.withStores(source) { database in
        var number = 0
        while !progress.stopped {
          number += 1
          try await Self.claimWithScan(number, database: database, documents: documents)
          progress.written = number
        }
      }
    }
    func waitForWrites(beyond count: Int) async throws {
      let deadline = ContinuousClock.now + .seconds(120)
      while progress.written <= count {
        guard ContinuousClock.now < deadline else {
          Issue.record("the writer stalled")
          return
        }
        try await Task.sleep(for: .milliseconds(10))
      }
    }
    try await waitForWrites(beyond: 2)
    let archive = scratch.make() + ".zip"
    let backedUp = try await Tasks.backUp(source, to: archive)
    let atBackup = progress.written
    try await waitForWrites(beyond: atBackup + 1)
    progress.stopped = true
    try await writer.value
    #expect(backedUp.contains("backed up"), "\(backedUp)")

    let manifest = try Self.manifest(of: archive)
    let claims = try #require(manifest.inventory.tables["claims"])
    #expect(claims >= 2 && claims <= atBackup + 1, "\(claims) claims in the backup, \(atBackup) written by then")
    #expect(manifest.files >= claims)
    #expect(manifest.missingDocuments.isEmpty)
    #expect(manifest.secretsKeyFingerprint == source.secretsKeyFingerprint)
    #expect(!manifest.inventory.fundTotals.isEmpty)
    // Never overwritten.
    await #expect(throws: Backups.Failure.self) { _ = try await Tasks.backUp(source, to: archive) }

    let destinationDirectory = scratch.make()
    let destination: AppConfiguration
    switch kind {
    case .sqlite:
      destination = try AppConfiguration.resolve(dataDirectory: destinationDirectory, environment: quietDemo)
    case .postgresql:
      let database = try await IsolatedDatabase.postgresDatabase(searching: try #require(isolated?.schema))
      cleanup.append(database)
      destination = configuration(destinationDirectory, database.target)
    }
    let restored = try await Tasks.restore(destination, from: archive)
    #expect(restored.contains("restored"), "\(restored)")
    // No key at the destination yet: the restore says which one to bring.
    #expect(restored.contains(try #require(manifest.secretsKeyFingerprint)))

    try await commands.withStores(destination) { database in
      let found = try await DatabaseSnapshot.inventory(of: database)
      #expect(found.tables == manifest.inventory.tables)
      #expect(found.fundTotals == manifest.inventory.fundTotals)
      #expect(found.documents == manifest.inventory.documents)
      let restoredDocuments = FileDocumentStorage(directory: destination.documentsDirectory)
      for checksum in found.documents {
        let bytes = try restoredDocuments.load(sha256: checksum)
        #expect(SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() == checksum)
      }
    }
    let audit = try await Tasks.verifyAudit(destination, anchors: [], archive: nil)
    #expect(audit.intact, "\(audit.text)")
    // The restored installation serves: migrations (none pending) and start-up pass.
    #expect(try await Tasks.migrate(destination).contains("up to date"))
    // A second restore into it is refused: it is not empty any more.
    let refused = await #expect(throws: Backups.Failure.self) {
      _ = try await Tasks.restore(destination, from: archive)
    }
    #expect(refused?.description.contains("not empty") == true)
  }

  static func manifest(of path: String) throws -> Backups.Manifest {
    let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
    var data = Data()
    _ = try archive.extract(try #require(archive["manifest.json"])) { data.append($0) }
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    return try decoder.decode(Backups.Manifest.self, from: data)
  }

  /// Copies `path` to a new archive, changing the manifest and adding entries on the way.
  func tampered(
    _ path: String, manifest change: (inout Backups.Manifest) -> Void = { _ in }, adding extra: [String: Data] = [:],
    dropping dropped: Set<String> = []
  ) throws -> String {
    let source = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
    let output = scratch.make() + ".zip"
    let copy = try Archive(url: URL(fileURLWithPath: output), accessMode: .create)
    var manifest = try Self.manifest(of: path)
    change(&manifest)
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .iso8601
    var entries = extra
    entries["manifest.json"] = try encoder.encode(manifest)
    for entry in source where entry.path != "manifest.json" && !dropped.contains(entry.path) {
      var data = Data()
      _ = try source.extract(entry) { data.append($0) }
      entries[entry.path] = data
    }
    for (name, data) in entries {
      try copy.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count)) { position, size in
        data.subdata(in: Int(position)..<Int(position) + size)
      }
    }
    return output
  }

  /// An empty data directory holding the installation's key (so that a restore compares
  /// the fingerprint), and its path.
  func destination(withKeyOf source: AppConfiguration) throws -> (AppConfiguration, String) {
    let directory = scratch.make()
    var destination = try AppConfiguration.resolve(dataDirectory: directory, environment: quietDemo)
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: source.dataDirectory + "/secrets.key", toPath: directory + "/secrets.key")
    destination.secretsKey = .file(directory + "/secrets.key")
    return (destination, directory)
  }

  /// A damaged or crafted archive restores nothing: a count that does not match, a missing
  /// scan, an entry outside the documents directory, another kind of database, a wrong key.
  @Test func aDamagedBackupRestoresNothing() async throws {
    let (source, _) = try await installation(.sqlite)
    _ = try await Tasks.seedDemo(source)
    try await commands.withStores(source) { database in
      try await Self.claimWithScan(
        1, database: database, documents: FileDocumentStorage(directory: source.documentsDirectory))
    }
    let archive = scratch.make() + ".zip"
    _ = try await Tasks.backUp(source, to: archive)
    let manifest = try Self.manifest(of: archive)
    let scan = try #require(manifest.inventory.documents.first)

    let cases: [(String, String)] = [
      (try tampered(archive, manifest: { $0.inventory.tables["claims", default: 0] += 1 }), "claims: 2 → 1"),
      (try tampered(archive, manifest: { $0.inventory.fundTotals["anyang", default: 0] += 1 }), "fund anyang"),
      (try tampered(archive, dropping: ["documents/\(scan.prefix(2))/\(scan)"]), "stored files missing"),
      (try tampered(archive, adding: ["../escape": Data("x".utf8)]), "unexpected entry ../escape"),
      (
        try tampered(archive, adding: ["documents/00/\(String(repeating: "0", count: 64))": Data("x".utf8)]),
        "checksum differs"
      ),
      (try tampered(archive, manifest: { $0.databaseSHA256 = String(repeating: "a", count: 64) }), "checksum differs"),
      (try tampered(archive, manifest: { $0.database = "postgresql" }), "cannot be restored into"),
      (try tampered(archive, manifest: { $0.format = 99 }), "format 99"),
      (try tampered(archive, manifest: { $0.secretsKeyFingerprint = "0000000000000000" }), "secrets key"),
    ]
    for (path, expected) in cases {
      let (target, directory) = try destination(withKeyOf: source)
      let failure = await #expect(throws: Backups.Failure.self) { _ = try await Tasks.restore(target, from: path) }
      #expect(failure?.description.contains(expected) == true, "\(expected): \(String(describing: failure))")
      let database = directory + "/huzhu.sqlite"
      let size = (try? FileManager.default.attributesOfItem(atPath: database)[.size] as? Int) ?? 0
      #expect(size == 0, "\(expected): the database was written")
      #expect(!FileManager.default.fileExists(atPath: directory + "/documents/\(scan.prefix(2))/\(scan)"))
    }
    // A compressed scan that unpacks to more than its entry declares (a zip bomb's trick):
    // refused while it unpacks, not after it filled the disk.
    let bomb = try tampered(archive, dropping: ["documents/\(scan.prefix(2))/\(scan)"])
    let bombed = scratch.make() + ".zip"
    do {
      let source = try Archive(url: URL(fileURLWithPath: bomb), accessMode: .update)
      let name = "documents/\(scan.prefix(2))/\(scan)"
      let data = Data(repeating: 0x41, count: 200_000)
      try source.addEntry(
        with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate
      ) { position, size in data.subdata(in: Int(position)..<Int(position) + size) }
    }
    var bytes = try Data(contentsOf: URL(fileURLWithPath: bomb))
    let name = Data("documents/\(scan.prefix(2))/\(scan)".utf8)
    var from = bytes.startIndex
    while let found = bytes.range(of: name, in: from..<bytes.endIndex) {
      // The uncompressed size of the local header (22 bytes in) and of the central one (24).
      for (header, signature, field) in [(30, [0x50, 0x4B, 0x03, 0x04], 22), (46, [0x50, 0x4B, 0x01, 0x02], 24)]
      where found.lowerBound - header >= 0
        && Array(bytes[(found.lowerBound - header)..<(found.lowerBound - header + 4)]) == signature.map(UInt8.init)
      {
        let at = found.lowerBound - header + field
        bytes.replaceSubrange(at..<(at + 4), with: [0x10, 0x00, 0x00, 0x00])
      }
      from = found.upperBound
    }
    try bytes.write(to: URL(fileURLWithPath: bombed))
    let (bombDestination, _) = try destination(withKeyOf: source)
    let exploded = await #expect(throws: Backups.Failure.self) {
      _ = try await Tasks.restore(bombDestination, from: bombed)
    }
    #expect(exploded?.description.contains("larger than it declares") == true, "\(String(describing: exploded))")

    // Not a backup at all.
    let bogus = scratch.make()
    try Data("not a zip".utf8).write(to: URL(fileURLWithPath: bogus))
    let destination = try AppConfiguration.resolve(dataDirectory: scratch.make(), environment: quietDemo)
    await #expect(throws: Backups.Failure.self) { _ = try await Tasks.restore(destination, from: bogus) }
    // Through the command line: exit status 1.
    let status = await CommandEnvironment.$values.withValue(["LOG_LEVEL": "critical"]) {
      await HuzhuCommand.run(arguments: ["restore", bogus, "--data-dir", scratch.make()])
    }
    #expect(status == 1)
  }
}

/// How far the writer of a backup test has got, and whether it should stop.
final class WriterProgress: Sendable {
  private let state = Mutex<(written: Int, stopped: Bool)>((0, false))

  var written: Int {
    get { state.withLock { $0.written } }
    set { state.withLock { $0.written = newValue } }
  }

  var stopped: Bool {
    get { state.withLock { $0.stopped } }
    set { state.withLock { $0.stopped = newValue } }
  }
}
