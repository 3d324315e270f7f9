import HuzhuApp
import HuzhuCore
import Plot

extension RegistryImportPage {
  struct View: LocalizedView {
    let model: Model
    let language: DisplayLanguage
    let viewer: Viewer

    var title: String {
      switch model.kind {
      case .organisations: text("批量导入组织架构", "Import the organisation tree")
      case .units: text("批量导入单位", "Import units")
      }
    }

    func html() -> HTML {
      Layout(
        title: title, language: language, currentPath: SiteURL.registryImport(model.kind).path, viewer: viewer,
        content: .group(
          .unwrap(model.notice) {
            .div(.class("notice notice-good"), .id("import-notice"), .text($0.text(for: language)))
          },
          .p(.class("muted"), .text(explanation)),
          .forEach(model.errors.prefix(RegistryImportPage.problemRowsShown)) { error in
            .div(
              .class("notice notice-bad"), .attribute(named: "role", value: "alert"),
              .text(error.message.text(for: language)))
          },
          .if(
            model.errors.count > RegistryImportPage.problemRowsShown,
            .div(
              .class("notice notice-bad"),
              .text(
                text(
                  "另有 \(model.errors.count - RegistryImportPage.problemRowsShown) 处错误未列出",
                  "\(model.errors.count - RegistryImportPage.problemRowsShown) more errors not listed")))),
          upload(),
          .if(model.previewed, preview()))
      )
      .html()
    }

    var explanation: String {
      switch model.kind {
      case .organisations:
        text(
          "每行一个组织：编码、上级编码、类型、名称。上级可以是本表中的行，也可以是辖区内已有的组织；已存在且相同的行不变。",
          "One node a row: code, parent code, kind, name. A parent is a row of the sheet or a node of your area; rows identical to a node already there are left as they are."
        )
      case .units:
        text(
          "每行一个单位：所属组织编码、单位名称、统一社会信用代码，以及性质、地址、联系人、开户行和职工人数。已登记的信用代码将更新该单位。",
          "One unit a row: organisation code, name, credit code, and sector, address, contact, bank and headcounts. A credit code already registered updates that unit."
        )
      }
    }

    private func upload() -> Node<HTML.BodyContext> {
      .form(
        .class("inline-form upload-form"), .method(.post), .action(SiteURL.registryImport(model.kind).path),
        .enctype(.multipartData),
        .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
        .input(
          .type(.file), .name("file"), .id("import-file"), .required(true),
          .attribute(
            named: "accept",
            value: ".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv")),
        .button(.type(.submit), .class("primary"), .id("import-preview"), .text(text("上传并检查", "Upload and check"))),
        .a(.href(SiteURL.registryImportTemplate(model.kind).path), .text(text("下载模板", "Download the template"))))
    }

    private func preview() -> Node<HTML.BodyContext> {
      var clean = 0
      var wrong = 0
      let rows = model.rows.filter { row in
        guard row.errors.isEmpty else {
          wrong += 1
          return wrong <= RegistryImportPage.problemRowsShown
        }
        clean += 1
        return clean <= RegistryImportPage.cleanRowsShown
      }
      let unlisted = wrong - min(wrong, RegistryImportPage.problemRowsShown)
      let counts = Dictionary(grouping: model.rows, by: \.action).mapValues(\.count)
      return .group(
        .div(
          .class("figures"), .id("import-figures"),
          figure(String(model.rows.count), text("行", "Rows")),
          figure(String(counts[.create] ?? 0), text("新建", "New")),
          figure(String(counts[.update] ?? 0), text("更新", "Updated")),
          figure(String(counts[.unchanged] ?? 0), text("无变化", "Unchanged")),
          figure(String(model.errorCount), text("错误", "Errors"))),
        .forEach(model.fileErrors) { error in
          .div(.class("notice notice-bad"), .text(error.message.text(for: language)))
        },
        model.canCommit
          ? .form(
            .class("inline-form"), .method(.post), .action(SiteURL.registryImportCommit(model.kind).path),
            .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
            .input(.type(.hidden), .name("file"), .value(model.file ?? "")),
            .p(
              .text(
                text(
                  "没有错误：导入将一次写入全部 \(model.rows.count) 行。",
                  "No errors: the import writes all \(model.rows.count) rows at once."))),
            .button(.type(.submit), .class("primary"), .id("import-commit"), .text(text("确认导入", "Import"))))
          : .div(
            .class("notice notice-bad"), .id("import-blocked"),
            .text(
              text(
                "有错误的行，不能导入：请修改文件后重新上传（不会写入任何一行）。",
                "Rows have errors: correct the file and upload it again (nothing is written)."))),
        .table(
          .class("data-table"), .id("import-rows"),
          .thead(
            .tr(
              .th(.text(text("行号", "Row"))), .th(.text(text("处理", "Action"))),
              .th(.text(model.kind == .organisations ? text("编码", "Code") : text("信用代码", "Credit code"))),
              .th(.text(text("名称", "Name"))),
              .th(.text(model.kind == .organisations ? text("上级", "Parent") : text("所属组织", "Organisation"))),
              .th(.text(text("问题", "Problems"))))),
          .tbody(
            .forEach(rows) { row in
              .tr(
                .class(row.errors.isEmpty ? "" : "row-error"),
                .td(.text(String(row.number))), .td(.text(row.action.label.text(for: language))),
                .td(.text(row.code)), .td(.text(row.name)), .td(.text(row.under)),
                .td(.forEach(row.errors) { .div(.class("field-message"), .text($0.message.text(for: language))) }))
            })),
        .if(
          unlisted > 0,
          .p(
            .class("notice notice-bad"), .id("import-unlisted"),
            .text(
              text(
                "另有 \(unlisted) 行有错误未列出：请先修改上面列出的，再重新上传。",
                "\(unlisted) more rows have errors: correct those listed and upload again.")))))
    }

    private func figure(_ value: String, _ label: String) -> Node<HTML.BodyContext> {
      .div(.class("figure"), .span(.class("figure-value"), .text(value)), .span(.class("figure-label"), .text(label)))
    }
  }
}
