import HuzhuCore
import Plot

extension OrganisationPage {
  struct View: LocalizedView {
    let model: Model
    let language: DisplayLanguage
    var viewer: Viewer? = nil
    /// The new-unit form sent back: what was typed and what was wrong.
    var newUnit: (values: [String: String], errors: [FieldError])? = nil

    func html() -> HTML {
      let organisation = model.organisation
      let path = SiteURL.organisation(.value(organisation.id)).path
      return Layout(
        title: organisation.displayName(language), language: language, currentPath: path, viewer: viewer,
        content: .group(
          breadcrumbs(),
          .p(.class("muted"), .text("\(organisation.kind.label.text(for: language)) · \(organisation.code)")),
          children(),
          units(path: path),
          newUnitForm(),
          yearEnd()
        )
      ).html()
    }

    private func breadcrumbs() -> Node<HTML.BodyContext> {
      .nav(
        .class("breadcrumbs"),
        .a(.href(SiteURL.home.path), .text(text("全部组织", "All organisations"))),
        .forEach(model.ancestors) { ancestor in
          .group(
            .text(" › "),
            .a(.href(SiteURL.organisation(.value(ancestor.id)).path), .text(ancestor.displayName(language))))
        })
    }

    private func children() -> Node<HTML.BodyContext> {
      .if(
        !model.children.isEmpty,
        .section(
          .h2(.text(text("下级组织", "Subordinate organisations"))),
          .ul(
            .class("plain-list"),
            .forEach(model.children) { child in
              .li(
                .a(.href(SiteURL.organisation(.value(child.id)).path), .text(child.displayName(language))),
                .span(.class("org-kind"), .text(child.kind.label.text(for: language))))
            })))
    }

    private func units(path: String) -> Node<HTML.BodyContext> {
      let units = model.units
      return .section(
        .h2(.text(text("参保单位（含下级，共 \(units.total) 家）", "Units (including subordinates: \(units.total))"))),
        .form(
          .class("inline-form"), .method(.get), .action(path),
          .input(
            .type(.search), .name("q"), .id("unit-search"), .value(model.search ?? ""),
            .placeholder(text("单位名称", "Unit name"))),
          .button(.type(.submit), .text(text("查找单位", "Find")))),
        .if(
          units.items.isEmpty,
          .p(.class("muted"), .text(text("暂无单位。", "No units yet."))),
          else: .table(
            .class("data-table"),
            .thead(
              .tr(
                .th(.text(text("单位名称", "Unit"))), .th(.text(text("所属工会", "Union"))),
                .th(.text(text("类型", "Sector"))))),
            .tbody(
              .forEach(units.items) { unit in
                .tr(
                  .td(.a(.href(SiteURL.unit(.value(unit.id)).path), .text(unit.name))),
                  .td(.text(model.organisationNames[unit.organisationID]?.displayName(language) ?? "")),
                  .td(.text(unit.sector.label.text(for: language))))
              }))),
        .if(units.pageCount > 1, pager(path: path, page: units)))
    }

    /// The year-end renewal of this node's units (the window's, not a unit officer's).
    private func yearEnd() -> Node<HTML.BodyContext> {
      guard let viewer, viewer.mayRegisterIndividuals else { return .empty }
      return .p(
        .a(
          .href(SiteURL.renewals.path + "?node=\(model.organisation.id)"), .id("year-end-renewal"),
          .text(text("年末批量续保：本组织及下级的全部单位", "Year-end renewal of every unit here and below"))))
    }

    /// Registering one unit under this node (the window's; many at once: the unit import).
    private func newUnitForm() -> Node<HTML.BodyContext> {
      guard let viewer, viewer.may(.manageUnits) else { return .empty }
      let controls = FormControls(errors: newUnit?.errors ?? [], language: language)
      let values = newUnit?.values ?? [:]
      return .details(
        .attribute(named: "id", value: "new-unit"), newUnit != nil ? .attribute(named: "open") : .empty,
        .summary(.text(text("登记新单位", "Register a unit"))),
        .form(
          .class("stacked-form"), .method(.post), .action(SiteURL.newUnit(.value(model.organisation.id)).path),
          .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
          controls.field("name", text("单位名称", "Unit name"), controls.input("name", values["name"] ?? "")),
          controls.field(
            "creditCode", text("统一社会信用代码", "Credit code"), controls.input("creditCode", values["creditCode"] ?? "")),
          controls.field(
            "sector", text("单位性质", "Sector"),
            .namedSelect(
              "sector", id: "sector",
              Sector.allCases.map {
                .choice($0.rawValue, $0.label.text(for: language), selected: values["sector"] == $0.rawValue)
              })),
          .button(.type(.submit), .class("primary"), .id("create-unit"), .text(text("登记", "Register"))),
          .p(
            .class("muted"),
            .a(.href(SiteURL.registryImport(.units).path), .text(text("多个单位：批量导入", "Many units: import them"))))))
    }

    private func pager(path: String, page: PagedResult<WorkUnit>) -> Node<HTML.BodyContext> {
      let current = page.request.page
      // The filter travels with the pages.
      let search =
        model.search.flatMap { $0.isEmpty ? nil : $0 }.map {
          "&q=" + ($0.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? "")
        } ?? ""
      return .nav(
        .class("pager"),
        .if(current > 1, .a(.href("\(path)?page=\(current - 1)\(search)"), .text(text("上一页", "Previous")))),
        .span(.text(text("第 \(current) / \(page.pageCount) 页", "Page \(current) of \(page.pageCount)"))),
        .if(current < page.pageCount, .a(.href("\(path)?page=\(current + 1)\(search)"), .text(text("下一页", "Next")))))
    }
  }
}
