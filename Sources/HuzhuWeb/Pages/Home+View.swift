import HuzhuApp
import HuzhuCore
import Plot

extension Home {
  struct View {
    let model: Model
    let language: DisplayLanguage
    var viewer: Viewer? = nil

    func html() -> HTML {
      Layout(
        title: Layout.text(zh: "工会组织机构", en: "Union organisations", language),
        language: language, currentPath: SiteURL.organisations.path, viewer: viewer,
        content: .group(summary(), imports(), tree())
      ).html()
    }

    private func summary() -> Node<HTML.BodyContext> {
      func figure(_ value: Int, _ zh: String, _ en: String) -> Node<HTML.BodyContext> {
        .div(
          .class("figure"),
          .span(.class("figure-value"), .text(String(value))),
          .span(.class("figure-label"), .text(Layout.text(zh: zh, en: en, language))))
      }
      return .div(
        .class("figures"),
        figure(model.counts.organisations, "工会组织", "Organisations"),
        figure(model.counts.units, "参保单位", "Units"),
        figure(model.counts.workers, "登记职工", "Registered workers"))
    }

    /// Where the tree and the units come in from the spreadsheets kept before Huzhu.
    private func imports() -> Node<HTML.BodyContext> {
      let links: [(RegistryImports.Kind, String, String)] = [
        (.organisations, "批量导入组织架构", "Import the organisation tree"), (.units, "批量导入单位", "Import units"),
      ]
      let allowed = links.filter { viewer?.may($0.0.permission) == true }
      return .if(
        !allowed.isEmpty,
        .p(
          .class("actions"),
          .forEach(allowed) { kind, zh, en in
            .a(
              .href(SiteURL.registryImport(kind).path), .id("import-\(kind.rawValue)"),
              .text(Layout.text(zh: zh, en: en, language)))
          }))
    }

    private func tree() -> Node<HTML.BodyContext> {
      guard !model.tree.roots.isEmpty else {
        return .p(.class("muted"), .text(Layout.text(zh: "尚无组织机构。", en: "No organisations yet.", language)))
      }
      return .ul(.class("org-tree"), .forEach(model.tree.roots) { branch($0) })
    }

    private func branch(_ node: OrganisationTree.Node) -> Node<HTML.ListContext> {
      .li(
        .class("org-node"),
        .a(
          .href(SiteURL.organisation(.value(node.id)).path),
          .text(node.organisation.displayName(language))),
        .span(.class("org-kind"), .text(node.organisation.kind.label.text(for: language))),
        .span(
          .class("org-units"),
          .text(
            Layout.text(zh: "\(node.totalUnitCount) 家单位", en: "\(node.totalUnitCount) units", language))),
        .if(!node.children.isEmpty, .ul(.forEach(node.children) { branch($0) }))
      )
    }
  }
}
