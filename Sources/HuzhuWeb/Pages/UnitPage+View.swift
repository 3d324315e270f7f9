import Foundation
import HuzhuCore
import Plot

extension UnitPage {
  struct View: LocalizedView {
    let model: Model
    let language: DisplayLanguage
    var viewer: Viewer? = nil
    var notice: LocalizedText? = nil
    var error: LocalizedText? = nil
    /// A form sent back with its errors.
    var refused: UnitPage.Refused? = nil

    func html() -> HTML {
      let unit = model.unit
      return Layout(
        title: unit.name, language: language, currentPath: SiteURL.unit(.value(unit.id)).path, viewer: viewer,
        content: .group(
          .nav(
            .class("breadcrumbs"),
            .a(.href(SiteURL.home.path), .text(text("全部组织", "All organisations"))),
            .unwrap(model.organisation) { organisation in
              .group(
                .text(" › "),
                .a(
                  .href(SiteURL.organisation(.value(organisation.id)).path),
                  .text(organisation.displayName(language))))
            }),
          .unwrap(notice) { .div(.class("notice notice-good"), .id("unit-notice"), .text($0.text(for: language))) },
          .unwrap(error) {
            .div(
              .class("notice notice-bad"), .id("unit-error"), .attribute(named: "role", value: "alert"),
              .text($0.text(for: language)))
          },
          summary(),
          work(),
          // The bills first: a bill just made is what the clerk came back for.
          bills(),
          upkeep(),
          members(),
          cover(),
          outreach()
        )
      ).html()
    }

    private func summary() -> Node<HTML.BodyContext> {
      let details = model.details
      let headcount = model.headcount?.total ?? model.workers.total
      let participation = Share(model.covered, of: headcount)
      return .group(
        .div(
          .class("figures"),
          figure(
            String(headcount),
            model.headcount.map { text("职工总数（\($0.asOf) 填报）", "Headcount (reported \($0.asOf))") }
              ?? text("名册在职人数", "Workers on the roster")),
          figure(
            model.headcount.map { String($0.female) } ?? "—", text("其中女职工", "of whom women")),
          figure(String(model.covered), text("今日在保人数", "Covered today")),
          figure(participation.isDefined ? participation.percentText() : "—", text("参保率", "Participation")),
          figure(String(model.bills.filter { $0.status != .paid }.count), text("未缴清缴费单", "Bills not settled"))),
        .dl(
          .class("facts"),
          .fact(text("统一社会信用代码", "Credit code"), model.unit.creditCode),
          .fact(text("单位类型", "Sector"), model.unit.sector.label.text(for: language)),
          .fact(text("地址", "Address"), details.address),
          .fact(
            text("联系人", "Contact"),
            [details.contactName, details.contactPhone].compactMap { $0 }.joined(separator: " ").nilIfEmpty),
          .fact(
            text("开户行及账号", "Bank account"),
            details.bankAccount.map { "\(details.bankName ?? "") \(BankAccountMask.masked($0))" })))
    }

    /// The pager of one of the page's two lists, keeping the other list's page.
    private func pager<Item>(_ page: PagedResult<Item>, parameter: String, other: (String, Int), fragment: String)
      -> Pager<Item>
    {
      Pager(
        path: SiteURL.unit(.value(model.unit.id)).path, page: page, language: language,
        query: other.1 > 1 ? [(other.0, String(other.1))] : [], parameter: parameter, fragment: fragment)
    }

    private func members() -> Node<HTML.BodyContext> {
      let pager = pager(
        model.workers, parameter: UnitPage.workersParameter,
        other: (UnitPage.enrollmentsParameter, model.enrollments.request.page), fragment: "unit-workers")
      return .section(
        .id("unit-workers"),
        .h2(.text(text("在职职工（\(model.workers.total.grouped) 人）", "Workers (\(model.workers.total.grouped))"))),
        pager.range,
        .if(
          model.workers.items.isEmpty,
          .p(
            .class("muted"),
            .text(text("名册为空：可通过接口或命令行导入花名册。", "No roster yet: import one through the API or the CLI."))),
          else: .table(
            .class("data-table"),
            .thead(
              .tr(
                .th(.text(text("姓名", "Name"))), .th(.text(text("身份证号", "ID number"))),
                .th(.text(text("性别", "Gender"))), .th(.text(text("医保类型", "Insurance"))))),
            .tbody(
              .forEach(model.workers.items) { worker in
                .tr(
                  .td(.text(worker.name)), .td(.text(worker.idNumber.masked)),
                  .td(.text(worker.gender.label.text(for: language))),
                  .td(.text(worker.insuranceType.label.text(for: language))))
              }))),
        pager.node)
    }

    private func cover() -> Node<HTML.BodyContext> {
      let pager = pager(
        model.enrollments, parameter: UnitPage.enrollmentsParameter,
        other: (UnitPage.workersParameter, model.workers.request.page), fragment: "unit-enrollments")
      return .section(
        .id("unit-enrollments"),
        .h2(
          .text(
            text(
              "参保记录（\(model.enrollments.total.grouped) 条）", "Enrollments (\(model.enrollments.total.grouped))"))),
        pager.range,
        .if(
          model.enrollments.items.isEmpty,
          .p(.class("muted"), .text(text("尚未参保。", "No enrollments yet."))),
          else: .table(
            .class("data-table"),
            .thead(
              .tr(
                .th(.text(text("保障书编号", "Certificate"))), .th(.text(text("姓名", "Name"))),
                .th(.text(text("产品", "Product"))), .th(.text(text("保障期间", "Period"))),
                .th(.class("number"), .text(text("份数", "Shares"))), .th(.text(text("状态", "Status"))))),
            .tbody(
              .forEach(model.enrollments.items) { enrollment in
                .tr(
                  .td(
                    .a(
                      .href(SiteURL.certificate(.value(enrollment.certificateNumber)).path),
                      .text(enrollment.certificateNumber))),
                  .td(.text(model.names[enrollment.workerID] ?? "")),
                  .td(.text(model.productNames[enrollment.productCode]?.text(for: language) ?? enrollment.productCode)),
                  .td(.text("\(enrollment.period.start) – \(enrollment.period.end)")),
                  .td(.class("number"), .text(String(enrollment.shares))),
                  .td(cover(enrollment.coverState(on: model.today))))
              }))),
        pager.node)
    }

    /// What the viewer may start from here.
    private func work() -> Node<HTML.BodyContext> {
      guard let viewer else { return .empty }
      let unit = model.unit.id
      return .p(
        .class("actions-bar"),
        .if(
          viewer.may(.manageUnits),
          .a(
            .class("button"), .id("import-roster"), .href(SiteURL.rosterPage(.value(unit)).path),
            .text(text("导入花名册", "Import a roster")))),
        .text(" "),
        .if(
          viewer.may(.enroll),
          .a(
            .class("button"), .id("enroll-unit"), .href(SiteURL.enrollPage(.value(unit)).path),
            .text(text("办理集体参保", "Enroll the unit")))))
    }

    private func bills() -> Node<HTML.BodyContext> {
      BillsTable(
        bills: model.bills, payments: model.payments, today: model.today, language: language, viewer: viewer
      ).node()
    }

    private func outreach() -> Node<HTML.BodyContext> {
      .section(
        .h2(.text(text("走访宣传记录", "Outreach visits"))),
        .if(
          model.outreach.isEmpty,
          .p(.class("muted"), .text(text("暂无走访记录。", "No visits recorded."))),
          else: .table(
            .class("data-table"),
            .thead(
              .tr(
                .th(.text(text("日期", "Date"))), .th(.text(text("走访人", "Visitor"))),
                .th(.text(text("对接人", "Contact"))), .th(.text(text("发放材料", "Materials"))),
                .th(.text(text("结果", "Outcome"))))),
            .tbody(
              .forEach(model.outreach) { visit in
                .tr(
                  .td(.text(visit.visitedOn.description)), .td(.text(visit.visitor)), .td(.text(visit.contact ?? "")),
                  .td(.text(visit.materials ?? "")),
                  .td(
                    .text(
                      visit.outcome.label.text(for: language)
                        + (visit.declineReason.map { "（\($0.label.text(for: language))）" } ?? "")
                        + (visit.note.map { " · \($0)" } ?? ""))))
              }))))
    }

    private func cover(_ state: CoverState) -> Node<HTML.BodyContext> {
      .span(.class("badge badge-\(state.rawValue)"), .text(state.label.text(for: language)))
    }

    private func figure(_ value: String, _ label: String) -> Node<HTML.BodyContext> {
      .div(.class("figure"), .span(.class("figure-value"), .text(value)), .span(.class("figure-label"), .text(label)))
    }
  }
}

/// `6222 **** **** 1234`-style masking for account numbers shown on pages.
enum BankAccountMask {
  static func masked(_ account: String) -> String {
    guard account.count > 8 else { return account }
    return String(account.prefix(4)) + " **** " + String(account.suffix(4))
  }
}

extension String {
  var nilIfEmpty: String? { isEmpty ? nil : self }
}
