import Foundation
import HuzhuCore
import HuzhuSchemeFiles
import HuzhuTestSupport
import Testing

@Suite("Claim intake, duplicates, documents and the cap ledger")
struct ClaimIntakeTests {
  let today = CalendarDate(year: 2024, month: 6, day: 1)!

  func stay(_ from: (Int, Int), _ to: (Int, Int), invoices: [String] = [], sheet: String? = nil) -> ClaimIntake {
    ClaimIntake(
      hospital: "伊春市中心医院",
      event: ClaimEvent(
        admissionDate: CalendarDate(year: 2024, month: from.0, day: from.1),
        dischargeDate: CalendarDate(year: 2024, month: to.0, day: to.1), claimDate: today,
        figures: SettlementFigures([.inScopeCost: Money(fen: 500_000), .pooledFundPaid: Money(fen: 300_000)])),
      invoiceNumbers: invoices, settlementSheetNumber: sheet)
  }

  @Test func intakeIsValidatedFieldByField() {
    #expect(stay((3, 1), (3, 10)).validate(today: today).isEmpty)
    let backwards = stay((3, 10), (3, 1), invoices: [" "])
    #expect(
      Set(backwards.validate(today: today).map(\.code)) == ["discharge_before_admission", "invalid_invoice_number"])
    let future = stay((6, 2), (6, 3))
    #expect(future.validate(today: today).map(\.field) == ["event.admissionDate", "event.dischargeDate"])
    let nothing = ClaimIntake(event: ClaimEvent(claimDate: today))
    #expect(nothing.validate(today: today).map(\.code) == ["no_event_date"])
    // Two hundred invoices are a long stay's; fifty thousand blank ones are one error, not fifty
    // thousand (each wrong number among the first two hundred is named).
    let many = Array(repeating: "FP-1", count: ClaimIntake.maximumInvoices)
    #expect(stay((3, 1), (3, 10), invoices: many).validate(today: today).isEmpty)
    let flood = stay((3, 1), (3, 10), invoices: Array(repeating: " ", count: 50_000)).validate(today: today)
    #expect(flood.filter { $0.code == "too_many_invoices" }.count == 1)
    #expect(flood.count == 1 + ClaimIntake.maximumInvoices)
  }

  @Test func duplicatesAreFlaggedWithTheEarlierClaim() {
    let earlier = stay((3, 1), (3, 10), invoices: ["INV-001"], sheet: "JS-9")
    let flags = DuplicateFlag.flags(
      for: stay((3, 8), (3, 20), invoices: ["inv-001 "], sheet: "js-9"),
      memberStays: [("LP-1", earlier.stay)], papersSeen: [("LP-1", earlier)])
    #expect(flags.map(\.kind) == [.overlappingStay, .sameInvoice, .sameSettlementSheet])
    #expect(flags.allSatisfy { $0.earlierClaimNumber == "LP-1" })
    #expect(
      DuplicateFlag.flags(
        for: stay((4, 1), (4, 5)), memberStays: [("LP-1", earlier.stay)], papersSeen: [("LP-1", earlier)]
      )
      .isEmpty)
  }

  @Test func documentsAreRecognisedByContentNotName() throws {
    #expect(try DocumentFormat.detect(Data("%PDF-1.7\n".utf8)).get() == .pdf)
    #expect(try DocumentFormat.detect(Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 0])).get() == .jpeg)
    #expect(try DocumentFormat.detect(Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0])).get() == .png)
    guard case .failure(let html) = DocumentFormat.detect(Data("<html>".utf8)) else {
      Issue.record()
      return
    }
    #expect(html.code == "unsupported_format")
    guard case .failure(let empty) = DocumentFormat.detect(Data()) else {
      Issue.record()
      return
    }
    #expect(empty.code == "invalid_size")
  }

  /// Anyang's cap is 100,000 a year: two claims recorded one after the other in the ledger
  /// can never pay more together.
  @Test func theLedgerCarriesCapsFromOneClaimToTheNext() throws {
    let scheme = try SchemeFile.load(RepositoryFiles.path("schemes/anyang.yaml"))
    let worker = Worker(
      name: "王秀英",
      idNumber: ResidentIDNumber.compose(
        region: "410502", birthDate: CalendarDate(year: 1975, month: 1, day: 1)!, sequence: 1, gender: .female),
      unitID: .init())
    let start = CalendarDate(year: 2019, month: 12, day: 15)!
    let cover = Enrollment(
      schemeCode: "anyang", productCode: "anyang-hospital", versionLabel: "2019", workerID: worker.id, unitID: nil,
      period: CoveragePeriod(start: start, months: 12), shares: 1, status: .active, coverFrom: start,
      certificateNumber: "ANYANG-2019-000001", enrolledOn: start, billID: .init())
    let big = ClaimIntake(
      event: ClaimEvent(
        admissionDate: CalendarDate(year: 2020, month: 3, day: 1)!,
        dischargeDate: CalendarDate(year: 2020, month: 4, day: 1)!,
        claimDate: start,
        figures: SettlementFigures([
          .inScopeCost: Money(fen: 30_000_000), .pooledFundPaid: Money(fen: 10_000_000),
          .criticalIllnessInsurancePaid: Money(fen: 5_000_000),
        ])))
    var ledger = CapLedger()
    let claimDate = CalendarDate(year: 2020, month: 4, day: 10)!
    let first = try Adjudicator.adjudicate(
      ClaimCaseBuilder.build(worker: worker, enrollments: [cover], intake: big, claimDate: claimDate, ledger: ledger),
      under: scheme)
    #expect(first.total == Money(fen: 7_480_000))  // base 150,000: 300 + 50% × 149,000
    ledger.record(first, paying: BenefitAmount.split(first, total: nil), event: big.event)
    let second = try Adjudicator.adjudicate(
      ClaimCaseBuilder.build(worker: worker, enrollments: [cover], intake: big, claimDate: claimDate, ledger: ledger),
      under: scheme)
    #expect(second.total == Money(fen: 2_520_000))  // only what is left of 100,000
    ledger.record(second, paying: BenefitAmount.split(second, total: nil), event: big.event)
    #expect(ledger.caseHistory().schemePaid == Money(fen: 10_000_000))
    #expect(ledger.histories["anyang-hospital"]?["anyang-hospital-topup"]?.stays == 2)
    // An appealed approval gives back exactly what it took, read from the stored explanation.
    let stored = ExplanationReport(second, scheme: scheme).document
    ledger.reverse(Explanation(stored), paying: BenefitAmount.split(Explanation(stored), total: nil), event: big.event)
    #expect(ledger.caseHistory().schemePaid == Money(fen: 7_480_000))
    #expect(ledger.histories["anyang-hospital"]?["anyang-hospital-topup"]?.stays == 1)
    #expect(ledger.histories["anyang-hospital"]?["anyang-hospital-topup"]?.paidClaims == 1)
  }

  @Test func anAdjustedTotalIsSplitOverTheBenefits() {
    let outcome = { (benefit: String, fen: Int64) in
      BenefitOutcome(
        product: "p", productName: LocalizedText(zh: "p", en: "p"), version: "1", benefit: benefit,
        benefitName: LocalizedText(zh: benefit, en: benefit), kind: .hospital, lines: [], total: Money(fen: fen),
        endsCover: false)
    }
    let explanation = Explanation(outcomes: [outcome("a", 1000), outcome("b", 500)])
    #expect(BenefitAmount.split(explanation, total: Money(fen: 1200)).map(\.amount.fen) == [1000, 200])
    #expect(BenefitAmount.split(explanation, total: Money(fen: 1800)).map(\.amount.fen) == [1300, 500])
    #expect(BenefitAmount.split(explanation, total: nil).map(\.amount.fen) == [1000, 500])
  }

  @Test func noticesReadAsTextMessages() {
    let text = ClaimNotice.paid.text(claimNumber: "LP-1", amount: Money(fen: 130_000), note: nil, dueOn: nil)
    #expect(text == "【职工互助】互助金1300.00元（申请LP-1）已支付，请注意查收。")
    #expect(
      ClaimNotice.submitted.text(
        claimNumber: "LP-1", amount: nil, note: nil, dueOn: CalendarDate(year: 2026, month: 3, day: 5)!
      ).contains("2026-03-05前办结"))
  }
}
