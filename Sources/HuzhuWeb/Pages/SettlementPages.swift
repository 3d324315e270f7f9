import Foundation
import HuzhuApp
import HuzhuCore
import Plot
import Vapor

/// One-stop claims on the web: a bureau's file tried, then imported; the exceptions queue by
/// reason; a settlement with the bureau's own row behind it, matched again or closed.
enum SettlementPages {
  struct QueueModel: Sendable {
    var sources: [SettlementSource]
    var counts: [SettlementException: Int]
    var figures: OneStopFigures
    var exception: SettlementException?
    var page: PagedResult<StoredSettlement>
    var receipt: SettlementReceipt?
    /// The kept file and source of a dry run, for its confirmation.
    var kept: (file: String, source: String)?
    var errors: [FieldError] = []
    var notice: LocalizedText?
  }

  struct QueueView: LocalizedView {
    let model: QueueModel
    let language: DisplayLanguage
    let viewer: Viewer

    func html() -> HTML {
      Layout(
        title: text("一站式结算", "One-stop settlements"), language: language,
        currentPath: SiteURL.settlementsPage.path, viewer: viewer,
        content: .group(
          .unwrap(model.notice) {
            .p(
              .class("notice notice-good"), .id("settlement-notice"), .attribute(named: "role", value: "status"),
              .text($0.text(for: language)))
          },
          .p(
            .class("muted"),
            .text(
              text(
                "医保经办机构或医院的结算数据直接生成互助金申请，无需职工提交材料；不能自动办理的记录进入下方待处理队列。同一文件重复导入不会重复生成申请。",
                "Settlements from the insurance bureau or a hospital become claims without papers; what cannot go on alone waits below. Importing a file again creates nothing new."
              ))),
          .if(
            !model.errors.isEmpty,
            .ul(
              .class("notice notice-bad errors"), .attribute(named: "role", value: "alert"),
              .forEach(model.errors.prefix(RegistryImportPage.problemRowsShown)) {
                .li(.text($0.message.text(for: language)))
              })),
          figures(),
          .if(viewer.permissions.contains(.intakeClaims), upload()),
          .unwrap(model.receipt) { receipt($0) },
          queue())
      ).html()
    }

    private func figures() -> Node<HTML.BodyContext> {
      let figures = model.figures
      let tiles: [(String, String, String, String)] = [
        ("one-stop-made", String(figures.made), "结算生成申请", "Claims from settlements"),
        ("one-stop-straight", String(figures.straightThrough), "自动审批", "Approved straight through"),
        ("one-stop-paid", String(figures.paid), "已给付", "Paid"),
        ("one-stop-share", figures.paidWithoutPapers.percentText(decimals: 1), "零材料给付占比", "Paid without papers"),
        ("one-stop-days", figures.averageDaysText, "结算至给付平均天数", "Days from settlement to payment"),
      ]
      return .div(
        .class("figures"), .id("one-stop-figures"),
        .forEach(tiles) { id, value, zh, en in
          .div(
            .class("figure"), .id(id), .span(.class("figure-value"), .text(value)),
            .span(.class("figure-label"), .text(text(zh, en))))
        })
    }

    private func upload() -> Node<HTML.BodyContext> {
      guard !model.sources.isEmpty else {
        return .p(
          .class("muted"), .id("no-sources"),
          .text(
            text(
              "尚未配置数据来源：请方案管理员用 huzhu settlements source 建立（见 docs/settlements.md）。",
              "No settlement source yet: a scheme administrator adds one with huzhu settlements source (docs/settlements.md)."
            )))
      }
      return .form(
        .class("inline-form upload-form"), .method(.post), .action(SiteURL.settlementUpload.path),
        .enctype(.multipartData), .id("settlement-upload"),
        .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
        .label(.for("settlement-source"), .text(text("数据来源", "Source"))),
        .namedSelect(
          "source", id: "settlement-source",
          model.sources.map { .choice($0.code, "\($0.name)（\($0.code) → \($0.schemeCode)）") }),
        .input(
          .type(.file), .name("file"), .id("settlement-file"), .required(true),
          .attribute(named: "accept", value: ".xlsx,.csv,.jsonl,.txt")),
        .button(.type(.submit), .class("primary"), .id("settlement-try"), .text(text("上传并试导入", "Upload and try"))))
    }

    private func receipt(_ receipt: SettlementReceipt) -> Node<HTML.BodyContext> {
      let shown = receipt.outcomes.filter { $0.result != .unchanged }.prefix(RegistryImportPage.problemRowsShown)
      return .group(
        .h2(
          .text(
            model.kept != nil ? text("试导入：尚未写入", "Tried: nothing written yet") : text("导入结果", "Imported"))),
        .div(
          .class("figures"), .id("settlement-figures"),
          .forEach(SettlementOutcome.Result.allCases.filter { receipt[$0] > 0 }) { result in
            .div(
              .class("figure"), .id("figure-\(result.rawValue)"),
              .span(.class("figure-value"), .text(String(receipt[result]))),
              .span(.class("figure-label"), .text(result.label.text(for: language))))
          }),
        .unwrap(model.kept) { kept in
          .form(
            .class("inline-form"), .method(.post), .action(SiteURL.settlementImport.path),
            .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
            .input(.type(.hidden), .name("file"), .value(kept.file)),
            .input(.type(.hidden), .name("source"), .value(kept.source)),
            .button(.type(.submit), .class("primary"), .id("settlement-commit"), .text(text("确认导入", "Import"))))
        },
        .table(
          .class("data-table"), .id("settlement-outcomes"),
          .thead(
            .tr(
              .th(.class("number"), .text(text("行", "Row"))), .th(.text(text("结算ID", "Settlement"))),
              .th(.text(text("结果", "Result"))), .th(.text(text("申请", "Claim"))), .th(.text(text("原因", "Reason"))))),
          .tbody(
            .forEach(shown) { outcome in
              .tr(
                .td(.class("number"), .text(String(outcome.row))), .td(.text(outcome.settlementId ?? "—")),
                .td(.text(outcome.result.label.text(for: language))), .td(.text(outcome.claimNumber ?? "")),
                .td(.text(outcome.exception?.label.text(for: language) ?? "")))
            })))
    }

    private func queue() -> Node<HTML.BodyContext> {
      let path = SiteURL.settlementsPage.path
      let page = model.page
      let pager = Pager(
        path: path, page: page, language: language, query: model.exception.map { [("exception", $0.rawValue)] } ?? [])
      return .group(
        .h2(
          .text(
            text("待处理（\(model.counts.values.reduce(0, +))）", "Waiting for staff (\(model.counts.values.reduce(0, +)))"))
        ),
        .nav(
          .class("tabs"), .id("exception-tabs"),
          .a(.href(path), .if(model.exception == nil, .class("current")), .text(text("全部", "All"))),
          .forEach(SettlementException.allCases.filter { (model.counts[$0] ?? 0) > 0 }) { exception in
            .a(
              .href("\(path)?exception=\(exception.rawValue)"), .if(model.exception == exception, .class("current")),
              .text("\(exception.label.text(for: language))（\(model.counts[exception] ?? 0)）"))
          }),
        page.items.isEmpty
          ? .p(.id("queue-empty"), .text(text("没有待处理的结算记录。", "Nothing waits.")))
          : .group(
            pager.range,
            .table(
              .class("data-table"), .id("settlement-queue"),
              .thead(
                .tr(
                  .th(.text(text("结算ID", "Settlement"))), .th(.text(text("姓名", "Name"))),
                  .th(.text(text("结算日期", "Settled"))), .th(.text(text("医院", "Hospital"))),
                  .th(.text(text("原因", "Reason"))), .th(.text(text("申请", "Claim"))))),
              .tbody(
                .forEach(page.items) { item in
                  .tr(
                    .td(.a(.href(SiteURL.settlementPage(.value(item.id)).path), .text(item.record.settlementId))),
                    .td(.text(item.record.name)), .td(.text(item.record.settledOn.description)),
                    .td(.text(item.record.providerName ?? "")),
                    .td(
                      .text(item.exception?.label.text(for: language) ?? ""),
                      .unwrap(item.exceptionDetail) { .div(.class("muted"), .text($0.text(for: language))) }),
                    .td(
                      .unwrap(item.claimID) { id in
                        .a(.href(SiteURL.claimPage(.value(id)).path), .text(item.claimNumber ?? ""))
                      }))
                }))),
        pager.node)
    }
  }

  struct RecordModel: Sendable {
    var stored: StoredSettlement
    var events: [SettlementEvent]
    var errors: [FieldError] = []
    var notice: LocalizedText?
  }

  struct RecordView: LocalizedView {
    let model: RecordModel
    let language: DisplayLanguage
    let viewer: Viewer

    func html() -> HTML {
      let stored = model.stored
      let record = stored.record
      let amounts = SettlementAmounts.fields.compactMap { field, path in
        record.amounts[keyPath: path].map { (field, $0) }
      }
      return Layout(
        title: text("结算记录 \(record.settlementId)", "Settlement \(record.settlementId)"), language: language,
        currentPath: SiteURL.settlementsPage.path, viewer: viewer,
        content: .group(
          .unwrap(model.notice) {
            .p(.class("notice notice-good"), .id("settlement-notice"), .text($0.text(for: language)))
          },
          .if(
            !model.errors.isEmpty,
            .ul(
              .class("notice notice-bad errors"), .attribute(named: "role", value: "alert"),
              .forEach(model.errors) { .li(.text($0.message.text(for: language))) })),
          .dl(
            .class("facts"), .id("settlement-facts"),
            .fact(text("状态", "Status"), stored.status.label.text(for: language)),
            .fact(text("原因", "Reason"), stored.exception?.label.text(for: language)),
            .fact(text("说明", "Detail"), stored.exceptionDetail?.text(for: language)),
            .fact(text("数据来源", "Source"), stored.sourceCode),
            .fact(text("姓名", "Name"), record.name),
            .fact(text("身份证号", "ID number"), ResidentIDNumber(record.idNumber)?.masked ?? "—"),
            .fact(text("医院", "Hospital"), record.providerName),
            .fact(text("医疗类别", "Medical type"), record.medicalType),
            .fact(
              text("住院", "Stay"),
              record.admissionDate.map { "\($0) – \(record.dischargeDate?.description ?? "")" }),
            .fact(text("结算日期", "Settled"), record.settledOn.description),
            .fact(
              text("诊断", "Diagnoses"),
              record.diagnoses.map { "\($0.code) \($0.name ?? "")" }.joined(separator: "；")),
            .fact(text("病种", "Disease"), record.diseaseCode.map { "\($0) \(record.diseaseName ?? "")" }),
            .fact(text("备注", "Note"), stored.note)),
          .unwrap(stored.claimID) { id in
            .p(
              .id("settlement-claim"),
              .text(text("生成的申请：", "Claim: ")),
              .a(.href(SiteURL.claimPage(.value(id)).path), .text(stored.claimNumber ?? "")),
              .if(
                stored.exception == .recoveryDue,
                .text(
                  text(
                    "（已支付：如需追回，请在申请页“发起追回”）",
                    " (paid: open a recovery from the claim's page if money is due back)"))))
          },
          .h2(.text(text("金额", "Amounts"))),
          .table(
            .class("data-table"), .id("settlement-amounts"),
            .tbody(
              .forEach(amounts) { field, amount in
                .tr(.th(.text(field.label.text(for: language))), .td(.class("number"), .text(amount.formatted)))
              })),
          .h2(.text(text("原始数据（来源文件中的一行）", "The source's own row"))),
          .table(
            .class("data-table"), .id("settlement-original"),
            .tbody(
              .forEach(stored.original.sorted { $0.key < $1.key }) { key, value in
                .tr(.th(.text(key)), .td(.text(value)))
              })),
          actions(),
          .h2(.text(text("处理记录", "History"))),
          .ul(
            .id("settlement-history"),
            .forEach(model.events) { event in
              .li(
                .text(
                  "\(Layout.timestamp(event.at)) \(event.actor) \(Self.action(event.action).text(for: language))"
                    + (event.note.map { "：\($0)" } ?? "")))
            }))
      ).html()
    }

    static func action(_ action: String) -> LocalizedText {
      switch action {
      case "received": LocalizedText(zh: "接收", en: "received")
      case "matched": LocalizedText(zh: "重新匹配", en: "matched again")
      case "corrected": LocalizedText(zh: "结算更正", en: "corrected by the source")
      case "voided": LocalizedText(zh: "结算作废", en: "voided by the source")
      case "cancelled": LocalizedText(zh: "结算撤销", en: "cancelled by the source")
      case "resolve": LocalizedText(zh: "人工处理完毕", en: "closed by staff")
      default: LocalizedText(zh: action, en: action)
      }
    }

    private func actions() -> Node<HTML.BodyContext> {
      let stored = model.stored
      guard stored.status == .held, viewer.permissions.contains(.intakeClaims) else { return .empty }
      return .group(
        .h2(.text(text("处理", "Work it"))),
        .if(
          stored.claimID == nil,
          .form(
            .class("inline-form"), .method(.post), .action(SiteURL.settlementRematch(.value(stored.id)).path),
            .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
            .p(
              .class("muted"),
              .text(
                text(
                  "登记信息或参保记录更正后，可重新匹配生成申请。",
                  "Once the registry or the cover is put right, match it again to make its claim."
                ))),
            .button(.type(.submit), .id("settlement-rematch"), .text(text("重新匹配", "Match again"))))),
        .form(
          .class("stacked-form"), .method(.post), .action(SiteURL.settlementResolve(.value(stored.id)).path),
          .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
          .labelled(
            text("处理情况", "What was done"), for: "note", errors: model.errors.filter { $0.field == "note" },
            language: language,
            .textarea(.name("note"), .id("note"), .attribute(named: "maxlength", value: "500"))),
          .button(.type(.submit), .id("settlement-resolve"), .text(text("处理完毕，移出队列", "Done: take it off the queue")))))
    }
  }
}

/// The routes of the pages above.
struct SettlementPagesController {
  let limits: InputLimits

  func register(authenticated routes: any RoutesBuilder) {
    routes.get(.settlementsPage, requires: .viewClaims, use: queue)
    routes.on(
      .POST, .settlementUpload, requires: .intakeClaims, body: .collect(maxSize: BodyLimits.roster(limits)), use: upload
    )
    routes.get(.settlementImport, requires: .intakeClaims, use: tryFile)
    routes.post(.settlementImport, requires: .intakeClaims, use: commit)
    routes.get(.settlementPage(.key), requires: .viewClaims, use: record)
    routes.post(.settlementRematch(.key), requires: .intakeClaims, use: rematch)
    routes.post(.settlementResolve(.key), requires: .intakeClaims, use: resolve)
  }

  func queueModel(_ request: Request) async throws -> SettlementPages.QueueModel {
    let settlements = Settlements(request.services, actor: try request.actor)
    var exception: SettlementException? = nil
    if let text = request.query[String.self, at: "exception"] {
      guard let parsed = SettlementException(rawValue: text) else { throw Abort(.badRequest) }
      exception = parsed
    }
    return SettlementPages.QueueModel(
      sources: try await settlements.sources(), counts: try await settlements.heldCounts(),
      figures: try await settlements.figures(), exception: exception,
      page: try await settlements.queue(exception: exception, page: try request.pageRequest()),
      notice: request.takeFlash())
  }

  func render(_ model: SettlementPages.QueueModel, _ request: Request, status: HTTPStatus = .ok) -> Response {
    SettlementPages.QueueView(model: model, language: request.displayLanguage, viewer: request.viewer!).html()
      .response(status: status)
  }

  func queue(_ request: Request) async throws -> Response {
    render(try await queueModel(request), request)
  }

  struct Upload: Content {
    let file: File?
    let source: String?
  }

  /// Keeps the file by its SHA-256, then shows its dry run (post, redirect, get).
  func upload(_ request: Request) async throws -> Response {
    let form = try? request.content.decode(Upload.self)
    let bytes = Data(form?.file?.data.readableBytesView ?? .init())
    do {
      let checksum = try await Settlements(request.services, actor: try request.actor).keep(bytes)
      let source = (form?.source ?? "").addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
      return request.redirect(to: SiteURL.settlementImport.path + "?file=\(checksum)&source=\(source)")
    } catch let failure as ValidationFailure {
      var model = try await queueModel(request)
      model.errors = failure.errors
      return render(model, request, status: .unprocessableEntity)
    }
  }

  func tryFile(_ request: Request) async throws -> Response {
    let file = request.query[String.self, at: "file"] ?? ""
    let source = request.query[String.self, at: "source"] ?? ""
    var model = try await queueModel(request)
    do {
      model.receipt = try await Settlements(request.services, actor: try request.actor).receive(
        kept: file, source: source, dryRun: true)
      model.kept = (file, source)
      return render(model, request)
    } catch let failure as ValidationFailure {
      model.errors = failure.errors
      return render(model, request, status: .unprocessableEntity)
    }
  }

  struct CommitForm: Content {
    let file: String?
    let source: String?
  }

  func commit(_ request: Request) async throws -> Response {
    let form = try request.content.decode(CommitForm.self)
    do {
      let receipt = try await Settlements(request.services, actor: try request.actor).receive(
        kept: form.file ?? "", source: form.source ?? "", dryRun: false)
      let counts = SettlementOutcome.Result.allCases.filter { receipt[$0] > 0 }
      request.flash(
        LocalizedText(
          zh: "已导入：" + counts.map { "\($0.label.zh) \(receipt[$0])" }.joined(separator: "，"),
          en: "Imported: " + counts.map { "\($0.label.en) \(receipt[$0])" }.joined(separator: ", ")))
      return request.redirect(to: SiteURL.settlementsPage.path)
    } catch let failure as ValidationFailure {
      var model = try await queueModel(request)
      model.errors = failure.errors
      return render(model, request, status: .unprocessableEntity)
    }
  }

  func recordPage(_ id: StoredSettlement.ID, _ request: Request, errors: [FieldError] = [], status: HTTPStatus = .ok)
    async throws -> Response
  {
    let (stored, events) = try await Settlements(request.services, actor: try request.actor).settlement(id)
    let model = SettlementPages.RecordModel(stored: stored, events: events, errors: errors, notice: request.takeFlash())
    return SettlementPages.RecordView(model: model, language: request.displayLanguage, viewer: request.viewer!).html()
      .response(status: status)
  }

  func record(_ request: Request) async throws -> Response {
    try await recordPage(try request.identifier(), request)
  }

  func rematch(_ request: Request) async throws -> Response {
    let id: StoredSettlement.ID = try request.identifier()
    do {
      let outcome = try await Settlements(request.services, actor: try request.actor).rematch(id)
      request.flash(
        LocalizedText(
          zh: "重新匹配：\(outcome.result.label.zh)\(outcome.exception.map { "（\($0.label.zh)）" } ?? "")",
          en: "Matched again: \(outcome.result.label.en)\(outcome.exception.map { " (\($0.label.en))" } ?? "")"))
      return request.redirect(to: SiteURL.settlementPage(.value(id)).path)
    } catch let failure as ValidationFailure {
      return try await recordPage(id, request, errors: failure.errors, status: .unprocessableEntity)
    }
  }

  struct ResolveForm: Content {
    let note: String?
  }

  func resolve(_ request: Request) async throws -> Response {
    let id: StoredSettlement.ID = try request.identifier()
    let form = try request.content.decode(ResolveForm.self)
    do {
      try await Settlements(request.services, actor: try request.actor).resolve(id, note: form.note ?? "")
      request.flash(LocalizedText(zh: "已移出待处理队列", en: "Taken off the queue"))
      return request.redirect(to: SiteURL.settlementsPage.path)
    } catch let failure as ValidationFailure {
      return try await recordPage(id, request, errors: failure.errors, status: .unprocessableEntity)
    }
  }
}
