import HuzhuCore
import Plot

extension DashboardPage {
  struct View: LocalizedView {
    let model: Model
    let language: DisplayLanguage
    let viewer: Viewer

    func html() -> HTML {
      Layout(
        title: text("工作台", "Dashboard"), language: language, currentPath: SiteURL.home.path, viewer: viewer,
        content: .group(
          .p(
            .class("muted"),
            .text(
              "\(viewer.displayName) · \(model.organisation.displayName(language)) · "
                + viewer.roles.sorted().map { $0.label.text(for: language) }.joined(separator: "、"))),
          .unwrap(model.unit) { unit in
            .p(
              .a(
                .class("button"), .href(SiteURL.unit(.value(unit.id)).path),
                .text(text("本单位：", "My unit: ") + unit.name)))
          },
          work(),
          figures(),
          administration()
        )
      ).html()
    }

    private func figure(_ value: String, _ label: String, link: SiteURL? = nil, id: String) -> Node<HTML.BodyContext> {
      figure(value, label, path: link?.path, id: id)
    }

    /// A figure that opens the claims queue filtered to what it counts.
    private func figure(_ value: String, _ label: String, queue: ClaimQueuePage.Filter, id: String)
      -> Node<HTML.BodyContext>
    {
      figure(value, label, path: queue.path, id: id)
    }

    private func figure(_ value: String, _ label: String, path: String?, id: String) -> Node<HTML.BodyContext> {
      .div(
        .class("figure"), .id(id),
        .unwrap(
          path, { .a(.class("figure-value"), .href($0), .text(value)) },
          else: .span(.class("figure-value"), .text(value))),
        .span(.class("figure-label"), .text(label)))
    }

    /// The queues this operator's roles work on.
    private func work() -> Node<HTML.BodyContext> {
      guard let claims = model.claims else { return .empty }
      var tiles: [Node<HTML.BodyContext>] = []
      if viewer.may(.intakeClaims) {
        tiles.append(
          figure(
            (claims[.draft] + claims[.returned]).grouped, text("待补正/草稿", "Drafts and returned"),
            queue: .init(stage: .intake), id: "work-drafts"))
      }
      if viewer.may(.reviewClaims) {
        tiles.append(
          figure(claims[.submitted].grouped, text("待审核", "To review"), queue: .init(stage: .review), id: "work-review"))
      }
      if viewer.may(.approveClaims) {
        tiles.append(
          figure(
            claims[.reviewed].grouped, text("待审批", "To approve"), queue: .init(stage: .approval), id: "work-approve"))
      }
      if viewer.may(.managePayments) {
        tiles.append(figure(claims[.approved].grouped, text("待支付", "To pay"), link: .paymentBatches, id: "work-pay"))
      }
      tiles.append(
        figure(
          claims.dueToday.grouped, text("今日到期", "Due today"), queue: .init(stage: .all, deadline: .dueToday),
          id: "work-due-today"))
      tiles.append(
        figure(
          claims.overdue.grouped, text("已超期", "Overdue"), queue: .init(stage: .all, deadline: .overdue),
          id: "work-overdue"))
      return .group(.h2(.text(text("待办", "Work waiting"))), .div(.class("figures"), .group(tiles)))
    }

    private func figures() -> Node<HTML.BodyContext> {
      guard model.registry != nil || model.claims != nil else { return .empty }
      return .group(
        .h2(.text(text("主要指标", "Key figures"))),
        .div(
          .class("figures"),
          .unwrap(model.registry) { counts in
            .group(
              figure(counts.units.grouped, text("参保单位", "Units"), link: .organisations, id: "figure-units"),
              figure(counts.workers.grouped, text("登记职工", "Registered workers"), link: .workers, id: "figure-workers"))
          },
          .unwrap(model.claims) { claims in
            .group(
              figure(claims[.paid].grouped, text("已给付人次", "Claims paid"), id: "figure-paid-count"),
              figure(claims.paidAmount.formatted, text("已给付金额（元）", "Amount paid (yuan)"), id: "figure-paid-amount"))
          },
          .unwrap(model.oneStop) { oneStop in
            .group(
              figure(
                oneStop.paidWithoutPapers.percentText(decimals: 1), text("零材料给付占比", "Paid without papers"),
                link: .settlementsPage, id: "figure-paid-without-papers"),
              figure(
                oneStop.averageDaysText, text("结算至给付平均天数", "Days from settlement to payment"),
                link: .settlementsPage, id: "figure-days-to-payment"),
              figure(
                oneStop.held.grouped, text("一站式待处理", "One-stop waiting"), link: .settlementsPage,
                id: "figure-one-stop-held"))
          }))
    }

    private func administration() -> Node<HTML.BodyContext> {
      var links: [(SiteURL, String, String)] = []
      if viewer.may(.viewAudit) { links.append((.auditLog, "审计日志", "Audit log")) }
      if viewer.may(.viewFund) { links.append((.funds, "资金对账", "Fund reconciliation")) }
      guard !links.isEmpty else { return .empty }
      return .ul(.class("plain-list"), .forEach(links) { url, zh, en in .li(.a(.href(url.path), .text(text(zh, en)))) })
    }
  }
}
