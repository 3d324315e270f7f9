import Foundation

/// The audit log as a hash chain: every entry carries a sequence number, the hash of the entry
/// before it and its own hash over both and every field. A row deleted or altered in the
/// database (even after its append-only trigger is dropped) leaves a gap, a broken link or a
/// hash that no longer matches, which ``Verifier`` finds.
///
/// Someone able to rewrite the whole chain from the altered row onwards is caught by an anchor
/// kept outside the database: the head (sequence and hash) that `huzhu audit verify` prints
/// and every audit export ends with must still be in the chain later.
///
/// The hash function is the caller's (SHA-256 in the installation); the core only fixes what
/// is hashed, so the same bytes are sealed on SQLite and PostgreSQL.
public enum AuditChain {
  /// The `previous` of the first entry.
  public static let genesis = String(repeating: "0", count: 64)

  /// The last sealed entry.
  public struct Head: Sendable, Hashable, CustomStringConvertible {
    public let sequence: Int64
    public let hash: String

    public init(sequence: Int64, hash: String) {
      self.sequence = sequence
      self.hash = hash
    }

    /// `sequence:hash`, as printed and as `--anchor` takes it.
    public var description: String { "\(sequence):\(hash)" }

    public init?(_ text: String) {
      let parts = text.split(separator: ":", omittingEmptySubsequences: false)
      guard parts.count == 2, let sequence = Int64(parts[0]), sequence > 0, parts[1].count == 64,
        parts[1].allSatisfy(\.isHexDigit)
      else { return nil }
      self.init(sequence: sequence, hash: parts[1].lowercased())
    }
  }

  /// What a new entry is stored with.
  public struct Seal: Sendable, Hashable {
    public let sequence: Int64
    public let previous: String
    public let hash: String
  }

  /// A stored entry with its seal, as read back for verification.
  public struct Link: Sendable {
    public let event: AuditEvent
    public let seal: Seal

    public init(event: AuditEvent, sequence: Int64, previous: String, hash: String) {
      self.event = event
      self.seal = Seal(sequence: sequence, previous: previous, hash: hash)
    }
  }

  /// The moment an entry is sealed with: whole milliseconds, which both databases store
  /// exactly (SQLite keeps a double of seconds, PostgreSQL microseconds).
  public static func sealedMoment(_ date: Date) -> Date {
    Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
  }

  /// The bytes an entry's hash covers: a version tag, then each field as its UTF-8 length and
  /// text, so that no two different entries share them (a missing field is `-`, distinct from
  /// an empty one).
  public static func canonical(_ event: AuditEvent, sequence: Int64, previous: String) -> Data {
    let milliseconds = Int64((event.at.timeIntervalSince1970 * 1000).rounded())
    let fields: [String?] = [
      String(sequence), previous, event.id.rawValue.uuidString.lowercased(), String(milliseconds),
      event.kind.rawValue, event.actor, event.organisationID?.rawValue.uuidString.lowercased(), event.subject,
      event.detail, event.address,
    ]
    var text = "huzhu-audit-1"
    for field in fields {
      if let field { text += "|\(field.utf8.count):\(field)" } else { text += "|-" }
    }
    return Data(text.utf8)
  }

  /// The seal of `event` appended after `head` (the first entry when `head` is nil).
  public static func seal(_ event: AuditEvent, after head: Head?, digest: (Data) -> String) -> Seal {
    let sequence = (head?.sequence ?? 0) + 1
    let previous = head?.hash ?? genesis
    return Seal(
      sequence: sequence, previous: previous, hash: digest(canonical(event, sequence: sequence, previous: previous)))
  }

  /// Where the chain may legitimately begin: at entry 1, or after entries removed by a
  /// retention prune, which recorded the sequence and link the kept part starts with.
  public struct Start: Sendable, Hashable {
    public let sequence: Int64
    public let previous: String

    public init(sequence: Int64, previous: String) {
      self.sequence = sequence
      self.previous = previous
    }

    public static let beginning = Start(sequence: 1, previous: genesis)
  }

  /// Something wrong with the stored chain.
  public enum Finding: Sendable, Hashable, CustomStringConvertible {
    /// Entries are missing: `expected` was due, `found` came next (or nothing, at the end).
    case missing(expected: Int64, found: Int64?)
    /// The entry's fields no longer give its hash.
    case altered(sequence: Int64)
    /// The entry does not link to the one before it.
    case broken(sequence: Int64)
    /// Rows without a seal: written around the application.
    case unsealed(count: Int)
    /// The anchor recorded earlier is gone or differs.
    case anchorLost(Head)

    public var description: String {
      switch self {
      case .missing(let expected, let found?):
        expected == found - 1
          ? "entry \(expected) is missing" : "entries \(expected) to \(found - 1) are missing"
      case .missing(let expected, nil): "entries from \(expected) on are missing (the chain ends early)"
      case .altered(let sequence): "entry \(sequence) was altered (its hash does not match its fields)"
      case .broken(let sequence): "entry \(sequence) does not link to the entry before it"
      case .unsealed(let count): "\(count) entries carry no seal (written around the application)"
      case .anchorLost(let head): "the anchor \(head) is no longer in the chain"
      }
    }
  }

  /// Walks the chain in sequence order, a page at a time.
  public struct Verifier {
    let digest: (Data) -> String
    public private(set) var findings: [Finding] = []
    public private(set) var head: Head?
    public private(set) var checked = 0
    var expected: Int64
    var previous: String
    var anchors: [Int64: String]
    var anchorsSeen: Set<Int64> = []

    /// `anchors`: heads recorded earlier (from a previous verification or an export) that must
    /// still be in the chain with the same hash.
    public init(start: Start = .beginning, anchors: [Head] = [], digest: @escaping (Data) -> String) {
      self.digest = digest
      expected = start.sequence
      previous = start.previous
      self.anchors = Dictionary(anchors.map { ($0.sequence, $0.hash) }, uniquingKeysWith: { first, _ in first })
    }

    public mutating func check(_ link: Link) {
      checked += 1
      let seal = link.seal
      if seal.sequence != expected {
        findings.append(.missing(expected: expected, found: seal.sequence))
      } else if seal.previous != previous {
        findings.append(.broken(sequence: seal.sequence))
      }
      if digest(canonical(link.event, sequence: seal.sequence, previous: seal.previous)) != seal.hash {
        findings.append(.altered(sequence: seal.sequence))
      }
      if let anchored = anchors[seal.sequence] {
        anchorsSeen.insert(seal.sequence)
        if anchored != seal.hash { findings.append(.anchorLost(Head(sequence: seal.sequence, hash: anchored))) }
      }
      expected = seal.sequence + 1
      previous = seal.hash
      head = Head(sequence: seal.sequence, hash: seal.hash)
    }

    /// Ends the walk: `unsealed` rows found besides the chain.
    public mutating func finish(unsealed: Int) -> [Finding] {
      if unsealed > 0 { findings.append(.unsealed(count: unsealed)) }
      let lost = anchors.filter { !anchorsSeen.contains($0.key) }.sorted { $0.key < $1.key }
      // An anchor past the last entry: the chain was cut short.
      if let last = lost.last, last.key >= expected { findings.append(.missing(expected: expected, found: nil)) }
      findings += lost.map { .anchorLost(Head(sequence: $0.key, hash: $0.value)) }
      return findings
    }
  }
}
