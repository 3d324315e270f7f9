import HuzhuCore
import Plot

extension ClaimFormPage {
  struct View: LocalizedView {
    let model: Model
    let language: DisplayLanguage
    let viewer: Viewer

    func html() -> HTML {
      let worker = model.worker
      return Layout(
        title: text("受理互助金申请", "Open a claim"), language: language, currentPath: SiteURL.newClaim.path,
        viewer: viewer,
        content: .group(
          .nav(
            .class("breadcrumbs"),
            .a(.href(SiteURL.worker(.value(worker.id)).path), .text("\(worker.name) \(worker.idNumber.masked)"))),
          .if(
            !model.errors.isEmpty,
            .div(
              .class("notice notice-bad"), .id("form-errors"), .attribute(named: "role", value: "alert"),
              .text(text("请按提示修改标红的项目，已填写的内容都保留着。", "Please correct the marked fields; everything typed is kept.")))),
          .if(
            model.schemes.isEmpty,
            .div(.class("notice notice-bad"), .text(text("该职工没有已缴费的参保记录，不能受理。", "The worker holds no paid cover.")))),
          form())
      )
      .html()
    }

    /// The receipt date is the server's day. Staff allowed to record an earlier one (papers a
    /// county window took in last week) may, with a reason that goes to the audit log.
    private func receiptDate(_ form: Form) -> Node<HTML.FormContext> {
      guard viewer.permissions.contains(.recordEarlierDates) else {
        return .p(
          .class("muted"), .id("claim-date"),
          .text(text("受理日期：\(form.claimDate)（以系统当天为准）", "Received on \(form.claimDate) (the server's day)")))
      }
      return .group(
        input("event.claimDate", "claimDate", text("受理日期", "Received on"), form.claimDate, type: .date),
        input(
          "event.claimDateReason", "claimDateReason",
          text("补录更早受理日期的原因（早于今天时必填）", "Why an earlier receipt date (required when before today)"),
          form.claimDateReason))
    }

    private func form() -> Node<HTML.BodyContext> {
      let form = model.form
      return .form(
        .class("stacked-form"), .method(.post),
        .action(SiteURL.newClaim.path + "?worker=\(model.worker.id)"), .enctype(.multipartData),
        .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
        .fieldset(
          .legend(text("保障方案与就诊", "Scheme and stay")),
          field(
            "schemeCode", id: "schemeCode", text("保障方案", "Scheme"),
            .namedSelect(
              "schemeCode", id: "schemeCode",
              model.schemes.map { .choice($0.code, $0.name, selected: $0.code == form.schemeCode) })),
          input("hospital", "hospital", text("医院", "Hospital"), form.hospital),
          field(
            "event.hospitalLevel", id: "hospitalLevel", text("医院等级", "Hospital level"),
            .namedSelect(
              "hospitalLevel", id: "hospitalLevel",
              [.choice("", text("（未填）", "(not given)"), selected: form.hospitalLevel.isEmpty)]
                + HospitalLevel.allCases.map {
                  .choice($0.rawValue, $0.label.text(for: language), selected: $0.rawValue == form.hospitalLevel)
                })),
          field(
            "event.hospitalLocation", id: "hospitalLocation", text("就医地", "Where the hospital is"),
            .namedSelect(
              "hospitalLocation", id: "hospitalLocation",
              [.choice("", text("（未填）", "(not given)"), selected: form.hospitalLocation.isEmpty)]
                + HospitalLocation.allCases.map {
                  .choice($0.rawValue, $0.label.text(for: language), selected: $0.rawValue == form.hospitalLocation)
                })),
          field(
            "event.setting", id: "setting", text("就诊类型", "Kind of care"),
            .namedSelect(
              "setting", id: "setting",
              CareSetting.allCases.map {
                .choice($0.rawValue, $0.label.text(for: language), selected: $0.rawValue == form.setting)
              })),
          input(
            "event.admissionDate", "admissionDate", text("入院日期（住院）", "Admitted (stay)"), form.admissionDate, type: .date
          ),
          input("event.dischargeDate", "dischargeDate", text("出院日期", "Discharged"), form.dischargeDate, type: .date),
          input(
            "event.visitDate", "visitDate", text("就诊日期（门诊、日间手术）", "Visit date (outpatient, day case)"),
            form.visitDate, type: .date),
          input(
            "event.deathDate", "deathDate", text("身故日期（身故互助金）", "Date of death (death benefit)"),
            form.deathDate, type: .date),
          input(
            "event.hospitalDays", "hospitalDays", text("住院天数", "Days in hospital"), form.hospitalDays, type: .number),
          input("event.settlementDate", "settlementDate", text("医保结算日期", "Settled"), form.settlementDate, type: .date),
          receiptDate(form)),
        .fieldset(
          .legend(text("医保结算单（元）", "Settlement sheet (yuan)")),
          .forEach(SettlementFigure.allCases) { figure in
            input(
              "event.figures.\(figure.rawValue)", "figure_\(figure.rawValue)", figure.label.text(for: language),
              form.figures[figure] ?? "", inputMode: "decimal")
          },
          input(
            "invoiceNumbers", "invoiceNumbers", text("住院费用票据号（多张用逗号分隔）", "Invoice numbers (comma-separated)"),
            form.invoiceNumbers),
          input(
            "settlementSheetNumber", "settlementSheetNumber", text("医保结算单号", "Settlement sheet number"),
            form.settlementSheetNumber)),
        .fieldset(
          .legend(text("申请材料扫描件（PDF/JPEG/PNG，每份不超过 10 MB）", "Scans (PDF/JPEG/PNG, up to 10 MB each)")),
          .forEach(ClaimFormPage.scanKinds) { kind in
            field(
              "scan_\(kind)", id: "scan-\(kind)", RequiredDocument.label(kind).text(for: language),
              .group(
                .input(
                  .type(.file), .name("scan_\(kind)"), .id("scan-\(kind)"),
                  .attribute(named: "accept", value: "application/pdf,image/jpeg,image/png")),
                ClaimFormPage.keptScan(kind, model.kept(kind), language: language)))
          },
          .p(.class("muted"), .text(text("其余材料可在申请页面继续上传。", "Other documents can be added on the claim's page.")))),
        .div(
          .class("field checkbox"),
          .input(.type(.checkbox), .name("expedited"), .id("expedited"), .checked(form.expedited)),
          .label(.for("expedited"), .text(text(" 特殊情况加急办理（当日办结）", " Expedite (same day, special cases)")))),
        .button(.type(.submit), .class("primary"), .id("open-claim"), .text(text("受理并计算", "Open and calculate"))))
    }

    private func input(
      _ field: String, _ name: String, _ label: String, _ value: String, type: HTMLInputType = .text,
      inputMode: String? = nil
    ) -> Node<HTML.FormContext> {
      self.field(
        field, id: name, label,
        .input(
          .type(type), .name(name), .id(name), .value(value),
          .attribute(named: "inputmode", value: inputMode ?? (type == .number ? "numeric" : "text")),
          .attribute(named: "aria-invalid", value: model.errors(for: field).isEmpty ? "false" : "true")))
    }

    /// A labelled control with its errors under it.
    private func field(_ field: String, id: String, _ label: String, _ control: Node<HTML.BodyContext>)
      -> Node<HTML.FormContext>
    {
      .labelled(label, for: id, errors: model.errors(for: field), language: language, control)
    }
  }
}

extension ClaimFormPage {
  /// Under a file input: the scan kept from the refused try, which the form sends back unless
  /// another file is chosen.
  static func keptScan(_ kind: String, _ kept: (fileName: String, token: String)?, language: DisplayLanguage)
    -> Node<HTML.BodyContext>
  {
    guard let kept else { return .empty }
    return .group(
      .input(.type(.hidden), .name("held_\(kind)"), .value(kept.token)),
      .p(
        .class("kept-scan"), .id("kept-\(kind)"),
        .text(
          Layout.text(
            zh: "已保留：\(kept.fileName)（不重新选择则沿用此文件）",
            en: "Kept: \(kept.fileName) (used unless you choose another file)", language))))
  }
}
