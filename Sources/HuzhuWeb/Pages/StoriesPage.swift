import HuzhuCore
import HuzhuPersistence
import Plot
import Vapor

/// Real claim cases for publicity (the seeds: "publicity from real, anonymised claim
/// cases"): what a worker went through and what the scheme paid, with nothing that names
/// them — no name, no unit name, no dates finer than the month, age in five-year bands.
enum StoriesPage {
  struct Story {
    let scheme: String
    let sector: LocalizedText
    let gender: Gender
    let ageBand: Int
    let month: String
    let hospitalDays: Int?
    let selfPaid: Money?
    let paid: Money
    let contribution: Money?
  }

  static func load(_ request: Request) async throws -> [Story] {
    // Read across every area on purpose: only the anonymised facts below leave this function.
    let claims = FluentClaimStore(database: request.db)
    let registry = FluentRegistryStore(database: request.db)
    var names: [String: (name: String, price: Money?)] = [:]
    for scheme in try await request.schemes.schemes() {
      names[scheme.code] = (
        scheme.definition.scheme.name,
        scheme.definition.products.first?.versions.last?.contribution?.perShare
      )
    }
    var stories: [Story] = []
    for claim in try await claims.queue(states: [.paid], scheme: nil, narrowedTo: nil, page: PageQuery(per: 30)).items {
      guard let worker = try await registry.worker(claim.workerID), let unit = try await registry.unit(worker.unitID)
      else { continue }
      let event = claim.intake.event
      let figures = event.figures
      let selfPaid = figures.flatMap { figures in
        figures[.selfPaidInScope]
          ?? figures[.inScopeCost].map {
            ($0 - (figures[.pooledFundPaid] ?? .zero) - (figures[.criticalIllnessInsurancePaid] ?? .zero)).clampedAtZero
          }
      }
      let date = event.dischargeDate ?? event.claimDate
      stories.append(
        Story(
          scheme: names[claim.schemeCode]?.name ?? claim.schemeCode, sector: unit.sector.label, gender: worker.gender,
          ageBand: worker.birthDate.age(on: date) / 5 * 5, month: "\(date.year)年\(date.month)月",
          hospitalDays: event.hospitalDays, selfPaid: selfPaid, paid: claim.payable,
          contribution: names[claim.schemeCode]?.price))
    }
    return stories
  }

  struct View: LocalizedView {
    let stories: [Story]
    let language: DisplayLanguage
    var viewer: Viewer?

    func html() -> HTML {
      Layout(
        title: text("互助故事：真实给付案例", "Claim stories"), language: language, currentPath: SiteURL.stories.path,
        viewer: viewer,
        content: .group(
          .p(
            .class("muted"),
            .text(text("以下案例均已匿名处理：不含姓名、单位名称和具体日期。", "Anonymised: no names, no unit names, no exact dates."))),
          stories.isEmpty
            ? .p(.class("muted"), .text(text("暂无已给付案例。", "No paid claims yet.")))
            : .ul(
              .class("plain-list cards"), .id("stories"),
              .forEach(stories) { story in
                .li(
                  .strong(.text(story.scheme)),
                  .p(
                    .text(
                      text(
                        "\(story.sector.zh)一位\(story.ageBand)多岁的\(story.gender == .female ? "女" : "男")职工，\(story.month)"
                          + (story.hospitalDays.map { "住院 \($0) 天" } ?? "出险")
                          + (story.selfPaid.map { "，医保报销后个人负担 \($0.formatted)" } ?? "")
                          + "，获得互助金 \(story.paid.formatted)"
                          + (story.contribution.map { "（每年互助金 \($0.formatted)）" } ?? "") + "。",
                        "A \(story.gender == .female ? "woman" : "man") in \(story.ageBand)s working in a \(story.sector.en), \(story.month): "
                          + (story.hospitalDays.map { "\($0) days in hospital" } ?? "an event")
                          + (story.selfPaid.map { ", \($0.formatted) left to pay after insurance" } ?? "")
                          + "; the scheme paid \(story.paid.formatted)"
                          + (story.contribution.map { " (for a yearly contribution of \($0.formatted))" } ?? "") + "."))
                  ))
              }))
      )
      .html()
    }
  }
}
