import Foundation
import HuzhuApp
import HuzhuCore

/// The intake form at the window: the member, the stay, the settlement sheet's figures and
/// the scans. Everything typed comes back with the errors next to their fields.
enum ClaimFormPage {
  /// The form's fields as typed.
  struct Form: Sendable {
    var schemeCode = ""
    var hospital = ""
    /// `inpatient` (the default), `day_case` or `outpatient`.
    var setting = CareSetting.inpatient.rawValue
    /// A ``HospitalLevel`` and a ``HospitalLocation``, or empty: not stated.
    var hospitalLevel = ""
    var hospitalLocation = ""
    var admissionDate = ""
    /// An outpatient visit's or a day case's day.
    var visitDate = ""
    /// The member's death, for a death benefit.
    var deathDate = ""
    var dischargeDate = ""
    var settlementDate = ""
    /// The receipt date: today, unless someone allowed to records an earlier one.
    var claimDate = ""
    var claimDateReason = ""
    var hospitalDays = ""
    var invoiceNumbers = ""
    var settlementSheetNumber = ""
    var figures: [SettlementFigure: String] = [:]
    var expedited = false

    /// Reads the posted form (`application/x-www-form-urlencoded` or multipart).
    init(fields: [String: String]) {
      schemeCode = fields["schemeCode"] ?? ""
      hospital = fields["hospital"] ?? ""
      setting = fields["setting"] ?? CareSetting.inpatient.rawValue
      hospitalLevel = fields["hospitalLevel"] ?? ""
      hospitalLocation = fields["hospitalLocation"] ?? ""
      admissionDate = fields["admissionDate"] ?? ""
      visitDate = fields["visitDate"] ?? ""
      deathDate = fields["deathDate"] ?? ""
      dischargeDate = fields["dischargeDate"] ?? ""
      settlementDate = fields["settlementDate"] ?? ""
      claimDate = fields["claimDate"] ?? ""
      claimDateReason = fields["claimDateReason"] ?? ""
      hospitalDays = fields["hospitalDays"] ?? ""
      invoiceNumbers = fields["invoiceNumbers"] ?? ""
      settlementSheetNumber = fields["settlementSheetNumber"] ?? ""
      for figure in SettlementFigure.allCases { figures[figure] = fields["figure_\(figure.rawValue)"] ?? "" }
      expedited = fields["expedited"] == "on"
    }

    init(today: CalendarDate, schemeCode: String) {
      self.claimDate = today.description
      self.schemeCode = schemeCode
    }

    /// The intake as typed (received `today` unless a date is asked for), the receipt date
    /// asked for and why, or every field that is wrong. Whether an earlier date may stand is
    /// the use case's decision (``RecordedDate``).
    func intake(today: CalendarDate) -> Result<
      (intake: ClaimIntake, receivedOn: CalendarDate?, reason: String), ValidationFailure
    > {
      var errors: [FieldError] = []
      func date(_ text: String, _ field: String) -> CalendarDate? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        guard let date = CalendarDate(trimmed) else {
          errors.append(
            FieldError(
              field: field, code: "invalid_date",
              message: LocalizedText(zh: "日期格式应为 2024-03-01", en: "write dates as 2024-03-01")))
          return nil
        }
        return date
      }
      let requested = date(claimDate, "event.claimDate")
      let admission = date(admissionDate, "event.admissionDate")
      let visit = date(visitDate, "event.visitDate")
      let death = date(deathDate, "event.deathDate")
      // A death without a stay or a visit is an event of its own: the setting (always posted,
      // inpatient by default) is not its.
      let careSetting = death != nil && admission == nil && visit == nil ? nil : CareSetting(rawValue: setting)
      if careSetting == nil && (death == nil || admission != nil || visit != nil) {
        errors.append(
          FieldError(
            field: "event.setting", code: "invalid_setting",
            message: LocalizedText(zh: "请选择住院、日间手术或门诊", en: "choose inpatient, day case or outpatient")))
      }
      let level = hospitalLevel.isEmpty ? nil : HospitalLevel(rawValue: hospitalLevel)
      if !hospitalLevel.isEmpty && level == nil {
        errors.append(
          FieldError(
            field: "event.hospitalLevel", code: "invalid_level",
            message: LocalizedText(zh: "请选择医院等级", en: "choose the hospital's level")))
      }
      let location = hospitalLocation.isEmpty ? nil : HospitalLocation(rawValue: hospitalLocation)
      if !hospitalLocation.isEmpty && location == nil {
        errors.append(
          FieldError(
            field: "event.hospitalLocation", code: "invalid_location",
            message: LocalizedText(zh: "请选择就医地", en: "choose where the hospital is")))
      }
      let discharge = date(dischargeDate, "event.dischargeDate")
      let settlement = date(settlementDate, "event.settlementDate")
      var days: Int?
      if !hospitalDays.trimmingCharacters(in: .whitespaces).isEmpty {
        days = Int(hospitalDays.trimmingCharacters(in: .whitespaces))
        if days == nil || days! < 0 {
          errors.append(
            FieldError(
              field: "event.hospitalDays", code: "invalid_days",
              message: LocalizedText(zh: "住院天数应为非负整数", en: "days must be a whole number")))
        }
      }
      var amounts: [SettlementFigure: Money] = [:]
      for figure in SettlementFigure.allCases {
        let text = (figures[figure] ?? "").trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { continue }
        guard let money = Money(typed: text), money >= .zero else {
          errors.append(
            FieldError(
              field: "event.figures.\(figure.rawValue)", code: "invalid_amount",
              message: LocalizedText(zh: "金额应为元，最多两位小数", en: "an amount in yuan with at most two decimals")))
          continue
        }
        amounts[figure] = money
      }
      guard errors.isEmpty else { return .failure(ValidationFailure(errors)) }
      // `isNewline`: a textarea's CRLF is one Character, not "\n".
      let invoices = invoiceNumbers.split(whereSeparator: { $0.isNewline || ",，、 ".contains($0) }).map(String.init)
      return .success(
        (
          ClaimIntake(
            hospital: hospital.trimmingCharacters(in: .whitespaces).nilIfEmpty,
            event: ClaimEvent(
              admissionDate: admission, dischargeDate: discharge, settlementDate: settlement,
              claimDate: requested ?? today, hospitalDays: days,
              figures: amounts.isEmpty ? nil : SettlementFigures(amounts), visitDate: visit, setting: careSetting,
              hospitalLevel: level, hospitalLocation: location, deathDate: death),
            invoiceNumbers: invoices,
            settlementSheetNumber: settlementSheetNumber.trimmingCharacters(in: .whitespaces).nilIfEmpty),
          requested, claimDateReason
        ))
    }
  }

  /// The scans the form offers a file input for: the checklist every claim needs.
  static let scanKinds = ["certificate", "diagnosis", "invoice", "settlement_sheet"]

  struct Model {
    let worker: Worker
    /// The schemes the member holds paid cover in.
    let schemes: [(code: String, name: String)]
    var form: Form
    var errors: [FieldError] = []
    /// Scans kept from a refused try, by kind: shown by name, sent back with the form.
    var held: [String: HeldScans.Held] = [:]

    init(worker: Worker, schemes: [(code: String, name: String)], form: Form) {
      self.worker = worker
      self.schemes = schemes
      self.form = form
    }

    init(choices: Claims.IntakeChoices, today: CalendarDate) {
      self.init(
        worker: choices.worker, schemes: choices.schemes,
        form: Form(today: today, schemeCode: choices.schemes.first?.code ?? ""))
    }

    func errors(for field: String) -> [FieldError] { errors.filter { $0.field == field } }

    /// The scan of `kind` kept from a refused try, for the form to name and send back.
    func kept(_ kind: String) -> (fileName: String, token: String)? {
      held[kind].map { ($0.fileName, $0.token) }
    }
  }
}
