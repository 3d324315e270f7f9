import HuzhuApp
import HuzhuCore
import HuzhuSchemeFiles
import Plot
import Vapor

/// The what-if simulator: pick a product's rule version, change its numbers (a band's rate,
/// a cap, a deductible, the contribution…), and see what every claim decided in the period
/// (paid, or refused by a rule) would have cost, by product and by unit, which refusals would
/// now pay, and what it does to the fund and the members needed to break even. A GET form: the address is the
/// question, so it can be sent to a colleague. Or upload a whole draft scheme file (POST,
/// multipart), which is judged against the stored scheme of its code. Nothing is ever written.
enum SimulatorPage {
  /// A draft scheme file as uploaded: its name and what it defines.
  struct Draft {
    let fileName: String
    let definition: SchemeDefinition

    /// The uploaded file read as a scheme definition, or its problems (each under the field
    /// `draft`, saying where in the file).
    static func read(_ file: File?) -> Result<Draft, ValidationFailure> {
      func refuse(_ zh: String, _ en: String, code: String) -> Result<Draft, ValidationFailure> {
        .failure(ValidationFailure([FieldError(field: "draft", code: code, message: LocalizedText(zh: zh, en: en))]))
      }
      guard let file, file.data.readableBytes > 0 else {
        return refuse("请选择方案草稿文件（YAML）", "choose a draft scheme file (YAML)", code: "missing")
      }
      guard let text = String(validating: file.data.readableBytesView, as: UTF8.self) else {
        return refuse("文件不是 UTF-8 文本", "the file is not UTF-8 text", code: "not_text")
      }
      do {
        let definition = try SchemeFile.decode(SchemeDefinition.self, yaml: text, file: file.filename)
        // Compiling checks the rules the way publishing a version would.
        _ = try SchemeCompiler.compile(definition)
        return .success(Draft(fileName: file.filename, definition: definition))
      } catch let error as SchemeFileError {
        return .failure(ValidationFailure(error.errors.map { Self.located($0) }))
      } catch let failure as ValidationFailure {
        return .failure(ValidationFailure(failure.errors.map { Self.located($0) }))
      } catch {
        return refuse("无法读取方案草稿", "the draft could not be read", code: "invalid")
      }
    }

    /// A problem inside the file, shown next to the upload field with its place in the file.
    static func located(_ error: FieldError, under field: String = "draft") -> FieldError {
      let place = error.field.isEmpty ? "" : error.field + "："
      let placeEn = error.field.isEmpty ? "" : error.field + ": "
      return FieldError(
        field: field, code: error.code,
        message: LocalizedText(zh: place + error.message.zh, en: placeEn + error.message.en))
    }
  }

  /// The multipart body of the draft form.
  struct DraftBody: Content {
    var draft: File?
    var from, to, org: String?
  }

  struct Model {
    /// Where problems of the changed version that no one parameter holds are listed.
    static let parametersField = "parameters"

    let schemes: [StoredScheme]
    let scheme: StoredScheme?
    /// "product|version" of the version being changed.
    let choice: String
    let versions: [(value: String, label: String)]
    let parameters: [RuleParameter]
    /// What the reader typed, by parameter key.
    let values: [String: String]
    let from: CalendarDate
    let to: CalendarDate
    let root: Organisation
    let nodes: [(depth: Int, organisation: Organisation)]
    let result: WhatIf.Result?
    /// The draft the result is for, when one was uploaded.
    let draftName: String?
    let errors: [FieldError]

    /// The page for the query (`GET`), or for an uploaded draft (`draft`, with the period and
    /// node from the posted form).
    static func load(_ request: Request, today: CalendarDate, draft upload: DraftBody? = nil) async throws -> Model {
      let actor = try request.actor
      let reports = try request.reports
      let visible = actor.visibleOrganisations
      func field(_ name: String) -> String? {
        guard let upload else { return request.query[String.self, at: name] }
        switch name {
        case "from": return upload.from
        case "to": return upload.to
        case "org": return upload.org
        default: return nil
        }
      }
      let rootID =
        field("org").flatMap(UUID.init(uuidString:)).map(Organisation.ID.init)
        ?? actor.organisation?.id
      guard let root = visible.first(where: { $0.id == rootID }) else { throw APIError.notFound }
      let schemes = try await reports.reachableSchemes()
      var errors: [FieldError] = []
      var draft: Draft?
      if let upload {
        switch Draft.read(upload.draft) {
        case .success(let read): draft = read
        case .failure(let failure): errors += failure.errors
        }
      }
      let code = draft?.definition.scheme.code ?? field("scheme")
      let scheme = schemes.first { $0.code == code } ?? schemes.first
      var versions: [(value: String, label: String)] = []
      for product in scheme?.definition.products ?? [] {
        for version in product.versions {
          versions.append(("\(product.code)|\(version.version)", "\(product.name) · \(version.version)"))
        }
      }
      let choice =
        field("version").flatMap { value in
          versions.contains { $0.value == value } ? value : nil
        } ?? versions.first?.value ?? ""
      let parts = choice.split(separator: "|").map(String.init)
      let definition = scheme?.definition.products.first { $0.code == parts.first }?.versions.first {
        parts.count == 2 && $0.version == parts[1]
      }
      let parameters = definition.map(RuleParameters.list) ?? []
      var values: [String: String] = [:]
      for parameter in parameters {
        values[parameter.key] = field("p.\(parameter.key)") ?? parameter.value
      }
      let from = field("from").flatMap(CalendarDate.init) ?? definition?.coverageStarting.from ?? today
      var to = field("to").flatMap(CalendarDate.init) ?? today
      if to < from {
        errors.append(
          FieldError(
            field: "to", code: "before_from",
            message: LocalizedText(zh: "截止日期不能早于起始日期", en: "the end cannot be before the start")))
        to = from
      }
      var result: WhatIf.Result?
      let asked = draft != nil || (upload == nil && field("run") != nil)
      if asked, let scheme, draft != nil || parts.count == 2, errors.isEmpty {
        do {
          let changed =
            try draft?.definition
            ?? Reports.changing(values, product: parts[0], version: parts[1], of: scheme.definition)
          result = try await reports.simulate(changed, period: ReportPeriod(from: from, to: to)!, node: root.id)
        } catch let failure as ValidationFailure {
          // A draft's problems are the upload's; the changed version's (a minimum above the
          // cap) are shown over the parameters with their place in the scheme.
          errors += failure.errors.map { error in
            guard draft == nil else { return Draft.located(error) }
            return values[error.field] != nil || error.field == "version"
              ? error : Draft.located(error, under: Self.parametersField)
          }
        }
      }
      return Model(
        schemes: schemes, scheme: scheme, choice: choice, versions: versions, parameters: parameters, values: values,
        from: from, to: to, root: root,
        nodes: actor.visibleTree,
        result: result, draftName: draft.map { "\($0.fileName)（\($0.definition.scheme.name)）" }, errors: errors)
    }
  }

  struct View: LocalizedView {
    let model: Model
    let language: DisplayLanguage
    let viewer: Viewer

    func html() -> HTML {
      Layout(
        title: text("测算（如果规则改变）", "What if the rules changed"), language: language,
        currentPath: SiteURL.simulator.path, viewer: viewer,
        content: .group(
          .p(
            .class("muted"),
            .text(
              text(
                "选择一个产品的规则版本，修改参数，用统计期内已决的每一笔申请（已支付的，以及因规则不予给付的）重新测算：按决定顺序逐人累计限额，不改动任何真实数据。",
                "Pick a product's rule version, change its numbers, and every claim decided in the period (paid, or refused by a rule) is judged again, in the order decided with each member's caps: nothing real is changed."
              ))),
          errorSummary(field(Model.parametersField), language: language, id: "parameter-errors"),
          form(),
          draftForm(),
          .unwrap(model.result) { result(for: $0) }
        )
      ).html()
    }

    private func field(_ name: String) -> [FieldError] { model.errors.filter { $0.field == name } }

    private func form() -> Node<HTML.BodyContext> {
      .form(
        .method(.get), .action(SiteURL.simulator.path), .class("stacked-form"), .id("simulator-form"),
        .input(.type(.hidden), .name("run"), .value("1")),
        .labelled(
          text("方案", "Scheme"), for: "scheme", errors: field("scheme"), language: language,
          .namedSelect(
            "scheme", id: "scheme",
            model.schemes.map {
              .choice($0.code, $0.definition.scheme.name, selected: $0.code == model.scheme?.code)
            })),
        .labelled(
          text("产品与规则版本", "Product and rule version"), for: "version", errors: field("version"), language: language,
          .namedSelect(
            "version", id: "version",
            model.versions.map { .choice($0.value, $0.label, selected: $0.value == model.choice) })),
        .labelled(
          text("机构", "Organisation"), for: "org", errors: [], language: language,
          .organisationSelect(
            "org", nodes: model.nodes, selected: model.root.id.description, language: language)),
        .labelled(
          text("已决申请：起始日期", "Claims decided from"), for: "from", errors: field("from"), language: language,
          .input(.type(.date), .name("from"), .id("from"), .value(model.from.description))),
        .labelled(
          text("截止日期", "to"), for: "to", errors: field("to"), language: language,
          .input(.type(.date), .name("to"), .id("to"), .value(model.to.description))),
        .fieldset(
          .legend(text("参数（留空表示不设）", "Parameters (empty: none)")),
          .forEach(model.parameters) { parameter in
            .labelled(
              parameter.label.text(for: language)
                + (parameter.value.isEmpty ? "" : text("（现行 \(parameter.value)）", " (now \(parameter.value))")),
              for: "p.\(parameter.key)", errors: field(parameter.key), language: language,
              .input(
                .type(.text), .name("p.\(parameter.key)"), .id("p.\(parameter.key)"),
                .value(model.values[parameter.key] ?? "")))
          }),
        .div(
          .class("actions"),
          .button(.type(.submit), .class("primary"), .text(text("测算", "Simulate"))),
          .span(
            .class("muted"),
            .text(
              text(
                "先选方案和版本再点“测算”，参数会换成该版本的。",
                "Choose the scheme and version, then Simulate to see that version's parameters."
              ))))
      )
    }

    /// A whole draft scheme file (the YAML a new version is published as), judged against the
    /// stored scheme of its code; also `huzhu simulate --scheme draft.yaml`.
    private func draftForm() -> Node<HTML.BodyContext> {
      .form(
        .method(.post), .action(SiteURL.simulator.path), .enctype(.multipartData), .class("stacked-form"),
        .id("simulator-draft-form"),
        .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
        .fieldset(
          .legend(text("或上传整个方案草稿", "Or upload a whole draft scheme")),
          .labelled(
            text("方案草稿文件（YAML，方案编码须与现有方案相同）", "Draft scheme file (YAML, the code of a stored scheme)"),
            for: "draft", errors: field("draft"), language: language,
            .input(
              .type(.file), .name("draft"), .id("draft"), .attribute(named: "accept", value: ".yaml,.yml,text/yaml"),
              .required(true))),
          .labelled(
            text("机构", "Organisation"), for: "draft-org", errors: [], language: language,
            .organisationSelect(
              "org", nodes: model.nodes, selected: model.root.id.description, language: language, id: "draft-org")),
          .labelled(
            text("已决申请：起始日期", "Claims decided from"), for: "draft-from", errors: [], language: language,
            .input(.type(.date), .name("from"), .id("draft-from"), .value(model.from.description))),
          .labelled(
            text("截止日期", "to"), for: "draft-to", errors: [], language: language,
            .input(.type(.date), .name("to"), .id("draft-to"), .value(model.to.description)))
        ),
        .div(.class("actions"), .button(.type(.submit), .class("primary"), .text(text("用草稿测算", "Simulate the draft"))))
      )
    }

    private func result(for result: WhatIf.Result) -> Node<HTML.BodyContext> {
      func signed(_ money: Money) -> String { (money.fen > 0 ? "+" : "") + money.formatted }
      let summary = ReportTable(
        id: "whatif", title: LocalizedText(zh: "测算结果", en: "Result"),
        columns: [
          LocalizedText(zh: "", en: ""), LocalizedText(zh: "现行规则", en: "Current rules"),
          LocalizedText(zh: "调整后", en: "Changed rules"), LocalizedText(zh: "差额", en: "Difference"),
        ],
        rows: [
          [
            .text(text("赔付金额（元）", "Paid (yuan)")), .money(result.before), .money(result.after),
            .text(signed(result.difference)),
          ],
          [
            .text(text("筹集（元）", "Collected (yuan)")), .money(result.collected), .money(result.collectedAfter),
            .text(signed(result.contributionChange)),
          ],
          [.text(text("赔付率", "Loss ratio")), .share(result.lossRatioBefore), .share(result.lossRatioAfter), .text("")],
          [
            .text(text("基金结余（元）", "Fund balance (yuan)")), .money(result.fundBalance), .money(result.fundBalanceAfter),
            .text(signed(result.fundBalanceAfter - result.fundBalance)),
          ],
        ])
      let products = result.byProduct.flatMap {
        [
          SVGChart.Datum(label: "\($0.label) " + text("现行", "now"), value: $0.before.fen, display: $0.before.formatted),
          SVGChart.Datum(
            label: "\($0.label) " + text("调整后", "changed"), value: $0.after.fen, display: $0.after.formatted),
        ]
      }
      return .section(
        .id("whatif-result"),
        .h2(.text(text("测算结果", "Result"))),
        .unwrap(model.draftName) { name in
          .p(.id("whatif-draft"), .text(text("方案草稿：\(name)", "Draft scheme: \(name)")))
        },
        .div(
          .class("figures stat-figures"),
          .statistic(String(result.claims), text("测算申请（件）", "Claims replayed"), id: "whatif-claims"),
          .statistic(
            "\(result.refusedNowPaying) / \(result.refused)",
            text("不予给付的申请中将获给付（件）", "Refused claims that would now pay"), id: "whatif-refused"),
          .statistic(signed(result.difference), text("赔付增减（元）", "Change in benefits (yuan)"), id: "whatif-difference"),
          .statistic(
            result.fundBalanceAfter.formatted, text("调整后基金结余（元）", "Fund balance after (yuan)"), id: "whatif-fund"),
          .statistic(
            "\(result.membersAffected) / \(result.members)", text("受影响职工", "Members affected"), id: "whatif-members"),
          .statistic(
            result.breakEvenPerPerson.formatted, text("保本人均缴费（元）", "Break-even contribution per person (yuan)"),
            id: "whatif-break-even"),
          .statistic(
            result.collectedPerPerson.formatted, text("现人均筹集（元）", "Collected per person now (yuan)"),
            id: "whatif-per-person"),
          .statistic(
            result.membersToBreakEven.map { String($0) } ?? "—",
            text("按调整后缴费保本所需参保人数", "Members needed to break even at the changed contribution"),
            id: "whatif-members-needed"),
          .statistic(
            result.shortfall.formatted, text("保本资金缺口（元）", "Money short of breaking even (yuan)"),
            id: "whatif-shortfall")
        ),
        .reportTable(summary, language: language),
        .p(
          .class("muted"),
          .text(
            text(
              "实际已付 \(result.actual.formatted) 元（含人工调整）；期内筹集 \(result.collected.formatted) 元，参保 \(result.insuredPersons) 人。"
                + "测算含因规则不予给付的申请 \(result.refused) 件，其中调整后将给付 \(result.refusedNowPaying) 件、共 \(result.refusedNowPayingAmount.formatted) 元；"
                + "按现行规则本应给付、因规则以外原因不予给付的 \(result.refusalsStanding) 件仍不给付；原已给付、调整后不再给付的 \(result.paidNowNothing) 件。",
              "Actually paid \(result.actual.formatted) (with reviewers' adjustments); collected \(result.collected.formatted) from \(result.insuredPersons) insured. "
                + "Replayed with \(result.refused) claims refused by a rule, of which \(result.refusedNowPaying) would now pay \(result.refusedNowPayingAmount.formatted); "
                + "\(result.refusalsStanding) refused on other grounds though the current rules pay them stay refused; \(result.paidNowNothing) paid claims would pay nothing."
            ))),
        .if(
          !products.isEmpty,
          .element(
            named: "figure",
            nodes: [
              .attribute(named: "class", value: "chart-box"),
              .raw(SVGChart.rows(products, title: text("各产品调整后赔付", "Changed benefits by product"))),
              .element(
                named: "figcaption", text: text("各产品赔付：现行与调整后（元）", "Benefits by product: now and changed (yuan)")),
            ])),
        .h2(.text(text("按产品", "By product"))),
        .reportTable(lines(result.byProduct, id: "whatif-products"), language: language),
        .h2(.text(text("差额最大的单位", "Units most affected"))),
        .reportTable(lines(Array(result.byUnit.prefix(20)), id: "whatif-units"), language: language),
        .if(
          !result.problems.isEmpty,
          .div(
            .class("notice notice-bad"),
            .text(text("未能测算：", "Not judged: ") + result.problems.prefix(10).joined(separator: "；"))))
      )
    }

    private func lines(_ lines: [WhatIf.Line], id: String) -> ReportTable {
      ReportTable(
        id: id, title: LocalizedText(zh: "", en: ""),
        columns: [
          LocalizedText(zh: "名称", en: "Name"), LocalizedText(zh: "申请", en: "Claims"),
          LocalizedText(zh: "现行规则", en: "Current"), LocalizedText(zh: "调整后", en: "Changed"),
          LocalizedText(zh: "差额", en: "Difference"),
        ],
        rows: lines.map {
          [.text($0.label), .count($0.claims), .money($0.before), .money($0.after), .money($0.difference)]
        })
    }

  }
}

extension PagesController {
  @Sendable func simulator(_ request: Request) async throws -> Response {
    let model = try await SimulatorPage.Model.load(request, today: request.today)
    return SimulatorPage.View(model: model, language: request.displayLanguage, viewer: try request.requireViewer())
      .html().response(status: model.errors.isEmpty ? .ok : .unprocessableEntity)
  }

  /// The what-if for an uploaded draft scheme file: the same page, nothing stored.
  @Sendable func simulateDraft(_ request: Request) async throws -> Response {
    let body = try request.content.decode(SimulatorPage.DraftBody.self)
    let model = try await SimulatorPage.Model.load(request, today: request.today, draft: body)
    return SimulatorPage.View(model: model, language: request.displayLanguage, viewer: try request.requireViewer())
      .html().response(status: model.errors.isEmpty ? .ok : .unprocessableEntity)
  }
}
