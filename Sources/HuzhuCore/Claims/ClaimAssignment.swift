import Foundation

/// Claims waiting for review shared out among reviewers (分派): whoever leads the level gives
/// each claim to one reviewer, who then finds it under "mine". Giving a claim to someone does
/// not bar others from reviewing it (a reviewer off sick must not hold claims up); it says
/// whose work it is.
public enum ClaimAssignment {
  /// The states in which a claim waits for a reviewer: newly submitted, or returned for
  /// documents (it comes back to the same person).
  public static let states: Set<ClaimState> = [.submitted, .returned]

  /// How many claims one assignment may give at once (a page of the queue).
  public static let limit = PageQuery.maximumPerPage

  /// Whether `account` may be given claims by someone whose scope is `scope`: an enabled account
  /// holding a role that reviews claims, at a node of that scope.
  public static func mayReceive(_ account: UserAccount, within scope: AccessScope) -> Bool {
    !account.isDisabled && account.roles.permissions.contains(.reviewClaims)
      && scope.contains(organisation: account.organisationID)
  }

  /// Why a claim in `state` cannot be given to a reviewer, or nil when it can.
  public static func refusal(_ state: ClaimState, number: String) -> LocalizedText? {
    guard !states.contains(state) else { return nil }
    return LocalizedText(
      zh: "\(number)：\(state.label.zh)的申请不再等待审核，不能分派",
      en: "\(number): a claim \(state.label.en) no longer waits for review and cannot be assigned")
  }
}

/// Who a claim was given to for review, by whom and when.
public struct ClaimAssignee: Sendable, Equatable {
  public let accountID: UserAccount.ID
  public let name: String
  public let assignedBy: String
  public let assignedAt: Date

  public init(accountID: UserAccount.ID, name: String, assignedBy: String, assignedAt: Date) {
    self.accountID = accountID
    self.name = name
    self.assignedBy = assignedBy
    self.assignedAt = assignedAt
  }
}
