import HuzhuCore
import Plot

/// A unit's collective enrollment at the window: product, period, members, and who pays what.
/// Every rule of the version is checked by the store; the refusal lists every field at fault.
enum EnrollPage {
  /// The form as typed.
  struct Form: Sendable {
    var product = ""
    var periodStart = ""
    /// The request date: today, unless someone allowed to records an earlier one, with a reason.
    var requestDate = ""
    var requestDateReason = ""
    var everyone = true
    var workerIDs: Set<String> = []
    /// Members named by ID number, one a line (pasted from a list): how a large unit names
    /// the few it enrolls, where a checkbox per worker would be thousands.
    var idNumbers = ""
    var employerKind = "percent"
    var employerValue = "50"
    var subsidyPayer = ""
    var subsidyPerPerson = ""
    /// One member, by ID number, whose own share someone else pays (a cadre for a paired
    /// hardship worker).
    var thirdPartyIDNumber = ""
    var thirdPartyName = ""

    init(fields: [String: String], workerIDs: [String]) {
      product = fields["product"] ?? ""
      periodStart = fields["periodStart"] ?? ""
      requestDate = fields["requestDate"] ?? ""
      requestDateReason = fields["requestDateReason"] ?? ""
      everyone = fields["everyone"] == "on"
      self.workerIDs = Set(workerIDs)
      idNumbers = fields["idNumbers"] ?? ""
      employerKind = fields["employerKind"] ?? "none"
      employerValue = fields["employerValue"] ?? ""
      subsidyPayer = fields["subsidyPayer"] ?? ""
      subsidyPerPerson = fields["subsidyPerPerson"] ?? ""
      thirdPartyIDNumber = fields["thirdPartyIdNumber"] ?? ""
      thirdPartyName = fields["thirdPartyName"] ?? ""
    }

    init(today: CalendarDate) {
      requestDate = today.description
      periodStart = today.description
    }

    /// The ID numbers typed into ``idNumbers``, with their line numbers; blank lines skipped.
    var typedIDNumbers: [(line: Int, text: String)] {
      // `isNewline`: a browser's textarea sends CRLF, one Character that is not "\n".
      idNumbers.split(omittingEmptySubsequences: false, whereSeparator: { $0.isNewline || $0 == "," || $0 == "，" })
        .enumerated()
        .map { ($0.offset + 1, $0.element.trimmingCharacters(in: .whitespacesAndNewlines)) }
        .filter { !$0.1.isEmpty }
    }

    /// What every enrollment order needs: the scheme and product (`scheme|product`), the start
    /// of cover and the request date asked for (nil: today); or the fields at fault.
    func basics() -> Result<
      (scheme: String, product: String, periodStart: CalendarDate, requestDate: CalendarDate?), ValidationFailure
    > {
      var errors: [FieldError] = []
      let parts = product.split(separator: "|").map(String.init)
      if parts.count != 2 { errors.append(.missing("product", LocalizedText(zh: "产品", en: "product"))) }
      let start = CalendarDate(periodStart)
      if start == nil { errors.append(.missing("periodStart", LocalizedText(zh: "保障期开始日期", en: "start of cover"))) }
      let typed = requestDate.trimmingCharacters(in: .whitespaces)
      let requested = typed.isEmpty ? nil : CalendarDate(typed)
      if !typed.isEmpty && requested == nil {
        errors.append(
          FieldError(
            field: "requestDate", code: "invalid_date",
            message: LocalizedText(zh: "日期格式应为 2024-03-01", en: "write dates as 2024-03-01")))
      }
      guard errors.isEmpty, let start else { return .failure(ValidationFailure(errors)) }
      return .success((parts[0], parts[1], start, requested))
    }

    /// The split, or the fields at fault. `thirdPartyWorker`: the member named by
    /// ``thirdPartyIDNumber``, once the caller has found them.
    func split(thirdPartyWorker: Worker.ID? = nil) -> Result<PayerSplitRule, ValidationFailure> {
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
      if let worker = thirdPartyWorker {
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

  /// Up to this many workers the form lists each with a checkbox; a larger unit names the
  /// members it enrolls by ID number.
  static let checkboxLimit = 200

  struct Model {
    let unit: WorkUnit
    /// Everyone employed by the unit now, when ``checkboxLimit`` or fewer; else empty.
    let workers: [Worker]
    let workerCount: Int
    let products: [(value: String, label: String)]
    var form: Form
    var errors: [FieldError] = []

    func errors(for field: String) -> [FieldError] { errors.filter { $0.field == field } }
  }

  /// Product, start of cover and request date: the first part of every enrollment form.
  static func productAndPeriod(
    _ form: Form, products: [(value: String, label: String)], _ controls: FormControls, viewer: Viewer
  ) -> Node<HTML.FormContext> {
    let language = controls.language
    return .fieldset(
      .legend(Layout.text(zh: "保障产品与保障期", en: "Product and period", language)),
      controls.field(
        "product", Layout.text(zh: "产品", en: "Product", language),
        .namedSelect(
          "product", id: "product", products.map { .choice($0.value, $0.label, selected: $0.value == form.product) })),
      controls.field(
        "periodStart", Layout.text(zh: "保障期开始", en: "Cover starts", language),
        controls.input("periodStart", form.periodStart, type: .date)),
      // The request is received the day it is entered; a supervisor may record an earlier day
      // (a request a county window took in last week), with a reason for the audit log.
      .if(
        viewer.permissions.contains(.recordEarlierDates),
        .group(
          controls.field(
            "requestDate", Layout.text(zh: "申请日期", en: "Requested on", language),
            controls.input("requestDate", form.requestDate, type: .date)),
          controls.field(
            "requestDateReason",
            Layout.text(
              zh: "补录更早申请日期的原因（早于今天时必填）", en: "Why an earlier request date (required when before today)", language),
            controls.input("requestDateReason", form.requestDateReason))),
        else: .p(
          .class("muted"), .id("request-date"),
          .text(
            Layout.text(
              zh: "申请日期以系统办理当天为准。", en: "The request date is the day it is entered.", language)))
      ))
  }

  /// A union's subsidy per person, paid to the fund on top of the price.
  static func unionSubsidy(_ form: Form, _ controls: FormControls) -> Node<HTML.FormContext> {
    let language = controls.language
    return .group(
      controls.field(
        "subsidyPayer", Layout.text(zh: "工会补贴（另外缴入）", en: "Union subsidy (paid on top)", language),
        .namedSelect(
          "subsidyPayer", id: "subsidyPayer",
          [.choice("", Layout.text(zh: "无", en: "None", language), selected: form.subsidyPayer.isEmpty)]
            + [PayerType.unionProvince, .unionCity, .unionCounty].map {
              .choice($0.rawValue, $0.label.text(for: language), selected: form.subsidyPayer == $0.rawValue)
            })),
      controls.field(
        "subsidyPerPerson", Layout.text(zh: "每人补贴（元）", en: "Subsidy per person (yuan)", language),
        controls.input("subsidyPerPerson", form.subsidyPerPerson)))
  }

  struct View: LocalizedView {
    let model: Model
    let language: DisplayLanguage
    let viewer: Viewer

    private var controls: FormControls { FormControls(errors: model.errors, language: language) }
    private func input(_ name: String, _ value: String) -> Node<HTML.BodyContext> { controls.input(name, value) }
    private func field(_ name: String, _ label: String, _ control: Node<HTML.BodyContext>) -> Node<HTML.FormContext> {
      controls.field(name, label, control)
    }

    func html() -> HTML {
      let unit = model.unit
      let form = model.form
      return Layout(
        title: text("单位集体参保：", "Enroll the unit: ") + unit.name, language: language,
        currentPath: SiteURL.enrollPage(.value(unit.id)).path, viewer: viewer,
        content: .group(
          .nav(.class("breadcrumbs"), .a(.href(SiteURL.unit(.value(unit.id)).path), .text(unit.name))),
          errorSummary(model.errors, language: language),
          .form(
            .class("stacked-form"), .method(.post), .action(SiteURL.enrollPage(.value(unit.id)).path),
            .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
            EnrollPage.productAndPeriod(form, products: model.products, controls, viewer: viewer),
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
              EnrollPage.unionSubsidy(form, controls),
              field(
                "thirdPartyIdNumber",
                text("由他人代缴个人部分的职工（身份证号）", "A member whose own share someone else pays (ID number)"),
                input("thirdPartyIdNumber", form.thirdPartyIDNumber)),
              field(
                "thirdPartyName", text("代缴人（如：张三（包联干部））", "Who pays (e.g. a paired cadre)"),
                input("thirdPartyName", form.thirdPartyName))),
            .fieldset(
              .legend(text("参保人员", "Members")),
              .div(
                .class("field checkbox"),
                .input(.type(.checkbox), .name("everyone"), .id("everyone"), .checked(form.everyone)),
                .label(
                  .for("everyone"),
                  .text(
                    text(" 全部在职职工（\(model.workerCount) 人）", " Every worker employed now (\(model.workerCount))")))),
              .p(.class("muted"), .text(text("或只为以下人员办理：", "Or only these:"))),
              field(
                "idNumbers", text("身份证号（每行一个，可从名册粘贴）", "ID numbers (one a line, pasted from a list)"),
                .textarea(
                  .name("idNumbers"), .id("idNumbers"), .attribute(named: "rows", value: "4"),
                  .attribute(named: "aria-invalid", value: model.errors(for: "idNumbers").isEmpty ? "false" : "true"),
                  .text(form.idNumbers))),
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
  }
}
