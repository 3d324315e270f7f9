import HuzhuApp
import HuzhuCore
import Plot
import Vapor

/// The public page of claim stories (`ClaimStory` decides what may be told).
enum StoriesPage {
  static func load(_ request: Request) async throws -> [ClaimStory] {
    try await request.publicLookups.stories()
  }

  struct View: LocalizedView {
    let stories: [ClaimStory]
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
                  .strong(.text(story.schemeName)),
                  .p(.text(StoriesPage.sentence(story, language: language))))
              }))
      )
      .html()
    }
  }

  /// A story as the public reads it (and as staff see it before publishing).
  static func sentence(_ story: ClaimStory, language: DisplayLanguage) -> String {
    language == .en
      ? "A \(story.gender == .female ? "woman" : "man") in \(story.ageBand)s working in \(story.workplace.en), \(story.year)-\(story.month): "
        + (story.hospitalDays.map { "\($0) days in hospital" } ?? "an event")
        + (story.selfPaid.map { ", \($0.formatted) left to pay after insurance" } ?? "")
        + "; the scheme paid \(story.paid.formatted)"
        + (story.contribution.map { " (for a yearly contribution of \($0.formatted))" } ?? "") + "."
      : "\(story.workplace.zh)一位\(story.ageBand)多岁的\(story.gender == .female ? "女" : "男")职工，\(story.year)年\(story.month)月"
        + (story.hospitalDays.map { "住院 \($0) 天" } ?? "出险")
        + (story.selfPaid.map { "，医保报销后个人负担 \($0.formatted)" } ?? "")
        + "，获得互助金 \(story.paid.formatted)"
        + (story.contribution.map { "（每年互助金 \($0.formatted)）" } ?? "") + "。"
  }
}
