import HuzhuCore
import Plot

extension UnitPage.View {
  /// What a form shows: what was typed when it was sent back, else what the unit holds.
  func values(_ form: UnitPage.Refused.Form, _ current: [String: String]) -> (FormControls, [String: String]) {
    if let refused, refused.form == form {
      return (FormControls(errors: refused.errors, language: language), refused.values)
    }
    return (FormControls(errors: [], language: language), current)
  }

  /// The forms that keep the unit, for whoever may use them.
  func upkeep() -> Node<HTML.BodyContext> {
    guard let viewer else { return .empty }
    return .group(
      .if(viewer.may(.manageUnits), .group(detailsForm(viewer), headcountForm(viewer))),
      .if(viewer.may(.recordOutreach), outreachForm(viewer)))
  }

  private func detailsForm(_ viewer: Viewer) -> Node<HTML.BodyContext> {
    let details = model.details
    let (controls, values) = values(
      .details,
      [
        "address": details.address ?? "", "contactName": details.contactName ?? "",
        "contactPhone": details.contactPhone ?? "", "bankName": details.bankName ?? "",
        "bankAccount": details.bankAccount ?? "",
      ])
    return .details(
      .attribute(named: "id", value: "unit-details"), refused?.form == .details ? .attribute(named: "open") : .empty,
      .summary(.text(text("修改单位信息", "Edit the unit's details"))),
      .form(
        .class("stacked-form"), .method(.post), .action(SiteURL.unitDetailsForm(.value(model.unit.id)).path),
        .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
        controls.field("address", text("地址", "Address"), controls.input("address", values["address"] ?? "")),
        controls.field(
          "contactName", text("联系人", "Contact"), controls.input("contactName", values["contactName"] ?? "")),
        controls.field(
          "contactPhone", text("联系电话", "Contact phone"),
          controls.input("contactPhone", values["contactPhone"] ?? "", type: .tel)),
        controls.field("bankName", text("开户行", "Bank"), controls.input("bankName", values["bankName"] ?? "")),
        controls.field(
          "bankAccount", text("银行账号", "Bank account"), controls.input("bankAccount", values["bankAccount"] ?? "")),
        .button(.type(.submit), .class("primary"), .id("save-details"), .text(text("保存", "Save")))))
  }

  private func headcountForm(_ viewer: Viewer) -> Node<HTML.BodyContext> {
    let (controls, values) = values(.headcount, ["asOf": model.today.description, "total": "", "female": ""])
    return .details(
      .attribute(named: "id", value: "unit-headcount"),
      refused?.form == .headcount ? .attribute(named: "open") : .empty,
      .summary(.text(text("填报职工人数", "Report the headcount"))),
      .form(
        .class("stacked-form"), .method(.post), .action(SiteURL.unitHeadcountForm(.value(model.unit.id)).path),
        .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
        controls.field(
          "total", text("职工总数", "Headcount"), controls.input("total", values["total"] ?? "", type: .number)),
        controls.field(
          "female", text("其中女职工", "of whom women"), controls.input("female", values["female"] ?? "", type: .number)),
        controls.field(
          "asOf", text("截至日期", "As of"), controls.input("asOf", values["asOf"] ?? "", type: .date)),
        .button(.type(.submit), .class("primary"), .id("save-headcount"), .text(text("保存", "Save")))))
  }

  private func outreachForm(_ viewer: Viewer) -> Node<HTML.BodyContext> {
    let (controls, values) = values(
      .outreach, ["visitedOn": model.today.description, "visitor": viewer.displayName, "outcome": "interested"])
    return .details(
      .attribute(named: "id", value: "unit-outreach"),
      refused?.form == .outreach ? .attribute(named: "open") : .empty,
      .summary(.text(text("记录走访", "Record a visit"))),
      .form(
        .class("stacked-form"), .method(.post), .action(SiteURL.unitOutreachForm(.value(model.unit.id)).path),
        .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
        controls.field(
          "visitedOn", text("走访日期", "Visited on"),
          controls.input("visitedOn", values["visitedOn"] ?? "", type: .date)),
        controls.field("visitor", text("走访人", "Visitor"), controls.input("visitor", values["visitor"] ?? "")),
        controls.field("contact", text("对接人", "Contact"), controls.input("contact", values["contact"] ?? "")),
        controls.field(
          "materials", text("发放材料", "Materials"), controls.input("materials", values["materials"] ?? "")),
        controls.field(
          "outcome", text("结果", "Outcome"),
          .namedSelect(
            "outcome", id: "outcome",
            OutreachOutcome.allCases.map {
              .choice($0.rawValue, $0.label.text(for: language), selected: values["outcome"] == $0.rawValue)
            })),
        controls.field(
          "declineReason", text("暂不参加的原因", "Why not"),
          .namedSelect(
            "declineReason", id: "declineReason",
            [.choice("", "—")]
              + DeclineReason.allCases.map {
                .choice($0.rawValue, $0.label.text(for: language), selected: values["declineReason"] == $0.rawValue)
              })),
        controls.field("note", text("备注", "Note"), controls.input("note", values["note"] ?? "")),
        .button(.type(.submit), .class("primary"), .id("save-outreach"), .text(text("保存", "Save")))))
  }
}
