import Foundation
import HuzhuCore
import Testing

@testable import HuzhuPersistence

/// The pieces the what-if's SQLite reader relies on: the columns it selects by position are
/// the table's, and its UUID parser reads what Foundation's does and refuses what it refuses.
@Suite("Replay rows, read")
struct ReplayReadingTests {
  @Test func theColumnsReadBackAreColumnsOfTheTableEachOnce() {
    let names = ReplayColumn.allCases.map(\.name)
    #expect(Set(names).count == names.count)
    #expect(Set(names).isSubset(of: ClaimReplays.columns))
    // Everything written is read, but the row's own key, scheme and node.
    #expect(Set(ClaimReplays.columns).subtracting(names) == ["id", "scheme_code", "organisation_id"])
    for figure in SettlementFigure.allCases { #expect(ReplayColumn(figure).name == figure.rawValue) }
    #expect(ReplayColumn.allCases.map(\.rawValue) == Array(0..<ReplayColumn.allCases.count))
  }

  @Test func canonicalUUIDsParseAsFoundationParsesThem() {
    for _ in 0..<1_000 {
      let id = UUID()
      #expect(UUID(canonical: id.uuidString) == id)
      #expect(UUID(canonical: id.uuidString.lowercased()) == id)
    }
    let text = "E621E1F8-C36C-495A-93FC-0C247A3E6E5F"
    #expect(UUID(canonical: text) == UUID(uuidString: text))
    for bad in [
      "", "E621E1F8-C36C-495A-93FC-0C247A3E6E5", "E621E1F8-C36C-495A-93FC-0C247A3E6E5FF",
      "E621E1F8C36C-495A-93FC-0C247A3E6E5F0", "G621E1F8-C36C-495A-93FC-0C247A3E6E5F",
      "E621E1F8-C36C-495A-93FC-0C247A3E6E5 ", "E621E1F8_C36C_495A_93FC_0C247A3E6E5F",
      "E621E1F8-C36C-495A-93FC-0C247A3E6É",
    ] {
      #expect(UUID(canonical: bad) == nil, "\(bad)")
      #expect(UUID(uuidString: bad) == nil, "\(bad)")
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
        event: ClaimEvent(claimDate: day), paidOn: day, paid: Money(fen: Int64(row)))
    }
    let rows = CaseAssembler<Int>.chunkSize * 2 + 17
    let assembler = CaseAssembler<Int>(makeCase)
    for row in 0..<rows { assembler.append(row) }
    let cases = try await assembler.cases()
    #expect(cases.map { $0.paid.fen } == (0..<rows).map(Int64.init))
    #expect(try await CaseAssembler<Int>(makeCase).cases().isEmpty)

    let failing = CaseAssembler<Int>(makeCase)
    for row in 0..<rows { failing.append(row == CaseAssembler<Int>.chunkSize + 5 ? -1 : row) }
    await #expect(throws: BadRow.self) { try await failing.cases() }
  }
}
