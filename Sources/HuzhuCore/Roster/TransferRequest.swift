import Foundation

/// A roster row naming someone employed or kept outside the importer's area: a request to the
/// side that keeps them now. Nothing of the person changes until that side confirms; then they
/// move to the requesting unit and the details the roster carried (phone, bank account…) apply.
///
/// The requesting side sees what it typed and the answer, never where the person works; the
/// keeping side sees the person (theirs already) and the unit asking for them.
public struct TransferRequest: Sendable, Equatable, Identifiable {
  public typealias ID = Identifier<TransferRequest>

  public enum Status: String, Sendable, Codable, CaseIterable {
    case pending, confirmed, declined, withdrawn

    public var label: LocalizedText {
      switch self {
      case .pending: LocalizedText(zh: "待对方确认", en: "awaiting confirmation")
      case .confirmed: LocalizedText(zh: "已确认调入", en: "confirmed")
      case .declined: LocalizedText(zh: "对方不同意", en: "declined")
      case .withdrawn: LocalizedText(zh: "已撤回", en: "withdrawn")
      }
    }
  }

  public enum Decision: String, Sendable, Codable, CaseIterable {
    case confirm, decline, withdraw

    var outcome: Status {
      switch self {
      case .confirm: .confirmed
      case .decline: .declined
      case .withdraw: .withdrawn
      }
    }

    public var label: LocalizedText {
      switch self {
      case .confirm: LocalizedText(zh: "同意调出", en: "confirm")
      case .decline: LocalizedText(zh: "不同意", en: "decline")
      case .withdraw: LocalizedText(zh: "撤回申请", en: "withdraw")
      }
    }
  }

  /// The roster row's details, applied when the request is confirmed.
  public struct Details: Sendable, Equatable, Codable {
    /// The ID number and name as the roster gave them.
    public var idNumber: String
    public var name: String
    public var phone: String?
    public var insuranceType: InsuranceType
    public var categories: MemberCategories
    public var bankName: String?
    public var bankAccount: String?
    public var hireDate: CalendarDate?

    public init(_ row: RosterRow) {
      idNumber = row.idNumber?.value ?? ""
      name = row.name
      phone = row.phone
      insuranceType = row.insuranceType
      categories = row.categories
      bankName = row.bankName
      bankAccount = row.bankAccount
      hireDate = row.hireDate
    }

    /// `worker` with these details; blanks keep what was known (as a roster import does).
    public func applied(to worker: Worker) -> Worker {
      var worker = worker
      worker.phone = phone ?? worker.phone
      worker.insuranceType = insuranceType
      if categories != [] { worker.categories = categories }
      worker.bankName = bankName ?? worker.bankName
      worker.bankAccount = bankAccount ?? worker.bankAccount
      return worker
    }
  }

  public let id: ID
  public let workerID: Worker.ID
  /// Who keeps the person now: their unit and its node, or the node keeping their record.
  public let fromUnitID: WorkUnit.ID?
  public let fromOrganisationID: Organisation.ID
  public let toUnitID: WorkUnit.ID
  public let toOrganisationID: Organisation.ID
  public var details: Details
  public var status: Status
  public let requestedBy: String
  public let requestedOn: CalendarDate
  public var decidedBy: String?
  public var decidedOn: CalendarDate?
  public var note: String?

  public init(
    id: ID = ID(), workerID: Worker.ID, fromUnitID: WorkUnit.ID?, fromOrganisationID: Organisation.ID,
    toUnitID: WorkUnit.ID, toOrganisationID: Organisation.ID, details: Details, status: Status = .pending,
    requestedBy: String, requestedOn: CalendarDate, decidedBy: String? = nil, decidedOn: CalendarDate? = nil,
    note: String? = nil
  ) {
    self.id = id
    self.workerID = workerID
    self.fromUnitID = fromUnitID
    self.fromOrganisationID = fromOrganisationID
    self.toUnitID = toUnitID
    self.toOrganisationID = toOrganisationID
    self.details = details
    self.status = status
    self.requestedBy = requestedBy
    self.requestedOn = requestedOn
    self.decidedBy = decidedBy
    self.decidedOn = decidedOn
    self.note = note
  }

  /// A new request for the person `standing` describes, from the row's details.
  public init?(
    row: RosterRow, standing: RegistryStanding, into unit: WorkUnit.ID, at organisation: Organisation.ID,
    requestedBy: String, on date: CalendarDate
  ) {
    guard let from = standing.employment?.organisation ?? standing.homeOrganisation else { return nil }
    self.init(
      workerID: standing.worker, fromUnitID: standing.employment?.unit, fromOrganisationID: from, toUnitID: unit,
      toOrganisationID: organisation, details: Details(row), requestedBy: requestedBy, requestedOn: date)
  }

  /// Whether `scope` shows the side that keeps the person now (and so answers the request).
  public func isKeptWithin(_ scope: AccessScope) -> Bool {
    if let fromUnitID { return scope.contains(unit: fromUnitID, at: fromOrganisationID) }
    return scope.contains(organisation: fromOrganisationID)
  }

  /// Whether `scope` shows the unit that asked.
  public func isRequestedWithin(_ scope: AccessScope) -> Bool {
    scope.contains(unit: toUnitID, at: toOrganisationID)
  }

  /// Why `decision` may not be taken by an operator seeing `scope`, or nil when it may: the
  /// keeping side confirms or declines, the asking side withdraws, and only while pending.
  public func refusal(of decision: Decision, by scope: AccessScope) -> LocalizedText? {
    guard status == .pending else {
      return LocalizedText(
        zh: "该申请已处理（\(status.label.zh)）", en: "the request was answered already (\(status.label.en))")
    }
    switch decision {
    case .confirm, .decline:
      if isKeptWithin(scope) { return nil }
      return LocalizedText(zh: "只有该职工现登记单位所在地区可以答复", en: "only the side keeping the person answers")
    case .withdraw:
      if isRequestedWithin(scope) { return nil }
      return LocalizedText(zh: "只有提出申请的单位可以撤回", en: "only the asking unit withdraws")
    }
  }

  /// The request after `decision`, by `actor` on `date`; nil when ``refusal(of:by:)`` objects.
  public func deciding(_ decision: Decision, by actor: String, on date: CalendarDate, note: String?, scope: AccessScope)
    -> TransferRequest?
  {
    guard refusal(of: decision, by: scope) == nil else { return nil }
    var decided = self
    decided.status = decision.outcome
    decided.decidedBy = actor
    decided.decidedOn = date
    decided.note = note?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
    return decided
  }
}

extension String {
  var nilIfEmpty: String? { isEmpty ? nil : self }
}
