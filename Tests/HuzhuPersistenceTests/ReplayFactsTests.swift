import Foundation
import HuzhuCore
import NIOCore
import Testing

@testable import HuzhuPersistence

/// The replay rows' one value of facts (``ReplayFacts``): every case comes back as it went in,
/// whichever of its optional facts it has, and a damaged value is refused, never misread.
@Suite("Replay facts")
struct ReplayFactsTests {
  /// A case with each optional fact present or absent at random, some nested facts, several
  /// covers, text beyond ASCII, extreme amounts and dates.
  static func randomCase(_ random: inout SplitMix64) -> SimulationCase {
    func maybe<Value>(_ value: @autoclosure () -> Value) -> Value? { Bool.random(using: &random) ? value() : nil }
    func day() -> CalendarDate { CalendarDate(dayNumber: random.int(-700_000...2_900_000)) }
    func fen() -> Money { Money(fen: Int64.random(in: -1_000_000_000_000...1_000_000_000_000, using: &random)) }
    var figures = SettlementFigures()
    for figure in SettlementFigure.allCases { figures[figure] = maybe(fen()) }
    let covers = (0..<random.int(0...3)).map { index in
      HeldCover(
        period: CoveragePeriod(start: day(), end: day()),
        facts: CoverFacts(
          product: index == 0 ? "anyang-hospital" : "女职工特殊疾病-\(index)", start: day(), end: day(),
          shares: maybe(random.int(1...3)), previousCoverEnd: maybe(day()), consecutiveYears: maybe(random.int(1...40)))
      )
    }
    return SimulationCase(
      claimNumber: "AY-2020-\(random.int(0..<1_000_000))", memberID: .init(UUID()), unitID: maybe(.init(UUID())),
      member: MemberFacts(
        birthDate: day(), gender: Bool.random(using: &random) ? .female : .male,
        insuranceType: maybe(InsuranceType.allCases.randomElement(using: &random)!),
        categories: maybe(MemberCategories(MemberCategory.allCases.filter { _ in Bool.random(using: &random) })),
        riskClass: maybe(random.int(-2...6)), cover: []),
      cover: covers,
      event: ClaimEvent(
        admissionDate: maybe(day()), dischargeDate: maybe(day()), settlementDate: maybe(day()),
        diagnosisDate: maybe(day()), accidentDate: maybe(day()), claimDate: day(),
        hospitalDays: maybe(random.int(0...400)),
        figures: maybe(figures),
        diagnoses: maybe([Diagnosis(class: "乳腺癌", severity: maybe(.severe), icd10: maybe("C50.9"))]),
        treatmentCategory: maybe("dialysis"),
        accident: maybe(AccidentFacts(outcome: .disability, disabilityGrade: maybe(7), medicalCost: maybe(fen()))),
        visitDate: maybe(day()), setting: maybe(CareSetting.allCases.randomElement(using: &random)!),
        hospitalLevel: maybe(HospitalLevel.allCases.randomElement(using: &random)!),
        hospitalLocation: maybe(HospitalLocation.allCases.randomElement(using: &random)!), deathDate: maybe(day())),
      decidedOn: day(), paid: fen(), refusal: maybe(RejectionReason.allCases.randomElement(using: &random)!))
  }

  @Test func everyCaseReadsBackAsItWasWritten() throws {
    var random = SplitMix64(seed: 16)
    for _ in 0..<2_000 {
      let claim = Self.randomCase(&random)
      let bytes = try ReplayFacts.encode(claim)
      #expect(try ReplayFacts.decode(ByteBuffer(bytes: bytes)) == claim)
    }
  }

  /// Version 4's layout, byte for byte, and versions 1–3 still read: a change to what is written
  /// (a new settlement figure, another order) must come with a new version byte, since stored
  /// rows are read back.
  @Test func theLayoutsStayAsStored() throws {
    let day = CalendarDate(year: 2020, month: 3, day: 9)!
    let claim = SimulationCase(
      claimNumber: "AY-1", memberID: .init(UUID(uuidString: "00000000-0000-0000-0000-000000000001")!), unitID: nil,
      member: MemberFacts(
        birthDate: day, gender: .female, insuranceType: .urbanEmployee, categories: [.hardship], cover: []),
      cover: [
        HeldCover(period: CoveragePeriod(start: day, end: day), facts: CoverFacts(product: "p", start: day, end: day))
      ],
      event: ClaimEvent(
        admissionDate: day, claimDate: day,
        figures: SettlementFigures([.inScopeCost: Money(fen: 300), .selfFunded: Money(fen: -1)])),
      decidedOn: day, paid: Money(fen: 130))
    // Worked out apart from the encoder: version 3, "AY-1", the member's 16 bytes, no unit,
    // 2020-03-09 packed (e9903f), 130 fen zigzagged (8402), no refusal, the member, one
    // cover, the event.
    let member = "e9903f0666656d616c65010e757262616e5f656d706c6f7965650101086861726473686970" + "00"
    let rest =
      "01e9903fe9903f0170e9903fe9903f0000" + "e9903f01e9903f0000000000" + "01" + "0001d8040000000101" + "000000"
    // Version 2's event has the visit and the setting after the accident's day (absent: 0000).
    let restTwo =
      "01e9903fe9903f0170e9903fe9903f0000" + "e9903f01e9903f000000000000" + "00" + "01" + "0001d8040000000101"
      + "000000"
    // Version 3's cover has the years of unbroken membership after the previous cover's end.
    let restThree =
      "01e9903fe9903f0170e9903fe9903f000000" + "e9903f01e9903f000000000000" + "00" + "01" + "0001d8040000000101"
      + "000000"
    // Version 4 has the hospital's level and location and the day of death after the setting
    // (absent: 000000), and
    // its figures go on with the deductible paid, supplementary insurance and medical
    // assistance (absent: 000000).
    let restFour =
      "01e9903fe9903f0170e9903fe9903f000000" + "e9903f01e9903f000000000000" + "000000" + "00" + "01"
      + "0001d8040000000101" + "000000" + "000000"
    let expected = "040441592d3100000000000000000000000000000001" + "00e9903f8402" + "00" + member + restFour
    #expect(LiteralInserter.hex(try ReplayFacts.encode(claim)) == expected)
    #expect(try ReplayFacts.decode(ByteBuffer(bytes: try ReplayFacts.encode(claim))) == claim)
    // Version 3 (rows written before the three later figures): the same case.
    let versionThree = "030441592d3100000000000000000000000000000001" + "00e9903f8402" + "00" + member + restThree
    #expect(try ReplayFacts.decode(ByteBuffer(bytes: hexBytes(versionThree))) == claim)
    // The medical assistance paid, 2 fen: the last figure present (01, zigzagged 04).
    var event = claim.event
    event.figures?[.medicalAssistancePaid] = Money(fen: 2)
    let assisted = SimulationCase(
      claimNumber: claim.claimNumber, memberID: claim.memberID, unitID: nil, member: claim.member, cover: claim.cover,
      event: event, decidedOn: day, paid: claim.paid)
    #expect(
      LiteralInserter.hex(try ReplayFacts.encode(assisted)).contains("0001d80400000001010000" + "0104" + "000000"))
    #expect(try ReplayFacts.decode(ByteBuffer(bytes: try ReplayFacts.encode(assisted))) == assisted)
    // Version 2 (rows written before continuity rewards): the same case without the years.
    let versionTwo = "020441592d3100000000000000000000000000000001" + "00e9903f8402" + "00" + member + restTwo
    #expect(try ReplayFacts.decode(ByteBuffer(bytes: hexBytes(versionTwo))) == claim)
    // Five years: a present byte and the varint (zigzagged: 0a).
    let loyal = SimulationCase(
      claimNumber: claim.claimNumber, memberID: claim.memberID, unitID: nil, member: claim.member,
      cover: [
        HeldCover(
          period: CoveragePeriod(start: day, end: day),
          facts: CoverFacts(product: "p", start: day, end: day, consecutiveYears: 5))
      ], event: claim.event, decidedOn: day, paid: Money(fen: 130))
    #expect(LiteralInserter.hex(try ReplayFacts.encode(loyal)).contains("01e9903fe9903f0170e9903fe9903f0000010a"))
    #expect(try ReplayFacts.decode(ByteBuffer(bytes: try ReplayFacts.encode(loyal))) == loyal)
    // Version 1 (rows written before refusals were replayed): no refusal, a paid claim.
    let versionOne = "010441592d3100000000000000000000000000000001" + "00e9903f8402" + member + rest
    #expect(try ReplayFacts.decode(ByteBuffer(bytes: hexBytes(versionOne))) == claim)
    // A refusal: "waiting_period" after the amount.
    let refused = SimulationCase(
      claimNumber: claim.claimNumber, memberID: claim.memberID, unitID: nil, member: claim.member, cover: claim.cover,
      event: claim.event, decidedOn: day, paid: .zero, refusal: .waitingPeriod)
    #expect(
      LiteralInserter.hex(try ReplayFacts.encode(refused))
        == "040441592d3100000000000000000000000000000001" + "00e9903f00" + "010e"
        + LiteralInserter.hex(Array("waiting_period".utf8)) + member + restFour)
    #expect(try ReplayFacts.decode(ByteBuffer(bytes: try ReplayFacts.encode(refused))) == refused)
  }

  func hexBytes(_ text: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
      let next = text.index(index, offsetBy: 2)
      bytes.append(UInt8(text[index..<next], radix: 16)!)
      index = next
    }
    return bytes
  }

  /// A value cut short anywhere, with a byte too many, or of another layout version throws
  /// the row's error instead of giving a different case.
  @Test func aDamagedValueIsRefused() throws {
    var random = SplitMix64(seed: 17)
    for _ in 0..<50 {
      let bytes = try ReplayFacts.encode(Self.randomCase(&random))
      for length in 0..<bytes.count {
        #expect(throws: CorruptRow.self) { try ReplayFacts.decode(ByteBuffer(bytes: bytes.prefix(length))) }
      }
      #expect(throws: CorruptRow.self) { try ReplayFacts.decode(ByteBuffer(bytes: bytes + [0])) }
      var otherVersion = bytes
      otherVersion[0] = ReplayFacts.version + 1
      #expect(throws: CorruptRow.self) { try ReplayFacts.decode(ByteBuffer(bytes: otherVersion)) }
    }
  }

  /// Rows come one at a time from the statement and are made into cases a chunk at a time on
  /// other threads: the cases keep the rows' order across chunks, and a bad row fails the read.
  @Test func casesAreAssembledInTheRowsOrderAcrossChunks() async throws {
    struct BadRow: Error {}
    @Sendable func makeCase(_ row: Int) throws -> SimulationCase {
      guard row >= 0 else { throw BadRow() }
      let day = CalendarDate(year: 2020, month: 1, day: 1)!
      return SimulationCase(
        claimNumber: "C\(row)", memberID: .init(UUID()), unitID: nil,
        member: MemberFacts(birthDate: day, gender: .female, cover: []), cover: [],
        event: ClaimEvent(claimDate: day), decidedOn: day, paid: Money(fen: Int64(row)))
    }
    let rows = CaseAssembler<Int>.chunkSize * 2 + 17
    let assembler = CaseAssembler<Int>(makeCase)
    for row in 0..<rows { assembler.append(row) }
    let cases = try await assembler.cases()
    #expect(cases.map { $0.paid.fen } == (0..<rows).map(Int64.init))
    #expect(try await CaseAssembler<Int>(makeCase).cases().isEmpty)
    // Two parts of a period read side by side: their chunks moved into one array, in order.
    let (first, second) = (CaseAssembler<Int>(makeCase), CaseAssembler<Int>(makeCase))
    for row in 0..<rows { (row < 5_000 ? first : second).append(row) }
    let joined = CaseChunk.assemble(try await first.chunks() + second.chunks())
    #expect(joined.map { $0.paid.fen } == (0..<rows).map(Int64.init))
    #expect(joined.map(\.claimNumber) == cases.map(\.claimNumber))

    let failing = CaseAssembler<Int>(makeCase)
    for row in 0..<rows { failing.append(row == CaseAssembler<Int>.chunkSize + 5 ? -1 : row) }
    await #expect(throws: BadRow.self) { try await failing.cases() }
  }
}
