import Foundation
import HuzhuCore
import HuzhuSchemeFiles
import Testing

/// The decisions behind one-stop claims: what an arriving record is, what a correction does to
/// the claim by its state, matching, the sample drawn for audit, and the workflow's two steps
/// the bureau's changes take.
@Suite("Settlement triage")
struct SettlementTriageTests {
  let day = CalendarDate(year: 2020, month: 6, day: 3)!

  func record(_ id: String = "S1", name: String = "张建国", reversal: Bool = false, valid: Bool = true)
    -> SettlementRecord
  {
    var amounts = SettlementAmounts()
    amounts.inScopeAmount = Money(yuan: 1000)
    amounts.poolPay = Money(yuan: 800)
    return SettlementRecord(
      settlementId: id, originalSettlementId: reversal ? "S0" : nil, reversal: reversal, valid: valid, name: name,
      idNumber: "410502196805151310", medicalType: "21", admissionDate: day, dischargeDate: day, settledOn: day,
      amounts: amounts)
  }

  @Test func anArrivalIsNewUnchangedACorrectionOrACancellation() {
    #expect(SettlementArrival.classify(record(), previous: nil) == .new)
    #expect(SettlementArrival.classify(record(), previous: record()) == .unchanged)
    var changed = record()
    changed.amounts.poolPay = Money(yuan: 700)
    #expect(SettlementArrival.classify(changed, previous: record()) == .corrected)
    #expect(SettlementArrival.classify(record(valid: false), previous: record()) == .cancels(settlementId: "S1"))
    #expect(SettlementArrival.classify(record("R1", reversal: true), previous: nil) == .cancels(settlementId: "S0"))
    #expect(SettlementArrival.classify(record(valid: false), previous: nil) == .voidedOnArrival)
    // A reversal sent again with other values still only cancels: it never becomes a claim.
    var resent = record("R1", reversal: true)
    resent.amounts.poolPay = Money(yuan: -1)
    #expect(SettlementArrival.classify(resent, previous: record("R1", reversal: true)) == .cancels(settlementId: "S0"))
  }

  @Test(arguments: ClaimState.allCases)
  func aCorrectionNeverChangesMoneyThatLeft(state: ClaimState) {
    let correction = SettlementCorrection.plan(for: state, cancelling: false)
    let cancellation = SettlementCorrection.plan(for: state, cancelling: true)
    switch state {
    case .inPayment, .paid:
      #expect(correction == .recovery && cancellation == .recovery)
    case .draft, .returned, .submitted:
      #expect(correction == .updateClaim && cancellation == .withdrawClaim)
    case .reviewed, .approved:
      #expect(correction == .reopenClaim && cancellation == .withdrawClaim)
    case .rejected:
      #expect(correction == .staffDecides && cancellation == .withdrawClaim)
    }
  }

  @Test func matchingNeedsTheMemberTheirNameAndCover() {
    let worker = Worker.ID()
    #expect(SettlementTriage.match(record(), member: nil, holdsCover: true) == .failure(.notMember))
    #expect(SettlementTriage.match(record(), member: (worker, "张建华"), holdsCover: true) == .failure(.nameMismatch))
    #expect(SettlementTriage.match(record(), member: (worker, "张建国"), holdsCover: false) == .failure(.noCover))
    // Spaces and a middle dot are how names differ between systems, not people.
    #expect(SettlementTriage.match(record(name: "张 建国"), member: (worker, "张建国"), holdsCover: true) == .success(worker))
  }

  @Test func theAuditSampleIsStableAndNearItsRate() {
    let ids = (0..<20_000).map { "4105002020\($0)" }
    let drawn = ids.filter { SettlementTriage.isSampled($0, rate: Rate(5, over: 100)) }
    #expect((800...1_200).contains(drawn.count))
    #expect(drawn == ids.filter { SettlementTriage.isSampled($0, rate: Rate(5, over: 100)) })
    #expect(!ids.contains { SettlementTriage.isSampled($0, rate: Rate(0, over: 1)) })
    #expect(ids.allSatisfy { SettlementTriage.isSampled($0, rate: Rate(1, over: 1)) })
  }

  @Test func theBureausChangesWithdrawOrReopenAClaim() {
    let clerk = ClaimActor(accountID: .init(), name: "clerk", organisationKind: .cityFederation)
    let approver = ClaimActor(accountID: .init(), name: "approver", organisationKind: .cityFederation)
    var approved = ClaimProgress(state: .reviewed, reviewedBy: .init(), requiredLevels: [.cityFederation])
    #expect(
      ClaimWorkflow.apply(.approve, to: &approved, by: approver) == .success(.moved(from: .reviewed, to: .approved)))
    var reopened = approved
    #expect(
      ClaimWorkflow.apply(.reopen(reason: "更正"), to: &reopened, by: clerk)
        == .success(.moved(from: .approved, to: .submitted)))
    #expect(reopened.approvals.isEmpty && reopened.reviewedBy == nil)
    var withdrawn = approved
    #expect(
      ClaimWorkflow.apply(.withdraw(reason: "撤销"), to: &withdrawn, by: clerk)
        == .success(.moved(from: .approved, to: .rejected)))
    #expect(ClaimWorkflow.apply(.withdraw(reason: "撤销"), to: &withdrawn, by: clerk) == .success(.alreadyDone))
    var paid = ClaimProgress(state: .paid, requiredLevels: [])
    #expect((try? ClaimWorkflow.apply(.withdraw(reason: "撤销"), to: &paid, by: clerk).get()) == nil)
    let effects = ClaimEffects.of(.withdraw(reason: "撤销"), from: .approved, to: .rejected)
    #expect(effects.givesBackApproval && effects.rejection == .record(.settlementCancelled))

    var submitted = ClaimProgress(state: .submitted, requiredLevels: [.cityFederation, .provincialOffice])
    let system = ClaimActor.straightThrough(at: .cityFederation)
    #expect(ClaimWorkflow.approveStraightThrough(&submitted, by: system))
    #expect(submitted.state == .approved && submitted.approvals.map(\.level) == [.cityFederation, .provincialOffice])
    #expect(!ClaimWorkflow.approveStraightThrough(&submitted, by: system))
  }

  @Test func aSchemeStatesItsOneStopRulesAndTheirLimits() throws {
    let yaml = """
      scheme:
        code: t
        name: 测试
        claims: { oneStop: { supplies: [invoice], straightThrough: { upTo: "3000.00", sample: "10%" } } }
      products:
        - code: p
          name: 住院
          versions:
            - version: "1"
              coverageStarting: { from: 2020-01-01 }
              benefits:
                - code: b
                  name: 住院互助金
                  kind: hospital
                  hospital: { base: { subtract: [in_scope_cost, pooled_fund_paid] }, schedule: { flat: "50%" } }
      """
    let scheme = try SchemeFile.compile(yaml: yaml, file: "t.yaml")
    #expect(scheme.claimsPolicy.oneStop.supplies == ["invoice"])
    #expect(scheme.claimsPolicy.oneStop.straightThroughUpTo == Money(yuan: 3000))
    #expect(scheme.claimsPolicy.oneStop.sample == Rate(1, over: 10))
    let wrong = yaml.replacingOccurrences(of: "\"10%\"", with: "\"150%\"")
    #expect(throws: (any Error).self) { try SchemeFile.compile(yaml: wrong, file: "t.yaml") }
  }

  @Test func theDaysToPaymentAreAveragedOverEveryPaidClaim() {
    #expect(OneStopFigures().averageDaysText == "—")
    #expect(OneStopFigures(daysToPayment: [3: 2, 4: 1]).averageDaysText == "3.3")
    #expect(OneStopFigures(daysToPayment: [1: 1, 2: 1]).averageDaysText == "1.5")
    #expect(OneStopFigures(daysToPayment: [0: 5, 7: 0]).averageDaysText == "0.0")
  }
}
