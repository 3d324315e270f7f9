import Foundation
import HuzhuApp
import HuzhuCore
import Plot

/// The audit log for the audit administrator: newest first, filtered by kind and account.
enum AuditPage {
  struct Model {
    let events: PagedResult<AuditEvent>
    let query: AuditQuery

    static func load(query: AuditQuery, page: PageQuery, from log: AuditLog) async throws -> Model {
      Model(events: try await log.events(query, page: page), query: query)
    }
  }

  struct View: LocalizedView {
    let model: Model
    let language: DisplayLanguage
    let viewer: Viewer

    func html() -> HTML {
      Layout(
        title: text("审计日志", "Audit log"), language: language, currentPath: SiteURL.auditLog.path, viewer: viewer,
        content: .group(
          .form(
            .class("inline-form"), .method(.get), .action(SiteURL.auditLog.path),
            .namedSelect(
              "kind", id: "kind",
              [.choice("", text("全部类型", "All kinds"))]
                + AuditKind.allCases.map { kind in
                  .choice(kind.rawValue, kind.label.text(for: language), selected: model.query.kind == kind)
                }),
            .input(.type(.text), .name("actor"), .value(model.query.actor ?? ""), .placeholder(text("账号", "Account"))),
            .button(.type(.submit), .text(text("筛选", "Filter")))),
          .p(
            .class("muted"),
            .text(text("共 \(model.events.total) 条，只能追加，不能修改或删除。", "\(model.events.total) entries; append-only."))),
          .table(
            .class("data-table"), .id("audit-events"),
            .thead(
              .tr(
                .th(.text(text("时间", "Time"))), .th(.text(text("类型", "Kind"))), .th(.text(text("账号", "Account"))),
                .th(.text(text("对象", "Subject"))), .th(.text(text("说明", "Detail"))), .th(.text(text("地址", "Address"))))),
            .tbody(
              .forEach(model.events.items) { event in
                .tr(
                  .td(.text(Layout.timestamp(event.at, seconds: true))),
                  .td(
                    .span(
                      .class("badge badge-audit-\(event.kind.rawValue)"), .text(event.kind.label.text(for: language)))),
                  .td(.text(event.actor)), .td(.text(event.subject)), .td(.text(event.detail)),
                  .td(.text(event.address ?? "")))
              })))
      )
      .html()
    }
  }
}
