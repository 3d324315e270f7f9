import HuzhuCore
import Testing

@Suite("Claim workflow")
struct ClaimWorkflowTests {
  let clerk = ClaimActor(accountID: .init(), name: "窗口 李", organisationKind: .cityAgency)
  let cityApprover = ClaimActor(accountID: .init(), name: "代办处 王", organisationKind: .cityAgency)
  let provinceApprover = ClaimActor(accountID: .init(), name: "办事处 赵", organisationKind: .provincialOffice)
  let county = ClaimActor(accountID: .init(), name: "县总 孙", organisationKind: .countyUnion)

  /// Yichun's path: the city agency, then the provincial office.
  let policy = ApprovalPolicy(default: [.provincialOffice, .cityAgency])

  func apply(_ action: ClaimAction, _ progress: inout ClaimProgress, by actor: ClaimActor) throws -> ClaimTransition {
    try ClaimWorkflow.apply(action, to: &progress, by: actor).get()
  }

  func refusal(_ action: ClaimAction, _ progress: ClaimProgress, by actor: ClaimActor) -> String? {
    var copy = progress
    guard case .failure(let error) = ClaimWorkflow.apply(action, to: &copy, by: actor) else { return nil }
    #expect(copy == progress, "a refused action changes nothing")
    return error.code
  }

  @Test func onlyADecidedClaimHasALetter() {
    #expect(ClaimState.allCases.filter(\.isDecided) == [.approved, .inPayment, .paid, .rejected])
  }

  @Test func levelsComeFromThePolicyLowestFirst() {
    #expect(policy.levels(for: [.hospital]) == [.cityAgency, .provincialOffice])
    let split = ApprovalPolicy(default: [.cityAgency], byKind: [.hospital: [.countyUnion], .lumpSum: [.cityAgency]])
    #expect(split.levels(for: [.hospital]) == [.countyUnion])
    #expect(split.levels(for: [.hospital, .lumpSum]) == [.countyUnion, .cityAgency])
    #expect(split.levels(for: [.accident]) == [.cityAgency])
  }

  @Test func aClaimGoesFromDraftToPaidThroughTwoLevels() throws {
    var claim = ClaimProgress(requiredLevels: policy.levels(for: [.hospital]), missingDocuments: ["settlement_sheet"])
    #expect(refusal(.submit, claim, by: clerk) == "documents_missing")
    claim.missingDocuments = []
    #expect(try apply(.submit, &claim, by: clerk) == .moved(from: .draft, to: .submitted))
    #expect(try apply(.submit, &claim, by: clerk) == .alreadyDone)
    #expect(refusal(.approve, claim, by: cityApprover) == "invalid_transition")
    #expect(try apply(.review, &claim, by: clerk) == .moved(from: .submitted, to: .reviewed))
    // The province cannot approve before the city; the submitter cannot approve at all.
    #expect(refusal(.approve, claim, by: provinceApprover) == "wrong_level")
    #expect(
      refusal(.approve, claim, by: ClaimActor(accountID: clerk.accountID, name: "", organisationKind: .cityAgency))
        == "own_submission")
    #expect(try apply(.approve, &claim, by: cityApprover) == .moved(from: .reviewed, to: .reviewed))
    #expect(claim.nextLevel == .provincialOffice)
    #expect(try apply(.approve, &claim, by: cityApprover) == .alreadyDone)
    #expect(try apply(.approve, &claim, by: provinceApprover) == .moved(from: .reviewed, to: .approved))
    #expect(try apply(.startPayment(batch: "PB-1"), &claim, by: clerk) == .moved(from: .approved, to: .inPayment))
    #expect(try apply(.markPaid(reference: "BANK-1"), &claim, by: clerk) == .moved(from: .inPayment, to: .paid))
    // Paying twice is impossible: the second attempt changes nothing.
    #expect(try apply(.markPaid(reference: "BANK-1"), &claim, by: clerk) == .alreadyDone)
    #expect(refusal(.startPayment(batch: "PB-2"), claim, by: clerk) == "invalid_transition")
    // A paid claim is closed: no appeal.
    #expect(refusal(.appeal(reason: "金额有误"), claim, by: clerk) == "invalid_transition")
  }

  @Test func returnsFailedPaymentsRejectionAndOneAppeal() throws {
    var claim = ClaimProgress(requiredLevels: [.countyUnion])
    _ = try apply(.submit, &claim, by: clerk)
    #expect(refusal(.returnForDocuments(reason: " "), claim, by: clerk) == "reason_required")
    _ = try apply(.returnForDocuments(reason: "缺医保结算单"), &claim, by: clerk)
    #expect(claim.state == .returned)
    _ = try apply(.submit, &claim, by: clerk)
    _ = try apply(.review, &claim, by: clerk)
    _ = try apply(.approve, &claim, by: county)
    #expect(claim.state == .approved)
    _ = try apply(.startPayment(batch: "PB-1"), &claim, by: clerk)
    // The bank refused the account: back to the queue, approval kept.
    #expect(try apply(.markPaymentFailed(reason: "账号有误"), &claim, by: clerk) == .moved(from: .inPayment, to: .approved))
    #expect(claim.approvals.count == 1)

    var rejected = ClaimProgress(requiredLevels: [.countyUnion])
    _ = try apply(.submit, &rejected, by: clerk)
    #expect(refusal(.reject(reason: .waitingPeriod, note: ""), rejected, by: clerk) == "reason_required")
    _ = try apply(.reject(reason: .waitingPeriod, note: "入保第12天住院"), &rejected, by: clerk)
    #expect(try apply(.appeal(reason: "续保未中断"), &rejected, by: clerk) == .moved(from: .rejected, to: .submitted))
    #expect(rejected.appealed)
    _ = try apply(.reject(reason: .waitingPeriod, note: "复核维持"), &rejected, by: clerk)
    #expect(refusal(.appeal(reason: "再次申诉"), rejected, by: clerk) == "already_appealed")
  }

  /// The bank sends a paid transfer back: only a paid claim, only with the bank's reason, and
  /// the claim waits for payment with its approval standing.
  @Test func aPaymentTheBankReturnsGoesBackToThePaymentQueue() throws {
    var claim = ClaimProgress(requiredLevels: [.countyUnion])
    _ = try apply(.submit, &claim, by: clerk)
    _ = try apply(.review, &claim, by: clerk)
    _ = try apply(.approve, &claim, by: county)
    #expect(refusal(.markReturnedByBank(reason: "账户已销户"), claim, by: clerk) == "invalid_transition")
    _ = try apply(.startPayment(batch: "PB-1"), &claim, by: clerk)
    #expect(refusal(.markReturnedByBank(reason: "账户已销户"), claim, by: clerk) == "invalid_transition")
    _ = try apply(.markPaid(reference: "BANK-1"), &claim, by: clerk)
    #expect(refusal(.markReturnedByBank(reason: " "), claim, by: clerk) == "reason_required")
    #expect(
      try apply(.markReturnedByBank(reason: "账户已销户"), &claim, by: clerk) == .moved(from: .paid, to: .approved))
    #expect(claim.approvals.count == 1)
    #expect(try apply(.startPayment(batch: "PB-2"), &claim, by: clerk) == .moved(from: .approved, to: .inPayment))
    #expect(ClaimAction.markReturnedByBank(reason: "x").permittedBy == [.managePayments])
    let effects = ClaimEffects.of(.markReturnedByBank(reason: "户名不符"), from: .paid, to: .approved)
    #expect(effects.notice == .paymentReturned && effects.noticeNote == "户名不符")
    #expect(!effects.givesBackApproval && !effects.recalculates)
    #expect(
      ClaimNotice.paymentReturned.text(claimNumber: "LP-1", amount: nil, note: "户名不符", dueOn: nil)
        .contains("被银行退回：户名不符"))
  }

  @Test func aPolicyWithoutLevelsApprovesOnReview() throws {
    var claim = ClaimProgress(requiredLevels: [])
    _ = try apply(.submit, &claim, by: clerk)
    #expect(try apply(.review, &claim, by: clerk) == .moved(from: .submitted, to: .approved))
  }
}

/// Who may be given claims to review, and which claims may be given.
@Suite("Claim assignment")
struct ClaimAssignmentTests {
  let anyang = Organisation.ID()

  func account(_ roles: Set<Role>, at node: Organisation.ID? = nil, disabled: Bool = false) -> UserAccount {
    UserAccount(
      username: "someone", displayName: "某人", organisationID: node ?? anyang, roles: roles, passwordHash: "x",
      isDisabled: disabled)
  }

  @Test func onlyEnabledReviewersOfTheAreaReceiveClaims() {
    let area = AccessScope.organisations([anyang])
    #expect(ClaimAssignment.mayReceive(account([.reviewer]), within: area))
    #expect(!ClaimAssignment.mayReceive(account([.reviewer], disabled: true), within: area))
    #expect(!ClaimAssignment.mayReceive(account([.approver]), within: area))
    #expect(!ClaimAssignment.mayReceive(account([.reviewer], at: Organisation.ID()), within: area))
  }

  @Test func onlyClaimsWaitingForReviewAreGivenOut() {
    #expect(ClaimAssignment.refusal(.submitted, number: "LP-1") == nil)
    #expect(ClaimAssignment.refusal(.returned, number: "LP-1") == nil)
    for state in ClaimState.allCases where ![.submitted, .returned].contains(state) {
      #expect(ClaimAssignment.refusal(state, number: "LP-1")?.zh.hasPrefix("LP-1：") == true)
    }
    #expect(Role.approver.permissions.contains(.assignClaims))
    #expect(!Role.reviewer.permissions.contains(.assignClaims))
  }
}
