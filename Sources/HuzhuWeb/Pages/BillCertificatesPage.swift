import HuzhuApp
import HuzhuCore
import Plot

/// The certificates a bill paid for, printed together: one A4 sheet each, a page of the list at
/// a time (a unit of thousands prints in runs), for the window to hand to the unit.
enum BillCertificatesPage {
  /// How many certificates one printing holds.
  static let perPage = 100

  struct View: LocalizedView {
    let bill: Bill
    let certificates: PagedResult<Certificate>
    let today: CalendarDate
    let language: DisplayLanguage
    let viewer: Viewer
    var publicAddress: String? = nil

    func html() -> HTML {
      let path = SiteURL.billCertificates(.value(bill.id)).path
      let pager = Pager(path: path, page: certificates, language: language)
      return Layout(
        title: text("打印保障书 ", "Print certificates ") + bill.number, language: language, currentPath: path,
        viewer: viewer,
        content: .group(
          .div(
            .class("no-print"),
            .unwrap(bill.unitID) {
              .nav(
                .class("breadcrumbs"),
                .a(.href(SiteURL.unit(.value($0)).path), .text(text("返回单位", "Back to the unit"))))
            },
            .p(
              .text(
                text(
                  "缴费单 \(bill.number)，保障期间 \(bill.period.start) 至 \(bill.period.end)。打印时每张保障书单独一页（A4），页面其余部分不打印。",
                  "Bill \(bill.number), cover \(bill.period.start) to \(bill.period.end). Each certificate prints on its own A4 page; nothing else on the page prints."
                ))),
            pager.range,
            .if(
              !certificates.items.isEmpty,
              .p(
                .button(
                  .type(.button), .class("primary"), .id("print-certificates"), .data(named: "print", value: "1"),
                  .text(
                    text(
                      "打印本页 \(certificates.items.count.grouped) 张保障书",
                      "Print the \(certificates.items.count.grouped) certificates of this page")))),
              else: .p(.class("muted"), .text(text("这张缴费单没有保障书。", "This bill has no certificates."))))),
          .div(
            .class("certificate-run"), .id("certificates"),
            .forEach(certificates.items) {
              CertificateSheet(certificate: $0, today: today, language: language, publicAddress: publicAddress).node()
            }),
          .div(.class("no-print"), pager.node)
        )
      ).html()
    }
  }
}
