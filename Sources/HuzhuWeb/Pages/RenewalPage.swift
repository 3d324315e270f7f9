import HuzhuApp
import HuzhuCore
import Plot

/// The year-end renewal of every unit under a node: choose the product and the period being
/// renewed, preview what each unit's renewal does (exactly: a renewal rolled back), then
/// commit. Units renewed already are skipped, so committing again changes nothing.
enum RenewalPage {
  struct Model: Sendable {
    var products: [Enrollments.ProductChoice]
    var nodes: [(depth: Int, organisation: Organisation)]
    /// `product` (`scheme|product`), `periodStart`, `node`.
    var values: [String: String]
    var lines: [Renewals.Line] = []
    /// Whether `lines` is what was written (else a preview).
    var committed = false
    var errors: [FieldError] = []
    var notice: LocalizedText?

    var previewed: Bool { !committed && !lines.isEmpty }
  }

  struct View: LocalizedView {
    let model: Model
    let language: DisplayLanguage
    let viewer: Viewer

    func html() -> HTML {
      let controls = FormControls(errors: model.errors, language: language)
      let general = model.errors.filter { !["periodStart"].contains($0.field) }
      return Layout(
        title: text("年末批量续保", "Year-end renewal"), language: language, currentPath: SiteURL.renewals.path,
        viewer: viewer,
        content: .group(
          .unwrap(model.notice) {
            .p(.class("notice"), .attribute(named: "role", value: "status"), .text($0.text(for: language)))
          },
          .p(
            .class("muted"),
            .text(
              text(
                "所选组织（含下级）的每个单位：把本期参保人员续到下一期，每个单位一张缴费单；已离职或不再符合规则的人员列出原因，不续。先预览，再确认。",
                "Every unit under the chosen node: its members of the period carried into the next one, one bill per unit; people who left or no longer qualify are listed with the reason. Preview, then confirm."
              ))),
          .if(
            !general.isEmpty,
            .ul(
              .class("notice notice-bad errors"), .attribute(named: "role", value: "alert"),
              .forEach(general) { .li(.text($0.message.text(for: language))) })),
          .form(
            .class("stacked-form"), .method(.post), .action(SiteURL.renewals.path), .id("renewal-form"),
            .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
            .input(.type(.hidden), .name("action"), .value("preview")),
            .labelled(
              text("产品", "Product"), for: "product", errors: [], language: language,
              .namedSelect(
                "product", id: "product",
                model.products.map { choice in
                  let value = "\(choice.scheme.code)|\(choice.product.code)"
                  return .choice(
                    value, "\(choice.scheme.definition.scheme.name) · \(choice.product.name)",
                    selected: model.values["product"] == value)
                })),
            controls.field(
              "periodStart", text("续保的保障期起始日", "First day of the period being renewed"),
              controls.input("periodStart", model.values["periodStart"] ?? "", type: .date)),
            .labelled(
              text("组织（含下级）", "Node (and below)"), for: "node", errors: [], language: language,
              .organisationSelect("node", nodes: model.nodes, selected: model.values["node"] ?? "", language: language)),
            .button(.type(.submit), .id("preview-renewal"), .text(text("预览", "Preview")))),
          .if(!model.lines.isEmpty, results()),
          .if(
            model.lines.isEmpty && model.values["periodStart"] != nil && model.errors.isEmpty,
            .p(.id("no-units"), .text(text("该组织下没有本期参保的单位。", "No unit under the node has members in that period."))))
        )
      ).html()
    }

    private func results() -> Node<HTML.BodyContext> {
      .group(
        .h2(.text(model.committed ? text("续保结果", "Renewed") : text("预览：尚未写入", "Preview: nothing written yet"))),
        .table(
          .class("data-table"), .id("renewal-lines"),
          .thead(
            .tr(
              .th(.text(text("单位", "Unit"))), .th(.class("number"), .text(text("本期人数", "Members"))),
              .th(.class("number"), .text(text("续保人数", "Renewing"))), .th(.text(text("缴费单", "Bill"))),
              .th(.class("number"), .text(text("应缴", "Due"))), .th(.text(text("说明", "Notes"))))),
          .tbody(.forEach(model.lines) { line($0) })),
        .if(
          model.previewed,
          .form(
            .method(.post), .action(SiteURL.renewals.path),
            .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
            .input(.type(.hidden), .name("action"), .value("commit")),
            .input(.type(.hidden), .name("product"), .value(model.values["product"] ?? "")),
            .input(.type(.hidden), .name("periodStart"), .value(model.values["periodStart"] ?? "")),
            .input(.type(.hidden), .name("node"), .value(model.values["node"] ?? "")),
            .button(
              .type(.submit), .class("primary"), .id("commit-renewal"),
              .text(text("确认续保", "Renew these units"))))))
    }

    private func line(_ line: Renewals.Line) -> Node<HTML.TableContext> {
      let unit = Node<HTML.TableRowContext>.td(
        .a(.href(SiteURL.unit(.value(line.unit.id)).path), .text(line.unit.name)))
      switch line.outcome {
      case .renews(let result):
        let bill = result.plan.bill
        return .tr(
          unit, .td(.class("number"), .text(String(line.members))),
          .td(.class("number"), .text(String(result.plan.enrollments.count))),
          .td(.text(model.committed ? bill.number : text("（确认后编号）", "(numbered on commit)"))),
          .td(.class("number"), .text(bill.totalDue.formatted)),
          .td(
            .forEach(result.leftOut) { person in
              .div(.text(text("未续：", "Not renewed: ") + "\(person.name)（\(person.reason.text(for: language))）"))
            }))
      case .alreadyRenewed:
        return .tr(
          unit, .td(.class("number"), .text(String(line.members))), .td(), .td(), .td(),
          .td(.text(text("已续保，跳过", "Renewed already: skipped"))))
      case .refused(let errors):
        return .tr(
          .class("refused"), unit, .td(.class("number"), .text(String(line.members))), .td(), .td(), .td(),
          .td(.forEach(errors) { .div(.text(text("不能续保：", "Cannot renew: ") + $0.message.text(for: language))) }))
      }
    }
  }
}
