import HuzhuApp
import HuzhuCore
import Plot
import Vapor

/// The stories workers agreed to share, for staff to choose which the public page tells: each
/// as the public would read it, with when and how consent was given, and publish / take down.
enum StoriesManagePage {
  struct View: LocalizedView {
    let candidates: PagedResult<Stories.Candidate>
    let language: DisplayLanguage
    let viewer: Viewer
    var notice: LocalizedText? = nil
    var error: LocalizedText? = nil

    func html() -> HTML {
      let path = SiteURL.storiesManage.path
      let pager = Pager(path: path, page: candidates, language: language)
      return Layout(
        title: text("互助故事选用", "Choosing stories"), language: language, currentPath: path, viewer: viewer,
        content: .group(
          .nav(
            .class("breadcrumbs"), .a(.href(SiteURL.claimQueue.path), .text(text("理赔工作台", "Claims"))),
            .text(" · "), .a(.href(SiteURL.stories.path), .text(text("公开页面", "The public page")))),
          .unwrap(notice) { .div(.class("notice notice-good"), .id("stories-notice"), .text($0.text(for: language))) },
          .unwrap(error) {
            .div(
              .class("notice notice-bad"), .id("stories-error"), .attribute(named: "role", value: "alert"),
              .text($0.text(for: language)))
          },
          .p(
            .class("muted"),
            .text(
              text(
                "职工在“职工服务”中同意匿名展示的已支付案例列在这里；选用后出现在公开的互助故事页面。职工撤回同意的案例自动下线，不再列出。",
                "Paid claims whose workers agreed, in self-service, to their story being told anonymously. Published ones appear on the public stories page; a story whose worker takes consent back comes down and leaves this list."
              ))),
          candidates.items.isEmpty
            ? .p(.class("muted"), .text(text("暂无职工同意展示的案例。", "No worker has agreed to share a story yet.")))
            : .ul(
              .class("plain-list cards"), .id("story-candidates"),
              .forEach(candidates.items) { candidate in
                .li(
                  .p(
                    .a(.href(SiteURL.claimPage(.value(candidate.claim.id)).path), .text(candidate.claim.number)),
                    .text(" · "),
                    .span(
                      .class(candidate.consent.isPublic ? "badge badge-paid" : "badge"),
                      .text(candidate.consent.isPublic ? text("展示中", "Published") : text("未选用", "Not published"))),
                    .span(
                      .class("muted"),
                      .text(
                        text(" 同意：", " Consent: ") + Layout.timestamp(candidate.consent.consentedAt) + " "
                          + candidate.consent.consentedBy))),
                  .unwrap(candidate.story) { .p(.text(StoriesPage.sentence($0, language: language))) },
                  .form(
                    .class("inline-form"), .method(.post),
                    .action(SiteURL.storyPublish(.value(candidate.claim.id)).path),
                    .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
                    .input(.type(.hidden), .name("published"), .value(candidate.consent.isPublic ? "no" : "yes")),
                    .button(
                      .type(.submit), .id("publish-\(candidate.claim.number)"),
                      .text(candidate.consent.isPublic ? text("下线", "Take down") : text("选用展示", "Publish")))))
              }),
          pager.range,
          pager.node)
      ).html()
    }
  }
}

struct StoriesManageController {
  func register(authenticated: any RoutesBuilder) {
    authenticated.get(.storiesManage, requires: .approveClaims, use: list)
    authenticated.post(.storyPublish(.key), requires: .approveClaims, use: publish)
  }

  @Sendable func list(_ request: Request) async throws -> Response {
    let candidates = try await Stories(request.services, actor: try request.actor).candidates(
      page: PageQuery(page: request.query[Int.self, at: "page"] ?? 1, per: 50))
    return StoriesManagePage.View(
      candidates: candidates, language: request.displayLanguage, viewer: request.viewer!, notice: request.takeFlash(),
      error: request.takeFlashError()
    ).html().response()
  }

  struct PublishForm: Content {
    let published: YesNo
  }

  @Sendable func publish(_ request: Request) async throws -> Response {
    let published = try request.content.decode(PublishForm.self).published.isYes
    do {
      _ = try await Stories(request.services, actor: try request.actor).publish(try request.identifier(), published)
      request.flash(
        published
          ? LocalizedText(zh: "已选用展示", en: "Published") : LocalizedText(zh: "已下线", en: "Taken down"))
    } catch let failure as ValidationFailure {
      request.flashError(failure.summary)
    }
    return request.redirect(to: SiteURL.storiesManage.path)
  }
}
