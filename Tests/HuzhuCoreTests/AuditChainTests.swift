import Foundation
import HuzhuCore
import Testing

/// The chain's arithmetic with a stand-in digest (the bytes themselves, readable in a failure):
/// what is sealed, and what the verifier reports.
@Suite("Audit chain (core)")
struct AuditChainTests {
  /// A digest good enough to tell inputs apart; 64 characters like SHA-256's hex.
  static func digest(_ data: Data) -> String {
    var hash: UInt64 = 14_695_981_039_346_656_037
    for byte in data { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
    return String(repeating: String(format: "%016llx", hash), count: 4)
  }

  static let moment = Date(timeIntervalSince1970: 1_800_000_000.5)

  static func event(_ subject: String, detail: String = "", address: String? = nil) -> AuditEvent {
    AuditEvent(at: moment, kind: .export, actor: "audit", subject: subject, detail: detail, address: address)
  }

  static func chain(_ count: Int) -> [AuditChain.Link] {
    var head: AuditChain.Head?
    return (1...count).map { number in
      let event = Self.event("s\(number)")
      let seal = AuditChain.seal(event, after: head, digest: digest)
      head = AuditChain.Head(sequence: seal.sequence, hash: seal.hash)
      return AuditChain.Link(event: event, sequence: seal.sequence, previous: seal.previous, hash: seal.hash)
    }
  }

  static func findings(_ links: [AuditChain.Link], anchors: [AuditChain.Head] = []) -> [AuditChain.Finding] {
    var verifier = AuditChain.Verifier(anchors: anchors, digest: digest)
    for link in links { verifier.check(link) }
    return verifier.finish(unsealed: 0)
  }

  @Test func fieldsAreTakenApartUnambiguously() {
    let a = AuditChain.canonical(Self.event("ab", detail: "c"), sequence: 1, previous: AuditChain.genesis)
    let b = AuditChain.canonical(Self.event("a", detail: "bc"), sequence: 1, previous: AuditChain.genesis)
    let missing = AuditChain.canonical(Self.event("x", address: nil), sequence: 1, previous: AuditChain.genesis)
    let empty = AuditChain.canonical(Self.event("x", address: ""), sequence: 1, previous: AuditChain.genesis)
    #expect(a != b)
    #expect(missing != empty)
    // The moment counts to the millisecond, as both databases store it.
    let later = AuditEvent(
      id: Self.event("x").id, at: Self.moment.addingTimeInterval(0.001), kind: .export, actor: "audit", subject: "x")
    #expect(
      AuditChain.canonical(later, sequence: 1, previous: "")
        != AuditChain.canonical(Self.event("x"), sequence: 1, previous: ""))
    #expect(AuditChain.sealedMoment(Date(timeIntervalSince1970: 10.123_9)) == Date(timeIntervalSince1970: 10.123))
  }

  @Test func anIntactChainHasNoFindings() {
    #expect(Self.findings(Self.chain(5)).isEmpty)
  }

  @Test func removedAlteredAndRelinkedEntriesAreReported() {
    var links = Self.chain(6)
    links.remove(at: 2)
    #expect(Self.findings(links) == [.missing(expected: 3, found: 4)])

    links = Self.chain(4)
    let original = links[1]
    links[1] = AuditChain.Link(
      event: Self.event("changed"), sequence: original.seal.sequence, previous: original.seal.previous,
      hash: original.seal.hash)
    #expect(Self.findings(links) == [.altered(sequence: 2)])

    // An entry taken out and the next one resealed to close the gap: its link is broken.
    links = Self.chain(4)
    let third = links[2]
    let resealed = AuditChain.seal(
      third.event, after: AuditChain.Head(sequence: 1, hash: links[0].seal.hash), digest: Self.digest)
    links = [
      links[0], AuditChain.Link(event: third.event, sequence: 2, previous: resealed.previous, hash: resealed.hash),
      links[3],
    ]
    #expect(Self.findings(links) == [.missing(expected: 3, found: 4)])
  }

  @Test func anchorsMustStillBeThere() {
    let links = Self.chain(5)
    let anchor = AuditChain.Head(sequence: 5, hash: links[4].seal.hash)
    #expect(Self.findings(links, anchors: [anchor]).isEmpty)
    #expect(
      Self.findings(Array(links.prefix(3)), anchors: [anchor]) == [
        .missing(expected: 4, found: nil), .anchorLost(anchor),
      ])
    let wrong = AuditChain.Head(sequence: 2, hash: String(repeating: "f", count: 64))
    #expect(Self.findings(links, anchors: [wrong]) == [.anchorLost(wrong)])
  }

  @Test func headsReadBackAsPrinted() {
    let head = AuditChain.Head(sequence: 42, hash: String(repeating: "ab", count: 32))
    #expect(AuditChain.Head(head.description) == head)
    #expect(AuditChain.Head("42:xyz") == nil)
    #expect(AuditChain.Head("0:" + String(repeating: "a", count: 64)) == nil)
    #expect(AuditChain.Head("99999999999999999999:" + String(repeating: "a", count: 64)) == nil)
  }
}

@Suite("Field changes")
struct FieldChangesTests {
  struct Person {
    var name: String
    var idNumber: String
    var phone: String?
    var bankAccount: String?
    var payable: Money
    var tags: Set<String>
  }

  @Test func changedFieldsAreListedAndPersonalNumbersMasked() {
    let before = Person(
      name: "王芳", idNumber: "410502198001011234", phone: "13800001111", bankAccount: nil, payable: Money(fen: 1_000),
      tags: ["a", "b"])
    var after = before
    after.phone = "13900002222"
    after.bankAccount = "6222020200001234567"
    after.payable = Money(fen: 2_050)
    after.tags = ["b", "a"]
    #expect(
      FieldChanges.between(before, after) == [
        "bankAccount: — → ••••4567", "payable: ¥10.00 → ¥20.50", "phone: ••••1111 → ••••2222",
      ])
    #expect(FieldChanges.summary(before, before) == FieldChanges.unchanged)
    #expect(!FieldChanges.summary(before, after).contains("13900002222"))
  }
}
