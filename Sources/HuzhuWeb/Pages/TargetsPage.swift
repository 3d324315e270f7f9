import HuzhuApp
import HuzhuCore
import Plot
import Vapor

/// The provincial office's targets for its agencies and how far each has come, ranked as the
/// office ranks them (the largest share of the target first; on a tie, who reached it first),
/// as of any day. The scheme administrator sets targets; leaders read the ranking.
enum TargetsPage {
  struct Model {
    let asOf: CalendarDate
    let ranked: [TargetAchievement]
    let names: [Organisation.ID: LocalizedText]
    /// Nodes a target may be set for (the reader's scope).
    let nodes: [(depth: Int, organisation: Organisation)]
    var notice: LocalizedText?
    var errors: [FieldError] = []
    var form: Form = Form()

    struct Form: Content {
      var organisationId: String = ""
      var from: String = ""
      var to: String = ""
      var measure: String = TargetMeasure.collected.rawValue
      var target: String = ""
    }

    static func load(_ request: Request, asOf: CalendarDate) async throws -> Model {
      let actor = try request.actor
      return Model(
        asOf: asOf, ranked: try await request.reports.targets(asOf: asOf),
        names: Dictionary(
          actor.visibleOrganisations.map { ($0.id, LocalizedText(zh: $0.name, en: $0.nameEn ?? $0.name)) },
          uniquingKeysWith: { first, _ in first }),
        nodes: actor.visibleTree)
    }

    /// The form as a target, or the problems with it, each against its field.
    static func target(from form: Form) -> Result<AgencyTarget, ValidationFailure> {
      var errors: [FieldError] = []
      let organisation = UUID(uuidString: form.organisationId)
      if organisation == nil {
        errors.append(.missing("organisationId", LocalizedText(zh: "机构", en: "agency")))
      }
      let from = CalendarDate(form.from)
      let to = CalendarDate(form.to)
      if from == nil { errors.append(.missing("from", LocalizedText(zh: "起始日期", en: "start"))) }
      if to == nil { errors.append(.missing("to", LocalizedText(zh: "截止日期", en: "end"))) }
      let period = from.flatMap { from in to.flatMap { ReportPeriod(from: from, to: $0) } }
      if from != nil, to != nil, period == nil {
        errors.append(
          FieldError(
            field: "to", code: "before_from",
            message: LocalizedText(zh: "截止日期不能早于起始日期", en: "the end cannot be before the start")))
      }
      let measure = TargetMeasure(rawValue: form.measure) ?? .collected
      let amount: Int64? =
        measure == .collected
        ? Money(yuan: form.target.trimmingCharacters(in: .whitespaces)).map(\.fen)
        : Int64(form.target.trimmingCharacters(in: .whitespaces))
      if amount == nil || amount! <= 0 {
        errors.append(
          FieldError(
            field: "target", code: "invalid_target",
            message: measure == .collected
              ? LocalizedText(zh: "目标金额应大于零，如 760000", en: "a target amount is above zero, e.g. 760000")
              : LocalizedText(zh: "目标人数应为正整数", en: "a target count is a positive whole number")))
      }
      guard errors.isEmpty, let organisation, let period, let amount else { return .failure(ValidationFailure(errors)) }
      return .success(
        AgencyTarget(organisationID: .init(organisation), period: period, measure: measure, target: amount))
    }
  }

  struct View: LocalizedView {
    let model: Model
    let language: DisplayLanguage
    let viewer: Viewer

    func html() -> HTML {
      Layout(
        title: text("目标与排名", "Targets and ranking"), language: language, currentPath: SiteURL.targets.path,
        viewer: viewer,
        content: .group(
          .unwrap(model.notice) {
            .div(.class("notice notice-good"), .id("targets-notice"), .text($0.text(for: language)))
          },
          .form(
            .class("inline-form no-print"), .method(.get), .action(SiteURL.targets.path),
            .label(.for("asOf"), .text(text("截至", "As of"))),
            .input(.type(.date), .name("asOf"), .id("asOf"), .value(model.asOf.description)),
            .button(.type(.submit), .text(text("查看", "Show")))),
          .if(
            model.ranked.isEmpty,
            .p(.class("muted"), .text(text("该日没有生效的目标。", "No target runs on that day.")))),
          .if(!model.ranked.isEmpty, ranking()),
          .if(viewer.may(.manageTargets), form())
        )
      ).html()
    }

    private func ranking() -> Node<HTML.BodyContext> {
      let table = TargetRanking.table(model.ranked, names: model.names, english: language == .en)
      let bars = model.ranked.map { achievement in
        SVGChart.Datum(
          label: model.names[achievement.target.organisationID]?.text(for: language) ?? "",
          value: Int64(achievement.share.fraction * 10_000), display: achievement.share.percentText(decimals: 1))
      }
      return .group(
        .element(
          named: "figure",
          nodes: [
            .attribute(named: "class", value: "chart-box"),
            .raw(SVGChart.rows(bars, title: text("目标完成率", "Share of the target met"))),
            .element(
              named: "figcaption",
              text: text("目标完成率（截至 \(model.asOf)）", "Share of the target met (as of \(model.asOf))")),
          ]),
        .reportTable(table, language: language))
    }

    private func form() -> Node<HTML.BodyContext> {
      let errors = model.errors
      func field(_ name: String) -> [FieldError] { errors.filter { $0.field == name } }
      return .group(
        .h2(.text(text("设定目标", "Set a target"))),
        .form(
          .method(.post), .action(SiteURL.targets.path), .class("stacked-form"),
          .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
          .labelled(
            text("机构（代办处）", "Agency"), for: "organisationId", errors: field("organisationId"), language: language,
            .organisationSelect(
              "organisationId", nodes: model.nodes, selected: model.form.organisationId, language: language,
              leading: [.choice("", text("请选择", "Choose"))])),
          .labelled(
            text("起始日期", "From"), for: "from", errors: field("from"), language: language,
            .input(.type(.date), .name("from"), .id("from"), .value(model.form.from))),
          .labelled(
            text("截止日期", "To"), for: "to", errors: field("to"), language: language,
            .input(.type(.date), .name("to"), .id("to"), .value(model.form.to))),
          .labelled(
            text("指标", "Measure"), for: "measure", errors: [], language: language,
            .namedSelect(
              "measure", id: "measure",
              TargetMeasure.allCases.map {
                .choice($0.rawValue, $0.label.text(for: language), selected: $0.rawValue == model.form.measure)
              })),
          .labelled(
            text("目标（元或人）", "Target (yuan or persons)"), for: "target", errors: field("target"), language: language,
            .input(.type(.text), .name("target"), .id("target"), .value(model.form.target))),
          .div(
            .class("actions"),
            .button(.type(.submit), .text(text("保存目标", "Save the target"))),
            .span(
              .class("muted"),
              .text(text("同一机构、同一起始日期、同一指标的目标会被替换。", "A target for the same agency, start and measure is replaced.")))))
      )
    }
  }
}

extension PagesController {
  @Sendable func targets(_ request: Request) async throws -> Response {
    let asOf = request.query[String.self, at: "asOf"].flatMap(CalendarDate.init) ?? request.today
    var model = try await TargetsPage.Model.load(request, asOf: asOf)
    model.notice = request.takeFlash()
    return TargetsPage.View(model: model, language: request.displayLanguage, viewer: try request.requireViewer())
      .html().response()
  }

  @Sendable func saveTarget(_ request: Request) async throws -> Response {
    let form = try request.content.decode(TargetsPage.Model.Form.self)
    let asOf = CalendarDate(form.from) ?? request.today
    switch TargetsPage.Model.target(from: form) {
    case .success(let target):
      do {
        try await request.reports.save(target)
        request.flash(LocalizedText(zh: "目标已保存。", en: "The target is saved."))
        return request.redirect(to: SiteURL.targets.path + "?asOf=\(asOf)")
      } catch let failure as ValidationFailure {
        return try await refused(request, form: form, errors: failure.errors, asOf: asOf)
      }
    case .failure(let failure):
      return try await refused(request, form: form, errors: failure.errors, asOf: asOf)
    }
  }

  /// The form again with what was typed and the errors by field.
  private func refused(_ request: Request, form: TargetsPage.Model.Form, errors: [FieldError], asOf: CalendarDate)
    async throws -> Response
  {
    var model = try await TargetsPage.Model.load(request, asOf: asOf)
    model.errors = errors
    model.form = form
    return TargetsPage.View(model: model, language: request.displayLanguage, viewer: try request.requireViewer())
      .html().response(status: .unprocessableEntity)
  }
}
