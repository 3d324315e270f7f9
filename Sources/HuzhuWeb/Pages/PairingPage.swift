import HuzhuCore
import Plot

/// The hardship pairing ledger (包联台账) for cadres: each paired worker, the cadre, whether
/// the cadre pays the contribution, the visits, and a visit recorded on the spot.
enum PairingPage {
  struct Entry {
    let pairing: HardshipPairing
    let workerName: String
    let visits: [PairingVisit]
  }

  struct Model {
    let entries: [Entry]
    let today: CalendarDate
    var notice: LocalizedText?
    var error: LocalizedText?
  }

  struct View: LocalizedView {
    let model: Model
    let language: DisplayLanguage
    let viewer: Viewer

    func html() -> HTML {
      Layout(
        title: text("困难职工包联台账", "Hardship pairing ledger"), language: language,
        currentPath: SiteURL.pairingsPage.path, viewer: viewer,
        content: .group(
          .unwrap(model.notice) {
            .div(.class("notice notice-good"), .id("pairing-notice"), .text($0.text(for: language)))
          },
          .unwrap(model.error) {
            .div(.class("notice notice-bad"), .attribute(named: "role", value: "alert"), .text($0.text(for: language)))
          },
          .p(.class("muted"), .text(text("共 \(model.entries.count) 名结对职工", "\(model.entries.count) paired workers"))),
          .forEach(model.entries) { entry($0) })
      )
      .html()
    }

    private func entry(_ entry: Entry) -> Node<HTML.BodyContext> {
      let pairing = entry.pairing
      return .section(
        .class("actions"),
        .h2(.text("\(entry.workerName) · \(pairing.hardshipLevel.label.text(for: language))")),
        .p(
          .text(text("包联干部：", "Cadre: ") + pairing.cadreName),
          .text(text(" · 自 \(pairing.startedOn) 起", " · since \(pairing.startedOn)")),
          .if(
            pairing.cadrePaysContribution,
            .span(.class("badge badge-paid"), .text(text("干部代缴互助金", "the cadre pays the contribution"))))),
        .if(
          !entry.visits.isEmpty,
          .ul(
            .class("plain-list"),
            .forEach(entry.visits) { visit in .li(.text("\(visit.visitedOn) \(visit.note)")) })),
        .form(
          .class("inline-form"), .method(.post), .action(SiteURL.pairingVisit(.value(pairing.id)).path),
          .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
          .input(
            .type(.date), .name("visitedOn"), .value(model.today.description),
            .attribute(named: "aria-label", value: text("走访日期", "Visited on"))),
          .input(
            .type(.text), .name("note"), .required(true), .placeholder(text("走访情况（如：入户走访，了解就医情况）", "What happened"))),
          .button(.type(.submit), .class("primary"), .text(text("记录走访", "Record the visit")))))
    }
  }
}
