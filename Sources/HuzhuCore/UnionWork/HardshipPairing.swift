/// One union cadre paired with one hardship worker (包联): the ledger (台账) the Yichun
/// article describes, with the visits made. A cadre may also pay the worker's contribution:
/// that is a third-party payer named in the unit's payer split (`PayerSplitRule`), and the
/// ledger shows which of a cadre's workers are covered.
public struct HardshipPairing: Hashable, Sendable, Codable, Identifiable {
  public typealias ID = Identifier<HardshipPairing>

  public let id: ID
  /// The union node that keeps the ledger.
  public let organisationID: Organisation.ID
  public var cadreName: String
  public var cadrePhone: String?
  public let workerID: Worker.ID
  public var hardshipLevel: HardshipLevel
  public var startedOn: CalendarDate
  public var endedOn: CalendarDate?
  /// The cadre pays the worker's own share of the contribution.
  public var cadrePaysContribution: Bool

  public init(
    id: ID = ID(), organisationID: Organisation.ID, cadreName: String, cadrePhone: String? = nil,
    workerID: Worker.ID, hardshipLevel: HardshipLevel, startedOn: CalendarDate, endedOn: CalendarDate? = nil,
    cadrePaysContribution: Bool = false
  ) {
    self.id = id
    self.organisationID = organisationID
    self.cadreName = cadreName
    self.cadrePhone = cadrePhone
    self.workerID = workerID
    self.hardshipLevel = hardshipLevel
    self.startedOn = startedOn
    self.endedOn = endedOn
    self.cadrePaysContribution = cadrePaysContribution
  }

  public func validate() -> [FieldError] {
    var errors: [FieldError] = []
    if cadreName.trimmingWhitespace.isEmpty || cadreName.count > 50 {
      errors.append(
        FieldError(
          field: "cadreName", code: "invalid_name",
          message: LocalizedText(zh: "请填写包联干部姓名（不超过50字）", en: "give the cadre's name (at most 50 characters)")))
    }
    if let phone = cadrePhone, PhoneNumber.classify(phone) == nil {
      errors.append(
        FieldError(
          field: "cadrePhone", code: "invalid_phone",
          message: LocalizedText(zh: "联系电话格式不正确", en: "not a phone number")))
    }
    if let endedOn, endedOn < startedOn {
      errors.append(
        FieldError(
          field: "endedOn", code: "ends_before_start",
          message: LocalizedText(zh: "结束日期不能早于开始日期", en: "the pairing cannot end before it starts")))
    }
    return errors
  }

  /// The name a payment from this cadre carries on bills and receipts.
  public var payerName: String { "\(cadreName)（包联干部）" }
}

/// 困难职工 levels as union hardship files record them.
public enum HardshipLevel: String, Hashable, Sendable, Codable, CaseIterable {
  /// 深度困难
  case severe
  /// 相对困难
  case relative
  /// 意外致困
  case accidental

  public var label: LocalizedText {
    switch self {
    case .severe: LocalizedText(zh: "深度困难", en: "severe hardship")
    case .relative: LocalizedText(zh: "相对困难", en: "relative hardship")
    case .accidental: LocalizedText(zh: "意外致困", en: "hardship after an accident")
    }
  }
}

/// A cadre's visit to a paired worker, with what was found and done.
public struct PairingVisit: Hashable, Sendable, Codable, Identifiable {
  public typealias ID = Identifier<PairingVisit>

  public let id: ID
  public let pairingID: HardshipPairing.ID
  public var visitedOn: CalendarDate
  public var note: String

  public init(id: ID = ID(), pairingID: HardshipPairing.ID, visitedOn: CalendarDate, note: String) {
    self.id = id
    self.pairingID = pairingID
    self.visitedOn = visitedOn
    self.note = note
  }

  public func validate(today: CalendarDate) -> [FieldError] {
    var errors: [FieldError] = []
    if note.trimmingWhitespace.isEmpty || note.count > 1000 {
      errors.append(
        FieldError(
          field: "note", code: "invalid_note",
          message: LocalizedText(zh: "请填写走访情况（不超过1000字）", en: "describe the visit (at most 1,000 characters)")))
    }
    if today < visitedOn {
      errors.append(.futureDate("visitedOn", LocalizedText(zh: "走访日期", en: "visit date")))
    }
    return errors
  }
}
