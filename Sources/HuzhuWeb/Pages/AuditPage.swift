import Foundation
import HuzhuApp
import HuzhuCore
import Plot
import Vapor

/// The audit log for the audit administrator: newest first, filtered by kind, account and
/// days (Asia/Shanghai), a page at a time, and exported as the filter picks.
enum AuditPage {
  /// The filter as the form and the links carry it.
  struct Filter {
    var kind: AuditKind?
    var actor: String?
    var from: CalendarDate?
    var to: CalendarDate?

    init(_ request: Request) {
      kind = request.query[String.self, at: "kind"].flatMap(AuditKind.init(rawValue:))
      actor = request.query[String.self, at: "actor"].flatMap { $0.isEmpty ? nil : $0 }
      from = request.query[String.self, at: "from"].flatMap(CalendarDate.init)
      to = request.query[String.self, at: "to"].flatMap(CalendarDate.init)
    }

    /// From the first moment of `from` to the end of `to`, in Shanghai.
    var query: AuditQuery {
      AuditQuery(
        kind: kind, actor: actor, from: from?.startInstant(), until: to.map { $0.adding(days: 1).startInstant() })
    }

    var parameters: [(String, String)] {
      [
        kind.map { ("kind", $0.rawValue) }, actor.map { ("actor", $0) }, from.map { ("from", $0.description) },
        to.map { ("to", $0.description) },
      ].compactMap { $0 }
    }
  }

  struct Model {
    let events: PagedResult<AuditEvent>
    let filter: Filter
    /// The page's subjects by the names people know them by (``AuditLog/subjectNames(of:)``).
    var subjectNames: [String: String] = [:]

    static func load(query filter: Filter, page: PageQuery, from log: AuditLog) async throws -> Model {
      let events = try await log.events(filter.query, page: page)
      return Model(events: events, filter: filter, subjectNames: try await log.subjectNames(of: events.items))
    }

    func exportLink(_ format: String) -> String {
      var components = URLComponents()
      components.path = SiteURL.auditExport.path
      components.queryItems = (filter.parameters + [("format", format)]).map { URLQueryItem(name: $0.0, value: $0.1) }
      return components.string ?? SiteURL.auditExport.path
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
                  .choice(kind.rawValue, kind.label.text(for: language), selected: model.filter.kind == kind)
                }),
            .input(.type(.text), .name("actor"), .value(model.filter.actor ?? ""), .placeholder(text("账号", "Account"))),
            .label(.for("from"), .text(text("自", "From"))),
            .input(.type(.date), .id("from"), .name("from"), .value(model.filter.from?.description ?? "")),
            .label(.for("to"), .text(text("至", "To"))),
            .input(.type(.date), .id("to"), .name("to"), .value(model.filter.to?.description ?? "")),
            .button(.type(.submit), .text(text("筛选", "Filter"))),
            .a(
              .class("button secondary"), .id("audit-export-csv"), .href(model.exportLink("csv")),
              .text(text("导出 CSV", "Export CSV"))),
            .a(.class("button secondary"), .href(model.exportLink("xlsx")), .text(text("导出 Excel", "Export Excel")))),
          .p(
            .class("muted"),
            .text(
              text(
                "共 \(model.events.total.grouped) 条，只能追加，不能修改或删除。",
                "\(model.events.total.grouped) entries; append-only."))),
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
                  .td(.text(event.actor)),
                  .td(.text(AuditText.subject(event.subject, language, names: model.subjectNames))),
                  .td(.text(AuditText.detail(event.detail, language))),
                  .td(.text(event.address ?? "")))
              })),
          Pager(path: SiteURL.auditLog.path, page: model.events, language: language, query: model.filter.parameters)
            .node)
      )
      .html()
    }
  }
}
