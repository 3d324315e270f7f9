import Foundation
import HuzhuCore
import Testing

@Suite("Resident ID numbers (GB 11643)")
struct ResidentIDNumberTests {
  // The standard's published example number.
  @Test func acceptsAValidNumberAndDerivesBirthAndGender() throws {
    let number = try #require(ResidentIDNumber("11010519491231002X"))
    #expect(number.birthDate == CalendarDate(year: 1949, month: 12, day: 31))
    #expect(number.gender == .female)
    #expect(number.masked == "110105********002X")
    #expect(ResidentIDNumber("11010519491231002x")?.value == "11010519491231002X")
  }

  @Test func explainsEachKindOfMistake() {
    #expect(ResidentIDNumber.validate("1101051949123100") == .failure(.wrongLength))
    #expect(ResidentIDNumber.validate("11010519491231002Y") == .failure(.notDigits))
    #expect(ResidentIDNumber.validate("110105194902300021") == .failure(.invalidBirthDate))
    #expect(ResidentIDNumber.validate("110105194912310021") == .failure(.checksumMismatch(expected: "X")))
    if case .failure(let problem) = ResidentIDNumber.validate("110105194912310021") {
      #expect(problem.message.zh.contains("校验位"))
    }
  }

  @Test func composedNumbersAreValidAndCarryTheirGender() {
    for sequence in 0..<200 {
      for gender in Gender.allCases {
        let birth = CalendarDate(year: 1970 + sequence % 40, month: 1 + sequence % 12, day: 1 + sequence % 28)!
        let number = ResidentIDNumber.compose(region: "410502", birthDate: birth, sequence: sequence, gender: gender)
        #expect(ResidentIDNumber(number.value) == number)
        #expect(number.gender == gender)
        #expect(number.birthDate == birth)
      }
    }
  }
}

@Suite("Unified social credit codes (GB 32100)")
struct CreditCodeTests {
  @Test(arguments: ["91350100M000100Y43", "91110000600037341L", "9144030071526726XG", "91110000600037341l"])
  func acceptsPublishedCodes(text: String) {
    #expect(CreditCode(text)?.value == text.uppercased())
  }

  @Test func explainsEachKindOfMistake() {
    #expect(CreditCode.validate("9135010") == .failure(.wrongLength))
    #expect(CreditCode.validate("91350100M000100I43") == .failure(.invalidCharacter("I")))
    #expect(CreditCode.validate("91350100M000100Y44") == .failure(.checksumMismatch(expected: "3")))
    if case .failure(let problem) = CreditCode.validate("91350100M000100Y44") {
      #expect(problem.message.zh.contains("校验位"))
    }
  }

  @Test func unitsWithABadCodeAreRejectedNamingTheField() {
    let unit = WorkUnit(
      organisationID: .init(), name: "安彩高科", creditCode: "91410500706772860X", sector: .stateEnterprise)
    #expect(WorkUnit.validate(unit, organisationExists: true).map(\.field) == ["creditCode"])
    let good = WorkUnit(
      organisationID: .init(), name: "安彩高科", creditCode: "91110000600037341L", sector: .stateEnterprise)
    #expect(WorkUnit.validate(good, organisationExists: true).isEmpty)
  }
}

@Suite("Time-ordered UUIDs")
struct TimeOrderedUUIDTests {
  @Test func carryTheirMillisecondAndVersionAndSortByTimeAsTextAndBytes() {
    let early = UUID.timeOrdered(at: Date(timeIntervalSince1970: 1_600_000_000.123))
    let late = UUID.timeOrdered(at: Date(timeIntervalSince1970: 1_600_000_000.124))
    let bytes = withUnsafeBytes(of: early.uuid) { Array($0) }
    #expect(bytes[0..<6].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } == 1_600_000_000_123)
    #expect(bytes[6] >> 4 == 7 && bytes[8] >> 6 == 0b10)
    #expect(early.uuidString < late.uuidString)
    // The rest is random: many made in one millisecond are all different.
    let moment = Date()
    #expect(Set((0..<1_000).map { _ in UUID.timeOrdered(at: moment) }).count == 1_000)
    #expect(Identifier<Worker>().rawValue.uuidString.dropFirst(14).first == "7")
  }
}
