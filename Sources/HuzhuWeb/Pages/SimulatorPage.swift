import HuzhuCore
import HuzhuPersistence
import Plot
import Vapor

/// The what-if simulator: pick a product's rule version, change its numbers (a band's rate,
/// a cap, a deductible…), and see what every claim paid in the period would have cost, by
/// product and by unit, and what it does to the fund. A GET form: the address is the
/// question, so it can be sent to a colleague; nothing is ever written.
enum SimulatorPage {
  struct Model {
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
    let errors: [FieldError]

    static func load(_ request: Request, today: CalendarDate) async throws -> Model {
      guard let signedIn = request.operatorAccount else { throw APIError.unauthorized }
      let visible = signedIn.visibleOrganisations
      let rootID =
        request.query[String.self, at: "org"].flatMap(UUID.init(uuidString:)).map(Organisation.ID.init)
        ?? signedIn.organisation.id
      guard let root = visible.first(where: { $0.id == rootID }) else { throw APIError.notFound }
      let schemes = try await request.schemes.schemes()
      let code = request.query[String.self, at: "scheme"]
      let scheme = schemes.first { $0.code == code } ?? schemes.first
      var versions: [(value: String, label: String)] = []
      for product in scheme?.definition.products ?? [] {
        for version in product.versions {
          versions.append(("\(product.code)|\(version.version)", "\(product.name) · \(version.version)"))
        }
      }
      let choice =
        request.query[String.self, at: "version"].flatMap { value in
          versions.contains { $0.value == value } ? value : nil
        } ?? versions.first?.value ?? ""
      let parts = choice.split(separator: "|").map(String.init)
      let definition = scheme?.definition.products.first { $0.code == parts.first }?.versions.first {
        parts.count == 2 && $0.version == parts[1]
      }
      let parameters = definition.map(RuleParameters.list) ?? []
      var values: [String: String] = [:]
      for parameter in parameters {
        values[parameter.key] = request.query[String.self, at: "p.\(parameter.key)"] ?? parameter.value
      }
      var errors: [FieldError] = []
      let from =
        request.query[String.self, at: "from"].flatMap(CalendarDate.init) ?? definition?.coverageStarting.from ?? today
      var to = request.query[String.self, at: "to"].flatMap(CalendarDate.init) ?? today
      if to < from {
        errors.append(
          FieldError(
            field: "to", code: "before_from",
            message: LocalizedText(zh: "截止日期不能早于起始日期", en: "the end cannot be before the start")))
        to = from
      }
      var result: WhatIf.Result?
      if request.query[String.self, at: "run"] != nil, let scheme, parts.count == 2, errors.isEmpty {
        do {
          let changed = try Simulation.changing(values, product: parts[0], version: parts[1], of: scheme.definition)
          result = try await Simulation.run(
            changed: changed, period: ReportPeriod(from: from, to: to)!,
            organisations: OrganisationTree.subtreeIDs(of: root.id, in: visible), database: request.db,
            scope: request.accessScope, today: today)
        } catch let failure as ValidationFailure {
          errors += failure.errors
        }
      }
      return Model(
        schemes: schemes, scheme: scheme, choice: choice, versions: versions, parameters: parameters, values: values,
        from: from, to: to, root: root,
        nodes: signedIn.visibleTree,
        result: result, errors: errors)
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
                "选择一个产品的规则版本，修改参数，用统计期内已支付的每一笔申请重新测算：按支付顺序逐人累计限额，不改动任何真实数据。",
                "Pick a product's rule version, change its numbers, and every claim paid in the period is judged again, in the order paid with each member's caps: nothing real is changed."
              ))),
          form(),
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
          text("已支付申请：起始日期", "Claims paid from"), for: "from", errors: field("from"), language: language,
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
          .button(.type(.submit), .text(text("测算", "Simulate"))),
          .span(
            .class("muted"),
            .text(
              text(
                "先选方案和版本再点“测算”，参数会换成该版本的。方案草稿（YAML 整个文件）可用命令 huzhu simulate --scheme 草稿.yaml 测算。",
                "Choose the scheme and version, then Simulate to see that version's parameters. A whole draft scheme file runs with huzhu simulate --scheme draft.yaml."
              ))))
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
          [.text(text("赔付率", "Loss ratio")), .share(result.lossRatioBefore), .share(result.lossRatioAfter), .text("")],
          [
            .text(text("基金结余（元）", "Fund balance (yuan)")), .money(result.fundBalance), .money(result.fundBalanceAfter),
            .text(signed(-result.difference)),
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
        .div(
          .class("figures stat-figures"),
          .statistic(String(result.claims), text("已付申请（件）", "Paid claims replayed"), id: "whatif-claims"),
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
            id: "whatif-per-person")
        ),
        .reportTable(summary, language: language),
        .p(
          .class("muted"),
          .text(
            text(
              "实际已付 \(result.actual.formatted) 元（含人工调整）；期内筹集 \(result.collected.formatted) 元，参保 \(result.insuredPersons) 人。",
              "Actually paid \(result.actual.formatted) (with reviewers' adjustments); collected \(result.collected.formatted) from \(result.insuredPersons) insured."
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
}
