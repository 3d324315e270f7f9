import HuzhuCore
import Plot

/// A unit's roster upload: the file, then a preview of every row's errors and warnings, then
/// the import (all rows or none). The uploaded file waits in the document store by its
/// SHA-256 between preview and import, so the import is of exactly the file previewed.
enum RosterPage {
  struct Model {
    let unit: WorkUnit
    var preview: RosterPreview?
    /// The stored file's SHA-256, carried from the preview to the import.
    var file: String?
    var errors: [FieldError] = []
  }

  /// Rows shown: every row with a problem, then the first clean ones up to this.
  static let cleanRowsShown = 20
  /// Rows with problems listed at most; the rest are counted (see ``RegistryImportPage``).
  static let problemRowsShown = RegistryImportPage.problemRowsShown

  struct View: LocalizedView {
    let model: Model
    let language: DisplayLanguage
    let viewer: Viewer

    func html() -> HTML {
      let unit = model.unit
      return Layout(
        title: text("花名册导入：", "Roster import: ") + unit.name, language: language,
        currentPath: SiteURL.rosterPage(.value(unit.id)).path, viewer: viewer,
        content: .group(
          .nav(.class("breadcrumbs"), .a(.href(SiteURL.unit(.value(unit.id)).path), .text(unit.name))),
          .forEach(model.errors.prefix(RosterPage.problemRowsShown)) { error in
            .div(
              .class("notice notice-bad"), .attribute(named: "role", value: "alert"),
              .text(error.message.text(for: language)))
          },
          .if(
            model.errors.count > RosterPage.problemRowsShown,
            .div(
              .class("notice notice-bad"),
              .text(
                text(
                  "另有 \(model.errors.count - RosterPage.problemRowsShown) 处错误未列出",
                  "\(model.errors.count - RosterPage.problemRowsShown) more errors not listed")))),
          upload(),
          .unwrap(model.preview) { preview($0) })
      )
      .html()
    }

    private func upload() -> Node<HTML.BodyContext> {
      .form(
        .class("inline-form upload-form"), .method(.post), .action(SiteURL.rosterPage(.value(model.unit.id)).path),
        .enctype(.multipartData), .data(named: "progress", value: "roster-progress"),
        .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
        .input(
          .type(.file), .name("file"), .id("roster-file"), .required(true),
          .attribute(
            named: "accept",
            value: ".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv")),
        .button(.type(.submit), .class("primary"), .id("roster-preview"), .text(text("上传并检查", "Upload and check"))),
        .a(.href(SiteURL.rosterTemplate.path), .text(text("下载花名册模板", "Download the template"))),
        .element(
          named: "progress",
          nodes: [.id("roster-progress"), .attribute(named: "max", value: "100"), .attribute(named: "hidden")]))
    }

    private func preview(_ preview: RosterPreview) -> Node<HTML.BodyContext> {
      var clean = 0
      var flagged = 0
      let rows = preview.rows.filter { row in
        guard row.errors.isEmpty && row.warnings.isEmpty else {
          flagged += 1
          return flagged <= RosterPage.problemRowsShown
        }
        clean += 1
        return clean <= RosterPage.cleanRowsShown
      }
      let unlisted = flagged - min(flagged, RosterPage.problemRowsShown)
      return .group(
        .div(
          .class("figures"), .id("roster-figures"),
          figure(String(preview.rows.count), text("行", "Rows")),
          figure(String(preview.errorCount), text("错误", "Errors")),
          figure(String(preview.warningCount), text("提示", "Warnings"))),
        .forEach(preview.fileErrors) { error in
          .div(.class("notice notice-bad"), .text(error.message.text(for: language)))
        },
        preview.canCommit
          ? .form(
            .class("inline-form"), .method(.post), .action(SiteURL.rosterCommit(.value(model.unit.id)).path),
            .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
            .input(.type(.hidden), .name("file"), .value(model.file ?? "")),
            .p(
              .text(
                text(
                  "没有错误：导入将一次写入全部 \(preview.rows.count) 行。",
                  "No errors: the import writes all \(preview.rows.count) rows at once."))),
            .button(.type(.submit), .class("primary"), .id("roster-commit"), .text(text("确认导入", "Import"))))
          : .div(
            .class("notice notice-bad"), .id("roster-blocked"),
            .text(
              text(
                "有错误的行，不能导入：请修改文件后重新上传（不会写入任何一行）。",
                "Rows have errors: correct the file and upload it again (nothing is written)."))),
        .table(
          .class("data-table"), .id("roster-rows"),
          .thead(
            .tr(
              .th(.text(text("行号", "Row"))), .th(.text(text("姓名", "Name"))), .th(.text(text("身份证号", "ID number"))),
              .th(.text(text("问题", "Problems"))))),
          .tbody(
            .forEach(rows) { row in
              .tr(
                .class(row.errors.isEmpty ? (row.warnings.isEmpty ? "" : "row-warning") : "row-error"),
                .td(.text(String(row.rowNumber))), .td(.text(row.name)), .td(.text(row.idNumber?.masked ?? "—")),
                .td(
                  .forEach(row.errors) { .div(.class("field-message"), .text($0.message.text(for: language))) },
                  .forEach(row.warnings) { .div(.class("muted"), .text($0.message.text(for: language))) }))
            })),
        .if(
          unlisted > 0,
          .p(
            .class("notice notice-bad"), .id("roster-unlisted"),
            .text(
              text(
                "另有 \(unlisted) 行有错误或提示未列出：请先修改上面列出的，再重新上传。",
                "\(unlisted) more rows have errors or notes: correct those listed and upload again.")))))
    }

    private func figure(_ value: String, _ label: String) -> Node<HTML.BodyContext> {
      .div(.class("figure"), .span(.class("figure-value"), .text(value)), .span(.class("figure-label"), .text(label)))
    }
  }
}
