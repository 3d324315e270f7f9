import HuzhuCore
import Testing

/// What a claim offers whom in each state, until when it takes changes and papers, and what each
/// step brings with it: decided in the core for the pages, the API and the store alike.
@Suite("Claim actions and their effects")
struct ClaimActionTests {
  let clerk = Role.windowClerk.permissions
  let reviewer = Role.reviewer.permissions
  let approver = Role.approver.permissions

  @Test func eachStateOffersItsStepsToTheRolesThatTakeThem() {
    #expect(ClaimState.draft.actions(offeredTo: clerk) == [.submit])
    #expect(ClaimState.returned.actions(offeredTo: reviewer) == [])
    #expect(ClaimState.submitted.actions(offeredTo: reviewer) == [.review, .return, .reject])
    // An approver does not reject what nobody has reviewed yet.
    #expect(ClaimState.submitted.actions(offeredTo: approver) == [])
    #expect(ClaimState.reviewed.actions(offeredTo: approver) == [.approve, .reject])
    #expect(ClaimState.reviewed.actions(offeredTo: reviewer) == [])
    #expect(ClaimState.rejected.actions(offeredTo: clerk) == [.appeal])
    #expect(ClaimState.approved.actions(offeredTo: clerk) == [.appeal])
    #expect(ClaimState.paid.actions(offeredTo: clerk.union(reviewer).union(approver)) == [])
    // Every action offered is one the role may take.
    for state in ClaimState.allCases {
      for permissions in [clerk, reviewer, approver] {
        for name in state.actions(offeredTo: permissions) {
          #expect(!ClaimAction(name, note: "", rejectionReason: nil).permittedBy.isDisjoint(with: permissions))
        }
      }
    }
  }

  @Test func factsChangeUntilReviewAndPapersUntilADecision() {
    #expect(ClaimState.allCases.filter(\.takesIntakeChanges) == [.draft, .submitted, .returned])
    #expect(ClaimState.allCases.filter(\.takesDocuments) == [.draft, .submitted, .returned, .reviewed])
  }

  @Test func eachStepBringsItsEffects() {
    let submit = ClaimEffects.of(.submit, from: .draft, to: .submitted)
    #expect(submit.recalculates && submit.clock == .start && submit.notice == .submitted && !submit.givesBackApproval)
    #expect(submit.rejection == nil)
    let appeal = ClaimEffects.of(.appeal(reason: "金额有误"), from: .approved, to: .submitted)
    #expect(appeal.givesBackApproval && appeal.historyNote == "金额有误" && appeal.rejection == .clear)
    #expect(!ClaimEffects.of(.appeal(reason: "x"), from: .rejected, to: .submitted).givesBackApproval)
    let returned = ClaimEffects.of(.returnForDocuments(reason: "补出院小结"), from: .submitted, to: .returned)
    #expect(returned.clock == .stop && returned.notice == .returned && returned.noticeNote == "补出院小结")
    let rejected = ClaimEffects.of(.reject(reason: .duplicate, note: "已赔付"), from: .reviewed, to: .rejected)
    #expect(rejected.rejection == .record(.duplicate) && rejected.noticeNote == "重复申请：已赔付")
    // Only the final approval settles the caps; a first level's approval only moves on.
    #expect(ClaimEffects.of(.approve, from: .reviewed, to: .approved).settlesApproval)
    #expect(ClaimEffects.of(.approve, from: .reviewed, to: .reviewed) == ClaimEffects())
    #expect(ClaimEffects.of(.review, from: .submitted, to: .approved).settlesApproval)
  }

  @Test func actionsAreNamedOnce() {
    #expect(ClaimAction(.reject, note: "x", rejectionReason: nil) == .reject(reason: .other, note: "x"))
    #expect(ClaimAction(.return, note: "补件", rejectionReason: .duplicate) == .returnForDocuments(reason: "补件"))
  }
}
