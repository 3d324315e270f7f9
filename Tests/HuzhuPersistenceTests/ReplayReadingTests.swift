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
}
