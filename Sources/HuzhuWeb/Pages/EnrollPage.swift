import HuzhuCore
import Plot

/// A unit's collective enrollment at the window: product, period, members, and who pays what.
/// Every rule of the version is checked by the store; the refusal lists every field at fault.
enum EnrollPage {
  /// The form as typed.
  struct Form: Sendable {
    var product = ""
    var periodStart = ""
    var requestDate = ""
    var everyone = true
    var workerIDs: Set<String> = []
    var employerKind = "percent"
    var employerValue = "50"
    var subsidyPayer = ""
    var subsidyPerPerson = ""
    /// One member whose own share someone else pays (a cadre for a paired hardship worker).
    var thirdPartyWorker = ""
    var thirdPartyName = ""

    init(fields: [String: String], workerIDs: [String]) {
      product = fields["product"] ?? ""
      periodStart = fields["periodStart"] ?? ""
      requestDate = fields["requestDate"] ?? ""
      everyone = fields["everyone"] == "on"
      self.workerIDs = Set(workerIDs)
      employerKind = fields["employerKind"] ?? "none"
      employerValue = fields["employerValue"] ?? ""
      subsidyPayer = fields["subsidyPayer"] ?? ""
      subsidyPerPerson = fields["subsidyPerPerson"] ?? ""
      thirdPartyWorker = fields["thirdPartyWorker"] ?? ""
      thirdPartyName = fields["thirdPartyName"] ?? ""
    }

    init(today: CalendarDate) {
      requestDate = today.description
      periodStart = today.description
    }

    /// The split, or the fields at fault.
    func split() -> Result<PayerSplitRule, ValidationFailure> {
      var errors: [FieldError] = []
      var employer = PayerSplitRule.EmployerShare.none
      switch employerKind {
      case "percent":
        if let value = Int(employerValue.trimmingCharacters(in: .whitespaces)), (0...100).contains(value) {
          employer = .percent(Rate(percent: Int64(value)))
        } else {
          errors.append(
            FieldError(
              field: "employerValue", code: "invalid_percent",
              message: LocalizedText(zh: "单位负担比例应为 0–100 的整数", en: "a whole percentage from 0 to 100")))
        }
      case "fixed":
        if let amount = Money(yuan: employerValue.trimmingCharacters(in: .whitespaces)), amount >= .zero {
          employer = .fixedPerPerson(amount)
        } else {
          errors.append(
            FieldError(
              field: "employerValue", code: "invalid_amount",
              message: LocalizedText(zh: "每人金额应为元，最多两位小数", en: "an amount in yuan")))
        }
      default: break
      }
      var subsidies: [PayerSplitRule.UnionSubsidy] = []
      if let payer = PayerType(rawValue: subsidyPayer) {
        if let amount = Money(yuan: subsidyPerPerson.trimmingCharacters(in: .whitespaces)), amount > .zero {
          subsidies.append(.init(payer: payer, perPerson: amount, onTop: true))
        } else {
          errors.append(
            FieldError(
              field: "subsidyPerPerson", code: "invalid_amount",
              message: LocalizedText(zh: "补贴金额应为元，大于 0", en: "a subsidy in yuan, above 0")))
        }
      }
      var thirdParties: [Worker.ID: String] = [:]
      if let worker = Worker.ID(thirdPartyWorker) {
        let name = thirdPartyName.trimmingCharacters(in: .whitespaces)
        if name.isEmpty {
          errors.append(.missing("thirdPartyName", LocalizedText(zh: "代缴人姓名", en: "payer's name")))
        } else {
          thirdParties[worker] = name
        }
      }
      guard errors.isEmpty else { return .failure(ValidationFailure(errors)) }
      return .success(PayerSplitRule(employer: employer, unionSubsidies: subsidies, thirdParties: thirdParties))
    }
  }

  struct Model {
    let unit: WorkUnit
    let workers: [Worker]
    let products: [(value: String, label: String)]
    var form: Form
    var errors: [FieldError] = []

    func errors(for field: String) -> [FieldError] { errors.filter { $0.field == field } }
  }

  struct View: LocalizedView {
    let model: Model
    let language: DisplayLanguage
    let viewer: Viewer

    func html() -> HTML {
      let unit = model.unit
      let form = model.form
      return Layout(
        title: text("单位集体参保：", "Enroll the unit: ") + unit.name, language: language,
        currentPath: SiteURL.enrollPage(.value(unit.id)).path, viewer: viewer,
        content: .group(
          .nav(.class("breadcrumbs"), .a(.href(SiteURL.unit(.value(unit.id)).path), .text(unit.name))),
          .if(
            !model.errors.isEmpty,
            .div(
              .class("notice notice-bad"), .id("form-errors"), .attribute(named: "role", value: "alert"),
              .forEach(model.errors) { .p(.text($0.message.text(for: language))) })),
          .form(
            .class("stacked-form"), .method(.post), .action(SiteURL.enrollPage(.value(unit.id)).path),
            .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
            .fieldset(
              .legend(text("保障产品与保障期", "Product and period")),
              field(
                "product", text("产品", "Product"),
                .namedSelect(
                  "product", id: "product",
                  model.products.map { .choice($0.value, $0.label, selected: $0.value == form.product) })),
              field("periodStart", text("保障期开始", "Cover starts"), input("periodStart", form.periodStart, type: .date)),
              field("requestDate", text("申请日期", "Requested on"), input("requestDate", form.requestDate, type: .date))),
            .fieldset(
              .legend(text("缴费分担（每人）", "Who pays (per person)")),
              field(
                "employerKind", text("单位负担", "Employer share"),
                .namedSelect(
                  "employerKind", id: "employerKind",
                  [
                    .choice("none", text("不负担（个人全额）", "None (the worker pays)"), selected: form.employerKind == "none"),
                    .choice("percent", text("按比例（%）", "A percentage"), selected: form.employerKind == "percent"),
                    .choice(
                      "fixed", text("每人固定金额（元）", "A fixed amount (yuan)"), selected: form.employerKind == "fixed"),
                  ])),
              field("employerValue", text("比例或金额", "Percentage or amount"), input("employerValue", form.employerValue)),
              field(
                "subsidyPayer", text("工会补贴（另外缴入）", "Union subsidy (paid on top)"),
                .namedSelect(
                  "subsidyPayer", id: "subsidyPayer",
                  [.choice("", text("无", "None"), selected: form.subsidyPayer.isEmpty)]
                    + [PayerType.unionProvince, .unionCity, .unionCounty].map {
                      .choice($0.rawValue, $0.label.text(for: language), selected: form.subsidyPayer == $0.rawValue)
                    })),
              field(
                "subsidyPerPerson", text("每人补贴（元）", "Subsidy per person (yuan)"),
                input("subsidyPerPerson", form.subsidyPerPerson)),
              field(
                "thirdPartyWorker", text("由他人代缴个人部分的职工", "A member whose own share someone else pays"),
                .namedSelect(
                  "thirdPartyWorker", id: "thirdPartyWorker",
                  [.choice("", text("无", "None"), selected: form.thirdPartyWorker.isEmpty)]
                    + model.workers.map {
                      .choice($0.id.description, $0.name, selected: form.thirdPartyWorker == $0.id.description)
                    })),
              field(
                "thirdPartyName", text("代缴人（如：孙志刚（包联干部））", "Who pays (e.g. a paired cadre)"),
                input("thirdPartyName", form.thirdPartyName))),
            .fieldset(
              .legend(text("参保人员", "Members")),
              .div(
                .class("field checkbox"),
                .input(.type(.checkbox), .name("everyone"), .id("everyone"), .checked(form.everyone)),
                .label(
                  .for("everyone"),
                  .text(
                    text(" 全部在职职工（\(model.workers.count) 人）", " Every worker employed now (\(model.workers.count))")))),
              .forEach(model.workers) { worker in
                .div(
                  .class("field checkbox"),
                  .input(
                    .type(.checkbox), .name("workers[]"), .value(worker.id.description), .id("w-\(worker.id)"),
                    .checked(form.workerIDs.contains(worker.id.description))),
                  .label(.for("w-\(worker.id)"), .text(" \(worker.name) \(worker.idNumber.masked)")))
              }),
            .button(
              .type(.submit), .class("primary"), .id("enroll"), .text(text("办理参保并出具缴费单", "Enroll and issue the bill"))))
        )
      )
      .html()
    }

    private func input(_ name: String, _ value: String, type: HTMLInputType = .text) -> Node<HTML.BodyContext> {
      .input(
        .type(type), .name(name), .id(name), .value(value),
        .attribute(named: "aria-invalid", value: model.errors(for: name).isEmpty ? "false" : "true"))
    }

    private func field(_ name: String, _ label: String, _ control: Node<HTML.BodyContext>) -> Node<HTML.FormContext> {
      .labelled(label, for: name, errors: model.errors(for: name), language: language, control)
    }
  }
}
