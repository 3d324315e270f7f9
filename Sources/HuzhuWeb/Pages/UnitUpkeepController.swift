import Foundation
import HuzhuApp
import HuzhuCore
import Vapor

/// The forms that keep a unit from its page (details, a headcount report, an outreach visit)
/// and that add one under a node. A refused form comes back with what was typed and every
/// problem under its field; nothing is lost.
struct UnitUpkeepController {
  func register(authenticated routes: any RoutesBuilder) {
    routes.post(.unitDetailsForm(.key), requires: .manageUnits, use: saveDetails)
    routes.post(.unitHeadcountForm(.key), requires: .manageUnits, use: saveHeadcount)
    routes.post(.unitOutreachForm(.key), requires: .recordOutreach, use: saveOutreach)
    routes.post(.newUnit(.key), requires: .manageUnits, use: createUnit)
  }

  /// `text` without surrounding spaces; nil when nothing is left.
  static func trimmed(_ text: String) -> String? {
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    return trimmed.isEmpty ? nil : trimmed
  }

  /// The form's fields as typed (only the names it has).
  func fields(_ request: Request, _ names: [String]) throws -> [String: String] {
    let form = try request.content.decode([String: String].self)
    return form.filter { names.contains($0.key) }
  }

  /// Runs `save`; on success back to the unit's page with `notice`, on a refusal the page again
  /// with the form as typed and its errors (422).
  func answer(
    _ request: Request, unit: WorkUnit.ID, form: UnitPage.Refused.Form, values: [String: String],
    notice: LocalizedText, _ save: () async throws -> Void
  ) async throws -> Response {
    do {
      try await save()
      request.flash(notice)
      return request.redirect(to: SiteURL.unit(.value(unit)).path)
    } catch let failure as ValidationFailure {
      let model = try await request.registry.unitOverview(
        unit, workers: UnitPage.workersPage(request), enrollments: UnitPage.enrollmentsPage(request))
      return UnitPage.View(
        model: model, language: request.displayLanguage, viewer: request.viewer,
        refused: UnitPage.Refused(form: form, values: values, errors: failure.errors)
      ).html().response(status: .unprocessableEntity)
    }
  }

  @Sendable func saveDetails(_ request: Request) async throws -> Response {
    let unit: WorkUnit.ID = try request.identifier()
    let values = try fields(request, ["address", "contactName", "contactPhone", "bankName", "bankAccount"])
    return try await answer(
      request, unit: unit, form: .details, values: values,
      notice: LocalizedText(zh: "单位信息已保存", en: "The unit's details are saved")
    ) {
      _ = try await request.unionWork.update(
        UnitDetails(
          address: values["address"], contactName: values["contactName"], contactPhone: values["contactPhone"],
          bankName: values["bankName"], bankAccount: values["bankAccount"]), of: unit)
    }
  }

  @Sendable func saveHeadcount(_ request: Request) async throws -> Response {
    let unit: WorkUnit.ID = try request.identifier()
    let values = try fields(request, ["total", "female", "asOf"])
    return try await answer(
      request, unit: unit, form: .headcount, values: values,
      notice: LocalizedText(zh: "职工人数已填报", en: "The headcount is reported")
    ) {
      var errors: [FieldError] = []
      let total = RegistryImport.count(values["total"] ?? "")
      let female = RegistryImport.count(values["female"] ?? "0")
      let asOf = CalendarDate(values["asOf"] ?? "")
      if total == nil { errors.append(.invalidCount("total")) }
      if female == nil { errors.append(.invalidCount("female")) }
      if (asOf.map { $0 > request.today }) ?? true {
        errors.append(
          FieldError(
            field: "asOf", code: "invalid_date",
            message: LocalizedText(zh: "请填写不晚于今天的日期", en: "give a date no later than today")))
      }
      guard errors.isEmpty, let total, let female, let asOf else { throw ValidationFailure(errors) }
      try await request.unionWork.record(HeadcountReport(asOf: asOf, total: total, female: female), for: unit)
    }
  }

  @Sendable func saveOutreach(_ request: Request) async throws -> Response {
    let unit: WorkUnit.ID = try request.identifier()
    let values = try fields(
      request, ["visitedOn", "visitor", "contact", "materials", "outcome", "declineReason", "note"])
    return try await answer(
      request, unit: unit, form: .outreach, values: values,
      notice: LocalizedText(zh: "走访记录已保存", en: "The visit is recorded")
    ) {
      func optional(_ key: String) -> String? { values[key].flatMap(Self.trimmed) }
      // A choice the form never offered is refused, not replaced by a default.
      let outcome = OutreachOutcome(rawValue: values["outcome"] ?? "")
      let reason = optional("declineReason").map { DeclineReason(rawValue: $0) }
      var errors: [FieldError] = []
      let visitedOn = CalendarDate(values["visitedOn"] ?? "")
      if visitedOn == nil {
        errors.append(
          FieldError(
            field: "visitedOn", code: "invalid_date",
            message: LocalizedText(zh: "请填写走访日期", en: "give the day of the visit")))
      }
      if outcome == nil || reason == .some(nil) {
        errors.append(
          FieldError(
            field: outcome == nil ? "outcome" : "declineReason", code: "invalid_choice",
            message: LocalizedText(zh: "请从列表中选择", en: "choose one from the list")))
      }
      guard errors.isEmpty, let visitedOn, let outcome else { throw ValidationFailure(errors) }
      try await request.unionWork.record(
        OutreachVisit(
          unitID: unit, visitedOn: visitedOn, visitor: values["visitor"] ?? "", contact: optional("contact"),
          materials: optional("materials"), outcome: outcome, declineReason: reason ?? nil, note: optional("note")))
    }
  }

  @Sendable func createUnit(_ request: Request) async throws -> Response {
    let node: Organisation.ID = try request.identifier()
    let values = try fields(request, NewUnitForm.fields)
    let unit = WorkUnit(
      organisationID: node, name: values["name"].flatMap(Self.trimmed) ?? "",
      creditCode: values["creditCode"].flatMap(Self.trimmed)?.uppercased(),
      sector: Sector(rawValue: values["sector"] ?? "") ?? .privateEnterprise)
    do {
      try await request.registry.create(unit)
      request.flash(LocalizedText(zh: "单位已登记：\(unit.name)", en: "Unit registered: \(unit.name)"))
      return request.redirect(to: SiteURL.unit(.value(unit.id)).path)
    } catch let failure as ValidationFailure {
      let page = PageQuery(page: 1, per: 50)
      let model = try await request.registry.node(node, search: nil, page: page)
      return OrganisationPage.View(
        model: model, language: request.displayLanguage, viewer: request.viewer,
        newUnit: (values, failure.errors)
      ).html().response(status: .unprocessableEntity)
    }
  }
}

extension FieldError {
  static func invalidCount(_ field: String) -> FieldError {
    FieldError(
      field: field, code: "invalid_count",
      message: LocalizedText(zh: "应为0–2,000,000的整数", en: "a whole number from 0 to 2,000,000"))
  }
}
