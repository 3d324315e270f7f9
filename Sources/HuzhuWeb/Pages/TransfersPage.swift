import HuzhuApp
import HuzhuCore
import Plot

/// Transfer requests: those the operator's area answers (a person it keeps, asked for by a unit
/// elsewhere) with their buttons, and those its units sent, with the answer so far.
enum TransfersPage {
  struct View: LocalizedView {
    let listings: PagedResult<Transfers.Listing>
    let language: DisplayLanguage
    let viewer: Viewer
    var notice: LocalizedText? = nil
    var error: LocalizedText? = nil

    func html() -> HTML {
      let incoming = listings.items.filter(\.isIncoming)
      let outgoing = listings.items.filter { !$0.isIncoming }
      return Layout(
        title: text("调动申请", "Transfer requests"), language: language, currentPath: SiteURL.transfers.path,
        viewer: viewer,
        content: .group(
          .unwrap(notice) { .div(.class("notice notice-good"), .id("transfer-notice"), .text($0.text(for: language))) },
          .unwrap(error) {
            .div(.class("notice notice-bad"), .attribute(named: "role", value: "alert"), .text($0.text(for: language)))
          },
          .p(
            .class("muted"),
            .text(
              text(
                "名册中有其他地区登记的人员时，系统向其现登记地区发出调入申请；对方同意后人员调入，名册中的手机号、银行账户等随之生效。",
                "A roster naming someone another area keeps sends that area a request; once it agrees, the person moves and the roster's details apply."
              ))),
          .h2(.text(text("待本地区答复", "To answer"))),
          table(incoming, id: "transfers-incoming", incoming: true),
          .h2(.text(text("本地区发出的申请", "Sent by our units"))),
          table(outgoing, id: "transfers-outgoing", incoming: false),
          Pager(path: SiteURL.transfers.path, page: listings, language: language).node)
      )
      .html()
    }

    private func table(_ rows: [Transfers.Listing], id: String, incoming: Bool) -> Node<HTML.BodyContext> {
      guard !rows.isEmpty else { return .p(.class("muted"), .id(id), .text(text("暂无。", "None."))) }
      return .table(
        .class("data-table"), .id(id),
        .thead(
          .tr(
            .th(.text(text("职工", "Person"))), .th(.text(text("身份证号", "ID number"))),
            .th(.text(text("申请调入单位", "Asking unit"))), .th(.text(text("申请日期", "Requested"))),
            .th(.text(text("状态", "Status"))), .th(.text(text("办理", "Answer"))))),
        .tbody(
          .forEach(rows) { listing in
            let request = listing.request
            return .tr(
              .td(
                .unwrap(
                  listing.worker, { .a(.href(SiteURL.worker(.value($0.id)).path), .text($0.name)) },
                  else: .text(request.details.name))),
              .td(.text(ResidentIDNumber(request.details.idNumber)?.masked ?? "")),
              .td(.text(listing.askingUnitName)),
              .td(.text(request.requestedOn.description)),
              .td(
                .text(request.status.label.text(for: language)),
                .unwrap(request.note) { .span(.class("muted"), .text("（\($0)）")) }),
              .td(
                .forEach(listing.decisions) { decision in
                  .form(
                    .class("inline-form"), .method(.post),
                    .action(SiteURL.transferDecision(.value(request.id)).path),
                    .data(
                      named: "confirm",
                      value: decision == .confirm
                        ? text(
                          "同意后该职工调入对方单位，名册中的联系方式和银行账户随之生效。确定？",
                          "The person moves and the roster's details apply. Confirm?")
                        : text("确定？", "Sure?")),
                    .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
                    .input(.type(.hidden), .name("decision"), .value(decision.rawValue)),
                    .button(
                      .type(.submit), .class(decision == .confirm ? "primary" : ""),
                      .id("\(decision.rawValue)-\(request.id)"), .text(decision.label.text(for: language))))
                }))
          }))
    }
  }
}
