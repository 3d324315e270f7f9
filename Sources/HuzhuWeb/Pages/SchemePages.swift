import Foundation
import HuzhuCore
import Plot

/// The schemes as operators read them: products and rule versions as tables (contribution,
/// who is covered, waiting period, deadline, caps, documents, benefits with their bands),
/// and, for scheme administrators, a new revision uploaded with errors shown by field.
enum SchemesPage {
  struct View: LocalizedView {
    let schemes: [StoredScheme]
    /// Who saved each revision, by login name.
    var savers: [String: LocalizedText] = [:]
    let language: DisplayLanguage
    let viewer: Viewer

    func html() -> HTML {
      Layout(
        title: text("保障方案与规则", "Schemes and rules"), language: language, currentPath: SiteURL.schemesPage.path,
        viewer: viewer,
        content: .table(
          .class("data-table"),
          .thead(
            .tr(
              .th(.text(text("方案", "Scheme"))), .th(.text(text("产品", "Products"))),
              .th(.text(text("修订", "Revision"))), .th(.text(text("保存", "Saved"))))),
          .tbody(
            .forEach(schemes) { scheme in
              .tr(
                .td(.a(.href(SiteURL.schemePage(.value(scheme.code)).path), .text(scheme.definition.scheme.name))),
                .td(.text(scheme.definition.products.map(\.name).joined(separator: "、"))),
                .td(.text("#\(scheme.revision)")),
                .td(
                  .text(
                    "\(savers[scheme.savedBy]?.text(for: language) ?? scheme.savedBy) · \(Layout.timestamp(scheme.savedAt))"
                  )))
            }))
      )
      .html()
    }
  }
}

enum SchemePage {
  struct Model {
    let scheme: StoredScheme
    /// The text in the upload box: the current file, or what was typed when it was refused.
    var draft: String
    var errors: [FieldError] = []
    var notice: LocalizedText?
    /// Who saved the revision, by login name.
    var savers: [String: LocalizedText] = [:]
  }

  struct View: LocalizedView {
    let model: Model
    let language: DisplayLanguage
    let viewer: Viewer

    func html() -> HTML {
      let scheme = model.scheme
      return Layout(
        title: scheme.definition.scheme.name, language: language,
        currentPath: SiteURL.schemePage(.value(scheme.code)).path, viewer: viewer,
        content: .group(
          .nav(.class("breadcrumbs"), .a(.href(SiteURL.schemesPage.path), .text(text("保障方案与规则", "Schemes and rules")))),
          .unwrap(model.notice) {
            .div(.class("notice notice-good"), .id("scheme-notice"), .text($0.text(for: language)))
          },
          .p(
            .class("muted"),
            .text(
              text("第 \(scheme.revision) 次修订，", "Revision \(scheme.revision), ")
                + "\(model.savers[scheme.savedBy]?.text(for: language) ?? scheme.savedBy) · "
                + Layout.timestamp(scheme.savedAt))),
          .forEach(scheme.definition.products) { product($0) },
          upload())
      )
      .html()
    }

    private func product(_ product: ProductDefinition) -> Node<HTML.BodyContext> {
      .section(
        .class("scheme-product"),
        .h2(.text(language == .en ? (product.nameEn ?? product.name) : product.name)),
        .forEach(product.versions) { version($0) })
    }

    private func version(_ version: RuleVersionDefinition) -> Node<HTML.BodyContext> {
      let starting =
        "\(version.coverageStarting.from) – \(version.coverageStarting.to?.description ?? text("至今", "open"))"
      var rows: [(String, String)] = [(text("适用保障期（开始日）", "For periods starting"), starting)]
      if let contribution = version.contribution {
        rows.append(
          (
            text("互助金（每人每份）", "Contribution (per share)"),
            "\(contribution.perShare.formatted) / \(contribution.periodMonths ?? 12) "
              + text("个月", "months")
              + ((contribution.activation ?? .onPayment) == .dayAfterPayment
                ? text("，缴清次日生效", "; cover from the day after payment") : text("，缴清即生效", "; cover on payment"))
          ))
      }
      if let steps = version.contribution?.continuity, !steps.isEmpty {
        rows.append(
          (
            text("连续参保缴费标准", "Price by unbroken years"),
            steps.map {
              text(
                "连续第 \($0.fromYear) 年起 \($0.perShare.formatted)", "from year \($0.fromYear): \($0.perShare.formatted)")
            }.joined(separator: text("；", "; "))
          ))
      }
      if let enrollment = version.enrollment, let share = enrollment.minParticipation {
        rows.append((text("单位最低参保比例", "Minimum participation"), share.description))
      }
      if let bands = version.enrollment?.minParticipationBySize {
        let described = bands.map { band in
          band.headcountBelow.map { text("不足 \($0) 人的单位 ", "units under \($0) workers: ") }
            .map { $0 + band.share.description } ?? text("其余单位 ", "larger units: ") + band.share.description
        }
        rows.append((text("单位最低参保比例", "Minimum participation"), described.joined(separator: text("；", "; "))))
      }
      if let eligibility = version.eligibility { rows.append((text("参保条件", "Who may join"), describe(eligibility))) }
      if let waiting = version.waitingPeriod {
        rows.append(
          (
            text("观察期", "Waiting period"),
            text("\(waiting.days) 天", "\(waiting.days) days")
              + (waiting.waivedOnRenewalWithinDays.map {
                text("（期满 \($0) 天内续保免观察期）", " (waived on renewal within \($0) days)")
              } ?? "")
          ))
      }
      if let deadline = version.claimDeadline { rows.append((text("申请时限", "Claim deadline"), describe(deadline))) }
      if let limits = version.limits { rows.append((text("产品限额", "Product caps"), describe(limits))) }
      if let documents = version.requiredDocuments, !documents.isEmpty {
        rows.append(
          (
            text("申请材料", "Documents"),
            documents.map { RequiredDocument.label($0).text(for: language) }.joined(separator: "、")
          ))
      }
      return .div(
        .class("scheme-version"),
        .h3(.text(text("规则版本 ", "Rule version ") + version.version)),
        .dl(.class("facts"), .forEach(rows) { label, value in .group(.dt(.text(label)), .dd(.text(value))) }),
        .forEach(version.benefits) { benefit($0) })
    }

    private func benefit(_ benefit: BenefitDefinition) -> Node<HTML.BodyContext> {
      var rows: [(String, String)] = []
      if let genders = benefit.genders {
        rows.append((text("限", "Only"), genders.map { $0.label.text(for: language) }.joined(separator: "、")))
      }
      if let treatments = benefit.treatments {
        rows.append(
          (
            text("限治疗类别", "Only for"),
            treatments.map { TreatmentCategory.label($0).text(for: language) }.joined(separator: "、")
          ))
      }
      if let hospital = benefit.hospital {
        rows.append((text("计算基数", "Base"), describe(hospital.base)))
        if let deductible = hospital.deductible {
          rows.append(
            (
              text("起付线", "Deductible"),
              text("首次住院 \(deductible.firstStay.formatted)", "first stay \(deductible.firstStay.formatted)")
                + (deductible.laterStays.map { text("，再次住院 \($0.formatted)", ", later stays \($0.formatted)") } ?? "")
            ))
        }
      }
      if let hospitals = benefit.hospitals {
        rows.append((text("限就医医院", "Only at"), ExplanationReport.describe(hospitals, in: language)))
      }
      for override in benefit.hospital?.hospitalOverrides ?? [] {
        let deductible = override.deductible.map {
          text("起付线 \($0.firstStay.formatted)", "deductible \($0.firstStay.formatted)")
        }
        let schedule = override.schedule.map { _ in text("另定比例", "its own rates") }
        rows.append(
          (
            text("按医院另定", "By hospital"),
            ExplanationReport.describe(override.hospitals, in: language) + text("：", ": ")
              + [deductible, schedule].compactMap { $0 }.joined(separator: text("，", ", "))
          ))
      }
      if let death = benefit.death {
        if let amount = death.amount { rows.append((text("身故互助金（每份）", "On death (per share)"), amount.formatted)) }
        if let floor = death.madeUpTo {
          rows.append((text("身故时本期给付补足至（每份）", "On death, the period made up to (per share)"), floor.formatted))
        }
      }
      if let limits = benefit.limits { rows.append((text("限额", "Caps"), describe(limits))) }
      return .div(
        .class("scheme-benefit"),
        .h4(
          .text((language == .en ? (benefit.nameEn ?? benefit.name) : benefit.name) + " · " + kindLabel(benefit.kind))),
        .dl(.class("facts"), .forEach(rows) { label, value in .group(.dt(.text(label)), .dd(.text(value))) }),
        .unwrap(benefit.hospital) { schedule($0.schedule) })
    }

    private func schedule(_ schedule: ScheduleDefinition) -> Node<HTML.BodyContext> {
      switch schedule {
      case .progressive(let bands):
        return bandsTable(bands, caption: text("分段累进（每段按本段比例）", "Progressive: each slice at its band's rate"))
      case .wholeAmount(let bands):
        return bandsTable(bands, caption: text("按所在档次（全额按一个比例）", "Whole amount at the rate of its band"))
      case .flat(let rate): return .p(.text(text("统一比例 ", "Flat rate ") + rate.description))
      case .byStay(let stays):
        return .p(.text(text("按住院次序：", "By stay: ") + "\(stays.count)" + text(" 档", " schedules")))
      }
    }

    private func bandsTable(_ bands: [BandDefinition], caption: String) -> Node<HTML.BodyContext> {
      // Each band's amounts as the scheme states them, its edges included or not.
      let ranges = bands.indices.map { index in
        ExplanationReport.range(
          from: bands[index].from ?? (index == 0 ? nil : bands[index - 1].upTo), to: bands[index].upTo,
          includesFrom: bands[index].includesFrom == true,
          excludesTo: bands.indices.contains(index + 1) && bands[index + 1].includesFrom == true,
          in: language)
      }
      return .table(
        .class("data-table bands"),
        .caption(.text(caption)),
        .thead(
          .tr(
            .th(.text(text("金额（元）", "Amount (yuan)"))),
            .th(.text(text("比例或定额（元）", "Rate or fixed amount (yuan)"))))),
        .tbody(
          .forEach(Array(zip(bands, ranges))) { band, range in
            .tr(
              .td(.text(range)),
              .td(
                .class("number"),
                .text(
                  band.amount.map { text("定额 \($0.decimalString)", "fixed \($0.decimalString)") } ?? band.rate?
                    .description ?? "")
              ))
          }))
    }

    private func upload() -> Node<HTML.BodyContext> {
      guard viewer.may(.manageSchemes) else {
        return .element(
          named: "details",
          nodes: [
            .element(named: "summary", text: text("方案文件（YAML）", "The scheme file (YAML)")),
            .pre(.class("source"), .text(model.scheme.source)),
          ])
      }
      return .section(
        .h2(.text(text("上传新的修订", "Upload a new revision"))),
        .p(
          .class("muted"),
          .text(
            text(
              "修改下方的方案文件后保存：整份文件校验，任何错误都会按字段列出，已保存的规则不受影响；新规则只适用于其版本覆盖的保障期。",
              "Edit the file below and save: it is checked whole, every error listed by field, nothing saved until it is clean; a new rule applies only to the periods its version covers."
            ))),
        .if(
          !model.errors.isEmpty,
          .div(
            .class("notice notice-bad"), .id("scheme-errors"), .attribute(named: "role", value: "alert"),
            .ul(
              .forEach(model.errors) { error in
                .li(.code(.text(error.field)), .text(" " + error.message.text(for: language)))
              }))),
        .form(
          .class("stacked-form"), .method(.post), .action(SiteURL.schemePage(.value(model.scheme.code)).path),
          .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
          .textarea(
            .name("source"), .id("scheme-source"), .attribute(named: "rows", value: "24"),
            .attribute(named: "spellcheck", value: "false"), .text(model.draft)),
          .button(.type(.submit), .class("primary"), .id("save-scheme"), .text(text("校验并保存", "Check and save")))))
    }

    // MARK: Describing rules in words

    private func kindLabel(_ kind: BenefitDefinition.Kind) -> String {
      switch kind {
      case .hospital: text("住院", "hospital")
      case .lumpSum: text("定额给付", "lump sum")
      case .allowance: text("津贴", "allowance")
      case .accident: text("意外", "accident")
      case .death: text("身故", "death")
      }
    }

    private func describe(_ base: BaseDefinition) -> String {
      switch base {
      case .figure(let figure): figure.label.text(for: language)
      case .min(let parts): text("取小：", "smaller of: ") + parts.map(describe).joined(separator: "，")
      case .max(let parts): text("取大：", "larger of: ") + parts.map(describe).joined(separator: "，")
      case .subtract(let parts): parts.map(describe).joined(separator: " − ")
      }
    }

    private func describe(_ limits: LimitsDefinition) -> String {
      var parts: [String] = []
      if let perClaim = limits.perClaim {
        parts.append(text("每次 \(perClaim.formatted)", "\(perClaim.formatted) a claim"))
      }
      if let minimum = limits.minimumPerClaim {
        parts.append(text("每次最低 \(minimum.formatted)", "at least \(minimum.formatted) a claim"))
      }
      if let perPeriod = limits.perPeriod {
        parts.append(text("每期累计 \(perPeriod.formatted)", "\(perPeriod.formatted) a period"))
      }
      if let count = limits.maxPaidClaims {
        parts.append(text("每期最多 \(count) 次", "at most \(count) paid claims a period"))
      }
      for category in limits.categories ?? [] { parts.append(category.category) }
      return parts.isEmpty ? "—" : parts.joined(separator: "；")
    }

    private func describe(_ deadline: DeadlineDefinition) -> String {
      let anchor =
        switch deadline.from ?? .discharge {
        case .discharge: text("出院", "discharge")
        case .settlement: text("医保结算", "settlement")
        case .event: text("事故或确诊", "the event")
        }
      if let days = deadline.days { return text("\(anchor)后 \(days) 天内", "within \(days) days of \(anchor)") }
      if let years = deadline.years { return text("\(anchor)后 \(years) 年内", "within \(years) years of \(anchor)") }
      if let date = deadline.nextYearBy {
        return text("\(anchor)次年 \(date) 前", "by \(date) of the year after \(anchor)")
      }
      return "—"
    }

    private func describe(_ eligibility: EligibilityDefinition) -> String {
      var parts: [String] = []
      if let from = eligibility.ageFrom { parts.append(text("年满 \(from) 岁", "aged \(from) or over")) }
      if let under = eligibility.ageUnder { parts.append(text("未满 \(under) 岁", "under \(under)")) }
      if let byGender = eligibility.ageUnderByGender {
        if let male = byGender.male { parts.append(text("男未满 \(male) 岁", "men under \(male)")) }
        if let female = byGender.female { parts.append(text("女未满 \(female) 岁", "women under \(female)")) }
      }
      if let genders = eligibility.genders {
        parts.append(genders.map { $0.label.text(for: language) }.joined(separator: "、"))
      }
      if let types = eligibility.insuranceTypes {
        parts.append(types.map { $0.label.text(for: language) }.joined(separator: "、"))
      }
      return parts.isEmpty ? text("不限", "anyone") : parts.joined(separator: "；")
    }
  }
}
