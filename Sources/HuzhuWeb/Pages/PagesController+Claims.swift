import Foundation
import HuzhuApp
import HuzhuCore
import Vapor

/// The claims pages: the queue, the intake form, a claim and the steps taken from it.
extension PagesController {
  // MARK: Claims

  @Sendable func claimQueue(_ request: Request) async throws -> Response {
    let page = PageQuery(page: request.query[Int.self, at: "page"] ?? 1, per: 100)
    let filter = ClaimQueuePage.Filter(
      stage: request.query[String.self, at: "stage"], deadline: request.query[String.self, at: "due"],
      search: request.query[String.self, at: "q"], order: request.query[String.self, at: "sort"],
      who: request.query[String.self, at: "who"], viewer: request.viewer)
    var model = try await ClaimQueuePage.Model.load(
      filter: filter, page: page, today: request.today, viewerID: request.operatorAccount?.account.id,
      mayAssign: request.viewer?.may(.assignClaims) == true, claims: try request.claims)
    model.notice = request.takeFlash()
    model.error = request.takeFlashError()
    return ClaimQueuePage.View(model: model, language: request.displayLanguage, viewer: request.viewer).html()
      .response()
  }

  struct AssignForm: Content {
    var claims: [UUID]?
    let reviewer: String?
    let back: String?
  }

  /// The queue's ticked claims given to a reviewer, or taken back ("none"); back to the same
  /// queue with what happened.
  @Sendable func assignClaims(_ request: Request) async throws -> Response {
    let form = try request.content.decode(AssignForm.self)
    let back = form.back.flatMap { $0.hasPrefix(SiteURL.claimQueue.path + "?") ? $0 : nil } ?? SiteURL.claimQueue.path
    let reviewer: UserAccount.ID?
    switch form.reviewer {
    case "none": reviewer = nil
    case let text?: reviewer = UUID(uuidString: text).map(UserAccount.ID.init)
    case nil: reviewer = nil
    }
    if form.reviewer != "none" && reviewer == nil {
      request.flashError(LocalizedText(zh: "请选择本级的审核人员", en: "choose a reviewer of this area"))
      return request.redirect(to: back)
    }
    do {
      let changed = try await request.claims.assign((form.claims ?? []).map(ClaimRecord.ID.init), to: reviewer)
      request.flash(
        reviewer == nil
          ? LocalizedText(zh: "已收回 \(changed.grouped) 件", en: "\(changed.grouped) taken back")
          : LocalizedText(zh: "已分派 \(changed.grouped) 件", en: "\(changed.grouped) assigned"))
    } catch let failure as ValidationFailure {
      request.flashError(failure.summary)
    }
    return request.redirect(to: back)
  }

  @Sendable func claim(_ request: Request) async throws -> Response {
    try await claimPage(
      try request.identifier(), request, notice: request.takeFlash(), error: request.takeFlashError())
  }

  func claimPage(
    _ id: ClaimRecord.ID, _ request: Request, notice: LocalizedText? = nil, error: LocalizedText? = nil,
    typedNote: String = "", typedAdjustment: ClaimPage.TypedAdjustment? = nil, status: HTTPResponseStatus = .ok
  ) async throws -> Response {
    let model = ClaimPage.Model(detail: try await request.claims.detail(id), today: request.today)
    return ClaimPage.View(
      model: model, language: request.displayLanguage, viewer: request.viewer, notice: notice, error: error,
      typedNote: typedNote, typedAdjustment: typedAdjustment
    ).html().response(status: status)
  }

  struct ActionForm: Content {
    let action: ClaimActionName
    let note: String?
    let rejectionReason: RejectionReason?
  }

  @Sendable func actOnClaim(_ request: Request) async throws -> Response {
    let id: ClaimRecord.ID = try request.identifier()
    let form = try request.content.decode(ActionForm.self)
    let note = form.note?.trimmingCharacters(in: .whitespaces) ?? ""
    do {
      let result = try await request.claims.act(
        form.action, note: note, rejectionReason: form.rejectionReason, on: id)
      // Post, redirect, get: a refresh of the claim's page never repeats the step.
      request.flash(
        LocalizedText(
          zh: "已办理：\(result.record.state.label.zh)", en: "Done: the claim is now \(result.record.state.label.en)"))
      return request.redirect(to: SiteURL.claimPage(.value(id)).path)
    } catch let failure as ValidationFailure {
      return try await claimPage(id, request, error: failure.summary, typedNote: note, status: .unprocessableEntity)
    }
  }

  struct AdjustForm: Content {
    let amount: String?
    let justification: String?
  }

  /// A reviewer's amount, as typed ("6500元" too): the claim's page again with the change, or
  /// refused with what was typed kept.
  @Sendable func adjustClaim(_ request: Request) async throws -> Response {
    let id: ClaimRecord.ID = try request.identifier()
    let form = try request.content.decode(AdjustForm.self)
    let typed = ClaimPage.TypedAdjustment(
      amount: String((form.amount ?? "").prefix(40)), justification: String((form.justification ?? "").prefix(200)))
    do {
      guard let amount = Money(typed: typed.amount) else {
        throw ValidationFailure([
          FieldError(
            field: "amount", code: "invalid_amount",
            message: LocalizedText(zh: "金额应为元，如 6500 或 6500.50", en: "an amount in yuan, such as 6500 or 6500.50"))
        ])
      }
      let adjusted = try await request.claims.adjust(
        id, to: amount, justification: typed.justification.trimmingCharacters(in: .whitespacesAndNewlines))
      request.flash(
        LocalizedText(
          zh: "已调整拟给付金额为 \(adjusted.payable.formatted)", en: "The amount to pay is now \(adjusted.payable.formatted)"))
      return request.redirect(to: SiteURL.claimPage(.value(id)).path)
    } catch let failure as ValidationFailure {
      return try await claimPage(
        id, request, error: failure.summary, typedAdjustment: typed, status: .unprocessableEntity)
    }
  }

  struct StoryConsentForm: Content {
    let consent: YesNo
  }

  /// The worker's consent to the story, given or taken back on the signed form at the window.
  @Sendable func recordStoryConsent(_ request: Request) async throws -> Response {
    let id: ClaimRecord.ID = try request.identifier()
    let given = try request.content.decode(StoryConsentForm.self).consent.isYes
    do {
      _ = try await Stories(request.services, actor: try request.actor).recordOnPaper(id, given: given)
      request.flash(
        given
          ? LocalizedText(zh: "已登记职工书面同意展示案例", en: "The worker's signed consent is recorded")
          : LocalizedText(zh: "已登记职工撤回同意，案例不再展示", en: "Consent withdrawn: the story is not shown"))
    } catch let failure as ValidationFailure {
      request.flashError(failure.summary)
    }
    return request.redirect(to: SiteURL.claimPage(.value(id)).path)
  }

  struct UploadForm: Content {
    let kind: String
    let file: File
  }

  @Sendable func upload(_ request: Request) async throws -> Response {
    let id: ClaimRecord.ID = try request.identifier()
    let form = try request.content.decode(UploadForm.self)
    do {
      let document = try await request.claims.attach(
        .init(
          kind: String(form.kind.prefix(40)), fileName: form.file.filename,
          bytes: Data(form.file.data.readableBytesView)),
        to: id)
      request.flash(
        LocalizedText(
          zh: "已上传：\(RequiredDocument.label(document.kind).zh)",
          en: "Uploaded: \(RequiredDocument.label(document.kind).en)"))
      return request.redirect(to: SiteURL.claimPage(.value(id)).path)
    } catch let failure as ValidationFailure {
      return try await claimPage(id, request, error: failure.summary, status: .unprocessableEntity)
    }
  }

  @Sendable func claimForm(_ request: Request) async throws -> Response {
    // A claim starts from the member: without one, find them first.
    guard request.query[String.self, at: "worker"] != nil else { return request.redirect(to: SiteURL.workers.path) }
    let model = try await claimFormModel(request)
    return ClaimFormPage.View(model: model, language: request.displayLanguage, viewer: request.viewer!).html()
      .response()
  }

  func claimFormModel(_ request: Request) async throws -> ClaimFormPage.Model {
    guard let text = request.query[String.self, at: "worker"], let id = Worker.ID(text) else {
      throw APIError.notFound
    }
    return ClaimFormPage.Model(choices: try await request.claims.intakeChoices(for: id), today: request.today)
  }

  /// The posted intake form: text fields and one optional scan per checklist item.
  struct ClaimFormBody: Content {
    var schemeCode, hospital, hospitalLevel, hospitalLocation, setting, admissionDate, dischargeDate, visitDate,
      deathDate,
      settlementDate, claimDate: String?
    var claimDateReason: String?
    var hospitalDays: String?
    var invoiceNumbers, settlementSheetNumber, expedited: String?
    var figure_total_cost, figure_in_scope_cost, figure_pooled_fund_paid: String?
    var figure_critical_illness_insurance_paid, figure_self_paid_in_scope, figure_self_funded: String?
    var figure_deductible_paid, figure_supplementary_insurance_paid, figure_medical_assistance_paid: String?
    var scan_certificate, scan_diagnosis, scan_invoice, scan_settlement_sheet: File?
    /// Scans held from a refused try of this form (``HeldScans``), by kind.
    var held_certificate, held_diagnosis, held_invoice, held_settlement_sheet: String?

    var fields: [String: String] {
      let pairs: [(String, String?)] = [
        ("schemeCode", schemeCode), ("hospital", hospital), ("hospitalLevel", hospitalLevel),
        ("hospitalLocation", hospitalLocation), ("setting", setting), ("visitDate", visitDate),
        ("deathDate", deathDate),
        ("admissionDate", admissionDate),
        ("dischargeDate", dischargeDate), ("settlementDate", settlementDate), ("claimDate", claimDate),
        ("claimDateReason", claimDateReason),
        ("hospitalDays", hospitalDays), ("invoiceNumbers", invoiceNumbers),
        ("settlementSheetNumber", settlementSheetNumber), ("expedited", expedited),
        ("figure_total_cost", figure_total_cost), ("figure_in_scope_cost", figure_in_scope_cost),
        ("figure_pooled_fund_paid", figure_pooled_fund_paid),
        ("figure_critical_illness_insurance_paid", figure_critical_illness_insurance_paid),
        ("figure_self_paid_in_scope", figure_self_paid_in_scope), ("figure_self_funded", figure_self_funded),
        ("figure_deductible_paid", figure_deductible_paid),
        ("figure_supplementary_insurance_paid", figure_supplementary_insurance_paid),
        ("figure_medical_assistance_paid", figure_medical_assistance_paid),
      ]
      return Dictionary(uniqueKeysWithValues: pairs.compactMap { key, value in value.map { (key, $0) } })
    }

    var scans: [(kind: String, file: File)] {
      [
        ("certificate", scan_certificate), ("diagnosis", scan_diagnosis), ("invoice", scan_invoice),
        ("settlement_sheet", scan_settlement_sheet),
      ]
      .compactMap { kind, file in file.flatMap { $0.data.readableBytes > 0 ? (kind, $0) : nil } }
    }

    var heldTokens: [String: String] {
      let pairs: [(String, String?)] = [
        ("certificate", held_certificate), ("diagnosis", held_diagnosis), ("invoice", held_invoice),
        ("settlement_sheet", held_settlement_sheet),
      ]
      return Dictionary(uniqueKeysWithValues: pairs.compactMap { kind, token in token.map { (kind, $0) } })
    }

    /// The scans chosen now (each read as a claim's scan), then the held ones of the kinds
    /// not chosen again.
    func scans(held: [Claims.Scan]) -> [Claims.Scan] {
      let chosen = scans.map { scan in
        Claims.Scan(
          kind: scan.kind, fileName: String((scan.file.filename.isEmpty ? scan.kind : scan.file.filename).prefix(100)),
          bytes: Data(scan.file.data.readableBytesView))
      }
      let kinds = Set(chosen.map(\.kind))
      return chosen + held.filter { !kinds.contains($0.kind) }
    }
  }

  @Sendable func openClaim(_ request: Request) async throws -> Response {
    var model = try await claimFormModel(request)
    let body = try request.content.decode(ClaimFormBody.self)
    let holding = HeldScans(request.services, holder: "account:\(try request.actor.name)")
    let scans = body.scans(held: holding.scans(body.heldTokens, now: Date()))
    func refuse(_ errors: [FieldError]) throws -> Response {
      model.errors = errors
      // The scans come back with the form: nobody chooses them again.
      model.held = try holding.hold(scans, now: Date())
      return ClaimFormPage.View(model: model, language: request.displayLanguage, viewer: request.viewer!).html()
        .response(status: .unprocessableEntity)
    }
    let typed: (intake: ClaimIntake, receivedOn: CalendarDate?, reason: String, scans: [Claims.Scan])
    switch model.check(body, scans: scans, today: request.today) {
    case .success(let checked): typed = checked
    case .failure(let failure): return try refuse(failure.errors)
    }
    do {
      let record = try await request.claims.open(
        typed.intake, receivedOn: typed.receivedOn, reason: typed.reason, for: model.worker.id,
        scheme: model.form.schemeCode, channel: .window, expedited: model.form.expedited, scans: typed.scans)
      return request.redirect(to: SiteURL.claimPage(.value(record.id)).path)
    } catch let failure as ValidationFailure {
      return try refuse(failure.errors)
    }
  }
}

extension ClaimFormPage.Model {
  /// The posted form, checked whole (kept in `form`, so nothing typed is lost): a scheme the
  /// member holds paid cover in, facts that parse, every scan a PDF, JPEG or PNG. Writes
  /// nothing. The window and the worker portal share it.
  mutating func check(_ body: PagesController.ClaimFormBody, scans: [Claims.Scan], today: CalendarDate)
    -> Result<
      (intake: ClaimIntake, receivedOn: CalendarDate?, reason: String, scans: [Claims.Scan]), ValidationFailure
    >
  {
    form = ClaimFormPage.Form(fields: body.fields)
    guard schemes.contains(where: { $0.code == form.schemeCode }) else {
      return .failure(
        ValidationFailure([
          FieldError(
            field: "schemeCode", code: "no_cover",
            message: LocalizedText(zh: "该职工没有该方案的已缴费参保", en: "the worker holds no paid cover in this scheme"))
        ]))
    }
    let typed: (intake: ClaimIntake, receivedOn: CalendarDate?, reason: String)
    switch form.intake(today: today) {
    case .success(let value): typed = value
    case .failure(let failure): return .failure(failure)
    }
    if case .failure(let failure) = Claims.check(scans) { return .failure(failure) }
    return .success((typed.intake, typed.receivedOn, typed.reason, scans))
  }
}
