import Foundation

/// How a claim came in.
public enum ClaimChannel: String, Hashable, Sendable, Codable, CaseIterable {
  /// A window clerk for a worker standing at the counter.
  case window
  /// A unit union officer for the unit's workers.
  case unit
  /// The worker, through self-service.
  case selfService = "self_service"
  /// Made from the medical-insurance settlement itself (一站式结算): no papers, no window.
  case settlement

  public var label: LocalizedText {
    switch self {
    case .window: LocalizedText(zh: "窗口受理", en: "service window")
    case .unit: LocalizedText(zh: "单位代办", en: "unit officer")
    case .selfService: LocalizedText(zh: "职工自助", en: "self-service")
    case .settlement: LocalizedText(zh: "一站式结算", en: "one-stop settlement")
    }
  }
}

/// What happened, as the intake form records it: the engine's event facts plus the papers'
/// numbers that duplicate detection reads.
public struct ClaimIntake: Equatable, Sendable, Codable {
  public var hospital: String?
  public var event: ClaimEvent
  /// Hospital invoice numbers (住院费用票据号).
  public var invoiceNumbers: [String]
  /// The medical-insurance settlement sheet's number (医保结算单号).
  public var settlementSheetNumber: String?
  /// For a claim made from a settlement record: which, and the papers it stands for.
  public var settlement: SettlementLink?

  public init(
    hospital: String? = nil, event: ClaimEvent, invoiceNumbers: [String] = [], settlementSheetNumber: String? = nil,
    settlement: SettlementLink? = nil
  ) {
    self.hospital = hospital
    self.event = event
    self.invoiceNumbers = invoiceNumbers
    self.settlementSheetNumber = settlementSheetNumber
    self.settlement = settlement
  }

  /// The most invoices one claim may name: a long stay's receipts, not a file of them.
  public static let maximumInvoices = 200

  /// Every problem with the facts as entered, each naming its field.
  public func validate(today: CalendarDate) -> [FieldError] {
    var errors: [FieldError] = []
    let dates: [(String, CalendarDate?)] = [
      ("event.claimDate", event.claimDate),
      ("event.admissionDate", event.admissionDate), ("event.dischargeDate", event.dischargeDate),
      ("event.visitDate", event.visitDate),
      ("event.settlementDate", event.settlementDate), ("event.diagnosisDate", event.diagnosisDate),
      ("event.accidentDate", event.accidentDate), ("event.deathDate", event.deathDate),
    ]
    for (field, date) in dates {
      if let date, today < date {
        errors.append(.futureDate(field, LocalizedText(zh: "日期", en: "date")))
      }
    }
    if let admission = event.admissionDate, let discharge = event.dischargeDate, discharge < admission {
      errors.append(
        FieldError(
          field: "event.dischargeDate", code: "discharge_before_admission",
          message: LocalizedText(zh: "出院日期不能早于入院日期", en: "discharge cannot be before admission")))
    }
    if event.eventDate == nil {
      errors.append(
        FieldError(
          field: "event", code: "no_event_date",
          message: LocalizedText(
            zh: "请填写入院日期、就诊日期、确诊日期、意外发生日期或身故日期",
            en: "give the admission, visit, diagnosis, accident or death date")))
    }
    // A stay has admission and discharge; a visit or day case its one day.
    if event.visitDate != nil && (event.admissionDate != nil || event.dischargeDate != nil) {
      errors.append(
        FieldError(
          field: "event.visitDate", code: "visit_and_stay",
          message: LocalizedText(
            zh: "门诊或日间就诊只填就诊日期，不填入院、出院日期",
            en: "an outpatient visit or day case has a visit date, not admission and discharge")))
    }
    if event.setting == .inpatient && event.admissionDate == nil {
      errors.append(
        FieldError(
          field: "event.admissionDate", code: "missing",
          message: LocalizedText(zh: "住院须填写入院日期", en: "a stay needs its admission date")))
    }
    if (event.setting == .outpatient || event.setting == .dayCase) && event.visitDate == nil {
      errors.append(
        FieldError(
          field: "event.visitDate", code: "missing",
          message: LocalizedText(zh: "门诊或日间就诊须填写就诊日期", en: "an outpatient visit or day case needs its date")))
    }
    if event.visitDate != nil, let days = event.hospitalDays, days > 1 {
      errors.append(
        FieldError(
          field: "event.hospitalDays", code: "days_for_a_visit",
          message: LocalizedText(zh: "门诊或日间就诊的住院天数至多为1天", en: "a visit or day case spans at most one day")))
    }
    if let days = event.hospitalDays, days < 0 || days > 3660 {
      errors.append(
        FieldError(
          field: "event.hospitalDays", code: "invalid_days",
          message: LocalizedText(zh: "住院天数应为0–3660", en: "hospital days are 0–3,660")))
    }
    for figure in SettlementFigure.allCases {
      if let amount = event.figures?[figure], amount.isNegative {
        errors.append(
          FieldError(
            field: "event.figures.\(figure.rawValue)", code: "negative_amount",
            message: LocalizedText(zh: "金额不能为负数", en: "an amount cannot be negative")))
      }
    }
    if invoiceNumbers.count > Self.maximumInvoices {
      errors.append(
        FieldError(
          field: "invoiceNumbers", code: "too_many_invoices",
          message: LocalizedText(
            zh: "一件申请至多\(Self.maximumInvoices)张票据", en: "a claim has at most \(Self.maximumInvoices) invoices")))
    }
    // Each wrong number is named, among the first that may be given (not one error per number
    // of a list of thousands).
    for (index, number) in invoiceNumbers.prefix(Self.maximumInvoices).enumerated()
    where number.trimmingWhitespace.isEmpty || number.count > 40 {
      errors.append(
        FieldError(
          field: "invoiceNumbers[\(index)]", code: "invalid_invoice_number",
          message: LocalizedText(zh: "票据号应为1–40个字符", en: "an invoice number is 1–40 characters")))
    }
    errors += FieldError.tooLong([
      ("hospital", hospital, 100), ("settlementSheetNumber", settlementSheetNumber, 40),
    ])
    return errors
  }

  /// Invoice and settlement-sheet numbers as compared across claims: trimmed, upper case.
  public var paperNumbers: [(kind: String, number: String)] {
    var result = invoiceNumbers.map { (kind: "invoice", number: $0.trimmingWhitespace.uppercased()) }
    if let sheet = settlementSheetNumber?.trimmingWhitespace.uppercased(), !sheet.isEmpty {
      result.append((kind: "settlement_sheet", number: sheet))
    }
    return result
  }

  /// The day the event happened, for cover and duplicate checks.
  public var eventDate: CalendarDate? { event.eventDate }

  /// The stay or visit, when the claim is for one: what duplicate checks compare.
  public var stay: CoveragePeriod? {
    Self.stay(admission: event.admissionDate, discharge: event.dischargeDate, visit: event.visitDate)
  }

  /// The days of care these dates give: the visit's day, or admission to discharge.
  public static func stay(admission: CalendarDate?, discharge: CalendarDate?, visit: CalendarDate?) -> CoveragePeriod? {
    if let visit { return CoveragePeriod(start: visit, end: visit) }
    guard let admission else { return nil }
    return CoveragePeriod(start: admission, end: discharge ?? admission)
  }
}

/// A reviewer's change to the calculated amount; the calculation itself stays on the claim.
public struct ClaimAdjustment: Hashable, Sendable, Codable {
  public let amount: Money
  public let justification: String
  public let by: String

  public init(amount: Money, justification: String, by: String) {
    self.amount = amount
    self.justification = justification
    self.by = by
  }

  public func validate(calculated: Money) -> [FieldError] {
    var errors: [FieldError] = []
    if amount.isNegative {
      errors.append(
        FieldError(
          field: "amount", code: "negative_amount",
          message: LocalizedText(zh: "金额不能为负数", en: "an amount cannot be negative")))
    }
    if justification.trimmingWhitespace.count < 4 {
      errors.append(
        FieldError(
          field: "justification", code: "justification_required",
          message: LocalizedText(
            zh: "调整金额须写明理由（至少4个字）", en: "an adjustment needs a written justification (4 characters or more)")))
    }
    if amount == calculated {
      errors.append(
        FieldError(
          field: "amount", code: "no_change",
          message: LocalizedText(zh: "调整后的金额与计算结果相同", en: "the adjusted amount equals the calculation")))
    }
    return errors
  }
}

/// An earlier claim that looks like the same event.
public struct DuplicateFlag: Hashable, Sendable, Codable {
  public enum Kind: String, Hashable, Sendable, Codable {
    case overlappingStay = "overlapping_stay"
    case sameInvoice = "same_invoice"
    case sameSettlementSheet = "same_settlement_sheet"

    public var label: LocalizedText {
      switch self {
      case .overlappingStay: LocalizedText(zh: "住院时间与既有申请重叠", en: "the stay overlaps an earlier claim")
      case .sameInvoice: LocalizedText(zh: "票据号已在既有申请中出现", en: "an invoice number was claimed before")
      case .sameSettlementSheet: LocalizedText(zh: "结算单号已在既有申请中出现", en: "the settlement sheet was claimed before")
      }
    }
  }

  public let kind: Kind
  public let earlierClaimNumber: String
  /// The invoice or sheet number, for those kinds.
  public let detail: String?

  public init(kind: Kind, earlierClaimNumber: String, detail: String? = nil) {
    self.kind = kind
    self.earlierClaimNumber = earlierClaimNumber
    self.detail = detail
  }

  /// Flags for `intake` against earlier claims: the member's own (their stays, ``ClaimIntake/stay``),
  /// and anyone's (the papers: an invoice or settlement sheet belongs to one stay of one person).
  ///
  /// `takenOver`: claims paid before Huzhu (the member's for stays, anyone's for sheets), named
  /// by their old reference.
  public static func flags(
    for intake: ClaimIntake, memberStays: [(number: String, stay: CoveragePeriod?)],
    papersSeen: [(number: String, intake: ClaimIntake)], takenOver: [TakenOverClaim] = []
  ) -> [DuplicateFlag] {
    var flags: [DuplicateFlag] = []
    if let stay = intake.stay {
      for earlier in memberStays where earlier.stay.map(stay.overlaps) == true {
        flags.append(DuplicateFlag(kind: .overlappingStay, earlierClaimNumber: earlier.number))
      }
      for earlier in takenOver where earlier.isMember && earlier.stay.map(stay.overlaps) == true {
        flags.append(DuplicateFlag(kind: .overlappingStay, earlierClaimNumber: earlier.reference))
      }
    }
    if let sheet = intake.settlementSheetNumber?.trimmingWhitespace.uppercased(), !sheet.isEmpty {
      for earlier in takenOver where earlier.settlementSheet == sheet {
        flags.append(DuplicateFlag(kind: .sameSettlementSheet, earlierClaimNumber: earlier.reference, detail: sheet))
      }
    }
    let invoices = Set(intake.invoiceNumbers.map { $0.trimmingWhitespace.uppercased() })
    for earlier in papersSeen {
      for number in earlier.intake.invoiceNumbers where invoices.contains(number.trimmingWhitespace.uppercased()) {
        flags.append(DuplicateFlag(kind: .sameInvoice, earlierClaimNumber: earlier.number, detail: number))
      }
      if let sheet = intake.settlementSheetNumber?.trimmingWhitespace.uppercased(), !sheet.isEmpty,
        earlier.intake.settlementSheetNumber?.trimmingWhitespace.uppercased() == sheet
      {
        flags.append(DuplicateFlag(kind: .sameSettlementSheet, earlierClaimNumber: earlier.number, detail: sheet))
      }
    }
    return flags
  }
}

/// A claim paid before Huzhu, as the take-over kept it, for duplicate checks.
public struct TakenOverClaim: Hashable, Sendable {
  /// The old system's reference, shown as the earlier claim.
  public let reference: String
  public let stay: CoveragePeriod?
  public let settlementSheet: String?
  /// Whether it was the member's own (a stay overlaps only the same person's).
  public let isMember: Bool

  public init(reference: String, stay: CoveragePeriod?, settlementSheet: String?, isMember: Bool) {
    self.reference = reference
    self.stay = stay
    self.settlementSheet = settlementSheet
    self.isMember = isMember
  }
}

/// A scanned document's kind by content, never by its name.
public enum DocumentFormat: String, Hashable, Sendable, Codable, CaseIterable {
  case pdf, jpeg, png

  public static let maximumBytes = 10 * 1024 * 1024

  public var contentType: String {
    switch self {
    case .pdf: "application/pdf"
    case .jpeg: "image/jpeg"
    case .png: "image/png"
    }
  }

  /// The format the bytes are in, or the reason they are refused.
  public static func detect(_ bytes: Data) -> Result<DocumentFormat, FieldError> {
    if bytes.isEmpty || bytes.count > maximumBytes {
      return .failure(
        FieldError(
          field: "file", code: "invalid_size",
          message: LocalizedText(zh: "文件应为1字节至10 MB", en: "a file is 1 byte to 10 MB")))
    }
    if bytes.starts(with: Array("%PDF-".utf8)) { return .success(.pdf) }
    if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .success(.jpeg) }
    if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .success(.png) }
    return .failure(
      FieldError(
        field: "file", code: "unsupported_format",
        message: LocalizedText(
          zh: "只接受 PDF、JPEG 或 PNG 扫描件（按文件内容判断）", en: "only PDF, JPEG or PNG scans (judged by content)")))
  }
}

/// Names of the documents a rule version can require.
public enum RequiredDocument {
  /// The kinds of document the system knows by name (a scheme may ask for others).
  public static let knownCodes = [
    "certificate", "diagnosis", "invoice", "settlement_sheet", "discharge_summary", "id_card", "bank_card",
    "accident_report",
  ]

  public static func label(_ code: String) -> LocalizedText {
    switch code {
    case "certificate": LocalizedText(zh: "互助金保障书", en: "certificate")
    case "diagnosis": LocalizedText(zh: "诊断证明原件", en: "original diagnosis")
    case "invoice": LocalizedText(zh: "住院费用票据", en: "hospital invoices")
    case "settlement_sheet": LocalizedText(zh: "医保结算单", en: "settlement sheet")
    case "discharge_summary": LocalizedText(zh: "出院小结", en: "discharge summary")
    case "id_card": LocalizedText(zh: "身份证复印件", en: "ID card copy")
    case "bank_card": LocalizedText(zh: "银行卡复印件", en: "bank card copy")
    case "accident_report": LocalizedText(zh: "意外事故证明", en: "accident report")
    default: LocalizedText(zh: code, en: code)
    }
  }
}

/// The settlement record a claim was made from, and the documents it stands for (the scheme's
/// ``OneStopPolicy/supplies`` when the claim was made).
public struct SettlementLink: Hashable, Sendable, Codable {
  public let source: String
  public let settlementId: String
  public let supplies: [String]

  public init(source: String, settlementId: String, supplies: [String]) {
    self.source = source
    self.settlementId = settlementId
    self.supplies = supplies
  }
}
