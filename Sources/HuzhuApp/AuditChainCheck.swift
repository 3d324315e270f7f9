import Foundation
import HuzhuCore
import HuzhuPersistence

/// How long the audit log keeps entries before a prune may remove them (archived first). The
/// Cybersecurity Law and MLPS level 3 ask for at least six months.
public struct AuditRetention: Sendable, Hashable {
  public static let minimumDays = 183
  public static let standard = AuditRetention(uncheckedDays: 3 * 365)

  public let days: Int

  /// Nil below ``minimumDays`` or above a century.
  public init?(days: Int) {
    guard (Self.minimumDays...36_500).contains(days) else { return nil }
    self.days = days
  }

  private init(uncheckedDays days: Int) { self.days = days }

  /// The first moment kept on `now`.
  public func cutoff(now: Date) -> Date { now.addingTimeInterval(-Double(days) * 86_400) }
}

/// The audit chain as a whole (``AuditChain``): verified, and pruned after the retention
/// period into an archive that can itself be verified. Installation-wide, for the command line
/// run by IT: the chain spans every federation, so no page shows it.
public struct AuditChainCheck: Sendable {
  let services: AppServices
  static let pageSize = 1_000

  public init(_ services: AppServices) {
    self.services = services
  }

  public struct Verification: Sendable {
    public let start: AuditChain.Start
    public let checked: Int
    public let head: AuditChain.Head?
    public let findings: [AuditChain.Finding]
    public var intact: Bool { findings.isEmpty }
  }

  /// Walks the whole kept chain. `anchors`: heads recorded earlier that must still be there.
  public func verify(anchors: [AuditChain.Head] = []) async throws -> Verification {
    let store = AuditChainStore(database: services.database)
    let start = try await store.start()
    var verifier = AuditChain.Verifier(start: start, anchors: anchors, digest: AuditDigest.sha256)
    var after = start.sequence - 1
    while true {
      let links = try await store.links(after: after, limit: Self.pageSize)
      for link in links { verifier.check(link) }
      guard let last = links.last else { break }
      after = last.seal.sequence
    }
    let findings = verifier.finish(unsealed: try await store.unsealedCount())
    return Verification(start: start, checked: verifier.checked, head: verifier.head, findings: findings)
  }

  /// Verifies an archive a prune wrote (JSON lines, oldest first).
  public static func verify(archive data: Data) throws -> Verification {
    var verifier: AuditChain.Verifier?
    var start = AuditChain.Start.beginning
    for (number, line) in data.split(separator: UInt8(ascii: "\n")).enumerated() {
      guard let entry = try? JSONDecoder().decode(ArchivedEntry.self, from: Data(line)), let link = entry.link else {
        throw ArchiveUnreadable(line: number + 1)
      }
      if verifier == nil {
        start = AuditChain.Start(sequence: link.seal.sequence, previous: link.seal.previous)
        verifier = AuditChain.Verifier(start: start, digest: AuditDigest.sha256)
      }
      verifier?.check(link)
    }
    guard var verifier else { return Verification(start: start, checked: 0, head: nil, findings: []) }
    let findings = verifier.finish(unsealed: 0)
    return Verification(start: start, checked: verifier.checked, head: verifier.head, findings: findings)
  }

  public struct ArchiveUnreadable: Error, CustomStringConvertible {
    public let line: Int
    public var description: String { "line \(line) of the archive is not an audit entry" }
  }

  public struct Pruned: Sendable {
    public let removed: Int
    /// The last entry removed (the kept chain links to it).
    public let through: AuditChain.Head?
    /// SHA-256 of the archive written.
    public let archiveDigest: String
  }

  public enum PruneRefusal: Error, CustomStringConvertible {
    /// A damaged chain is evidence: nothing is removed until it is looked into.
    case chainDamaged([AuditChain.Finding])
    case archiveExists(String)

    public var description: String {
      switch self {
      case .chainDamaged(let findings):
        "the audit chain is damaged, nothing was removed: " + findings.map(\.description).joined(separator: "; ")
      case .archiveExists(let path): "\(path) exists already: an archive is never overwritten"
      }
    }
  }

  /// Writes every entry older than the retention period to `archive` (JSON lines with their
  /// seals, verifiable with ``verify(archive:)``), then removes them from the database and
  /// records where the kept chain starts. Only an audit administrator prunes, only an intact
  /// chain is pruned, and the prune is itself an audit entry naming the archive's digest.
  public func prune(keeping retention: AuditRetention, archive path: String, as actor: Actor) async throws -> Pruned {
    try actor.require(.viewAudit)
    let check = try await verify()
    guard check.intact else { throw PruneRefusal.chainDamaged(check.findings) }
    guard !FileManager.default.fileExists(atPath: path) else { throw PruneRefusal.archiveExists(path) }
    let store = AuditChainStore(database: services.database)
    let cutoff = retention.cutoff(now: services.clock.instant)
    guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
      let file = FileHandle(forWritingAtPath: path)
    else { throw CocoaError(.fileWriteNoPermission) }
    defer { try? file.close() }
    var digest = AuditDigest.Running()
    var after = check.start.sequence - 1
    var last: AuditChain.Head?
    var removed = 0
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    while true {
      let links = try await store.links(before: cutoff, after: after, limit: Self.pageSize)
      // Only the unbroken run from the start: an entry dated before the cutoff that follows a
      // later one stays, with everything after it.
      let run = links.enumerated().prefix { $0.element.seal.sequence == after + 1 + Int64($0.offset) }.map(\.element)
      for link in run {
        let line = try encoder.encode(ArchivedEntry(link)) + Data("\n".utf8)
        try file.write(contentsOf: line)
        digest.update(line)
      }
      removed += run.count
      if let end = run.last {
        last = AuditChain.Head(sequence: end.seal.sequence, hash: end.seal.hash)
        after = end.seal.sequence
      }
      if run.count < Self.pageSize { break }
    }
    try file.synchronize()
    let archiveDigest = digest.finish()
    guard let last else { return Pruned(removed: 0, through: nil, archiveDigest: archiveDigest) }
    try await store.prune(through: last, count: removed, actor: actor.name, archiveDigest: archiveDigest)
    try await AuditTrail(services, actor: actor).record(
      .dataChange, subject: "audit_log",
      detail:
        "删除保存期（\(retention.days)天）前的审计记录 \(removed) 条，至第 \(last.sequence) 条，已归档 sha256:\(archiveDigest)"
        + " / removed \(removed) audit entries older than \(retention.days) days, through \(last.sequence), archived")
    return Pruned(removed: removed, through: last, archiveDigest: archiveDigest)
  }
}

/// One archived audit entry: every field with its seal, as a prune writes it.
struct ArchivedEntry: Codable {
  let sequence: Int64
  let previousHash: String
  let entryHash: String
  let id: UUID
  let atMilliseconds: Int64
  let kind: String
  let actor: String
  let organisationID: UUID?
  let subject: String
  let detail: String
  let address: String?

  init(_ link: AuditChain.Link) {
    sequence = link.seal.sequence
    previousHash = link.seal.previous
    entryHash = link.seal.hash
    id = link.event.id.rawValue
    atMilliseconds = Int64((link.event.at.timeIntervalSince1970 * 1000).rounded())
    kind = link.event.kind.rawValue
    actor = link.event.actor
    organisationID = link.event.organisationID?.rawValue
    subject = link.event.subject
    detail = link.event.detail
    address = link.event.address
  }

  var link: AuditChain.Link? {
    guard let kind = AuditKind(rawValue: kind) else { return nil }
    let event = AuditEvent(
      id: .init(id), at: Date(timeIntervalSince1970: Double(atMilliseconds) / 1000), kind: kind, actor: actor,
      organisationID: organisationID.map { .init($0) }, subject: subject, detail: detail, address: address)
    return AuditChain.Link(event: event, sequence: sequence, previous: previousHash, hash: entryHash)
  }
}
