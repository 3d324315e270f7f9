/// What an operator account may do. An account holds one or more roles; the three
/// administrator roles are kept apart (MLPS level 3, "三员分立"): an account holding one
/// of them holds no other role at all.
public enum Role: String, Sendable, Codable, CaseIterable, Comparable {
  /// 窗口受理: enrollments, payments at the window, claim intake, rosters.
  case windowClerk = "window_clerk"
  /// 窗口负责人: a window clerk who may also record an earlier receipt or payment date, with a
  /// reason (papers a county window received last week).
  case windowSupervisor = "window_supervisor"
  /// 审核: reviews claims (returns, reviews, rejects, adjusts).
  case reviewer
  /// 审批: approves or rejects reviewed claims at their organisation's level.
  case approver
  /// 财务: payment batches, the bank's answers, the fund ledger.
  case finance
  /// 基层工会: their own unit only (roster, enrollment, claims for their workers).
  case unitOfficer = "unit_officer"
  /// 领导: read-only dashboards and reports.
  case leader
  /// 包联干部: the hardship pairing ledger.
  case cadre
  /// 方案管理员: products, rule versions and the holiday calendar.
  case schemeAdministrator = "scheme_admin"
  /// 系统管理员: organisations and operator accounts.
  case systemAdministrator = "system_admin"
  /// 安全管理员: unlocks accounts, resets passwords.
  case securityAdministrator = "security_admin"
  /// 审计管理员: reads the audit log, nothing else.
  case auditAdministrator = "audit_admin"

  /// The three administrators of MLPS level 3.
  public static let administrators: Set<Role> = [.systemAdministrator, .securityAdministrator, .auditAdministrator]

  public var isAdministrator: Bool { Self.administrators.contains(self) }

  public static func < (lhs: Role, rhs: Role) -> Bool {
    allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
  }

  public var label: LocalizedText {
    switch self {
    case .windowClerk: LocalizedText(zh: "窗口受理", en: "Window clerk")
    case .windowSupervisor: LocalizedText(zh: "窗口负责人", en: "Window supervisor")
    case .reviewer: LocalizedText(zh: "审核", en: "Reviewer")
    case .approver: LocalizedText(zh: "审批", en: "Approver")
    case .finance: LocalizedText(zh: "财务", en: "Finance")
    case .unitOfficer: LocalizedText(zh: "基层工会", en: "Unit union officer")
    case .leader: LocalizedText(zh: "领导", en: "Leader")
    case .cadre: LocalizedText(zh: "包联干部", en: "Union cadre")
    case .schemeAdministrator: LocalizedText(zh: "方案管理员", en: "Scheme administrator")
    case .systemAdministrator: LocalizedText(zh: "系统管理员", en: "System administrator")
    case .securityAdministrator: LocalizedText(zh: "安全管理员", en: "Security administrator")
    case .auditAdministrator: LocalizedText(zh: "审计管理员", en: "Audit administrator")
    }
  }

  /// What the role allows. The web layer checks these; the stores enforce the scope.
  public var permissions: Set<Permission> {
    switch self {
    case .windowClerk:
      [
        .viewRegistry, .manageUnits, .viewPersonalData, .enroll, .recordPayments, .intakeClaims, .viewClaims,
        .recordOutreach, .managePairings, .export,
      ]
    case .windowSupervisor: Role.windowClerk.permissions.union([.recordEarlierDates])
    case .reviewer: [.viewRegistry, .viewPersonalData, .viewClaims, .reviewClaims, .adjustClaims]
    // The level's approver leads its reviewers: they share out the claims waiting for review.
    case .approver:
      [.viewRegistry, .viewPersonalData, .viewClaims, .approveClaims, .adjustClaims, .assignClaims, .viewFund]
    case .finance:
      [
        .viewRegistry, .viewPersonalData, .viewClaims, .recordPayments, .managePayments, .viewFund, .keepFundLedger,
        .viewReports, .export, .recordEarlierDates,
      ]
    case .unitOfficer: [.viewRegistry, .manageUnits, .viewPersonalData, .enroll, .intakeClaims, .viewClaims]
    case .leader: [.viewRegistry, .viewClaims, .viewFund, .viewReports, .export]
    case .cadre: [.viewRegistry, .managePairings]
    // Rules, the what-if on them, and the agencies' targets (the provincial office's job).
    case .schemeAdministrator: [.viewSchemes, .manageSchemes, .viewReports, .manageTargets]
    case .systemAdministrator: [.manageOrganisations, .manageAccounts]
    case .securityAdministrator: [.unlockAccounts]
    case .auditAdministrator: [.viewAudit]
    }
  }
}

/// One thing an operator may do. Fine-grained so that a role is a readable list.
public enum Permission: String, Sendable, Codable, CaseIterable {
  case viewRegistry
  case manageOrganisations
  /// Units' details, headcounts, rosters.
  case manageUnits
  /// ID numbers, phones and bank accounts in full (each view is audited).
  case viewPersonalData
  case enroll
  case recordPayments
  /// A receipt, request or payment date earlier than today, with a reason (``RecordedDate``).
  case recordEarlierDates
  case intakeClaims
  case viewClaims
  case reviewClaims
  case approveClaims
  case adjustClaims
  /// Giving claims waiting for review to reviewers (``ClaimAssignment``).
  case assignClaims
  case managePayments
  case viewFund
  /// The ledger's own entries: the opening balance taken over, a period's close.
  case keepFundLedger
  /// Statistics, reports and the what-if simulator (read only).
  case viewReports
  /// Agencies' yearly targets.
  case manageTargets
  case export
  case recordOutreach
  case managePairings
  case viewSchemes
  case manageSchemes
  case manageAccounts
  case unlockAccounts
  case viewAudit
}

extension Set where Element == Role {
  public var permissions: Set<Permission> { reduce(into: []) { $0.formUnion($1.permissions) } }

  /// Why this combination of roles may not be given to one account, or nil when it may.
  public var conflict: LocalizedText? {
    if isEmpty { return LocalizedText(zh: "至少需要一个角色", en: "an account needs at least one role") }
    let administrators = intersection(Role.administrators)
    if !administrators.isEmpty && count > 1 {
      return LocalizedText(
        zh: "系统管理员、安全管理员、审计管理员三员分立：不能与其他角色兼任",
        en: "the system, security and audit administrators are separate accounts and hold no other role")
    }
    return nil
  }
}

extension ClaimAction {
  /// The permissions of which an operator needs one to take this action (the workflow then
  /// checks the level and that nobody approves their own review).
  public var permittedBy: Set<Permission> {
    switch self {
    case .submit, .appeal: [.intakeClaims]
    case .returnForDocuments, .review: [.reviewClaims]
    case .reject: [.reviewClaims, .approveClaims]
    case .approve: [.approveClaims]
    case .startPayment, .markPaid, .markPaymentFailed, .markReturnedByBank: [.managePayments]
    case .withdraw, .reopen: [.intakeClaims]
    }
  }
}
