import Foundation
import HuzhuCore
import Vapor

/// The claims pages: the queue, the intake form, a claim and the steps taken from it.
extension PagesController {
  // MARK: Claims

  @Sendable func claimQueue(_ request: Request) async throws -> Response {
    let page = PageQuery(page: request.query[Int.self, at: "page"] ?? 1, per: 100)
    let model = try await ClaimQueuePage.Model.load(page: page, today: request.today, claims: request.claims)
    return ClaimQueuePage.View(model: model, language: request.displayLanguage, viewer: request.viewer).html()
      .response()
  }

  @Sendable func claim(_ request: Request) async throws -> Response {
    try await claimPage(try request.identifier(), request, notice: request.takeFlash())
  }

  func claimPage(
    _ id: ClaimRecord.ID, _ request: Request, notice: LocalizedText? = nil, error: LocalizedText? = nil,
    typedNote: String = "", status: HTTPResponseStatus = .ok
  ) async throws -> Response {
    guard
      let model = try await ClaimPage.Model.load(
        id, today: request.today, claims: request.claims, registry: request.registry)
    else { throw APIError.notFound }
    return ClaimPage.View(
      model: model, language: request.displayLanguage, viewer: request.viewer, notice: notice, error: error,
      typedNote: typedNote
    ).html().response(status: status)
  }

  struct ActionForm: Content {
    let action: ClaimActionInput.Name
    let note: String?
    let rejectionReason: RejectionReason?
  }

  @Sendable func actOnClaim(_ request: Request) async throws -> Response {
    let id: ClaimRecord.ID = try request.identifier()
    guard let record = try await request.claims.claim(id) else { throw APIError.notFound }
    let form = try request.content.decode(ActionForm.self)
    let note = form.note?.trimmingCharacters(in: .whitespaces) ?? ""
    let action: ClaimAction =
      switch form.action {
      case .submit: .submit
      case .return: .returnForDocuments(reason: note)
      case .review: .review
      case .approve: .approve
      case .reject: .reject(reason: form.rejectionReason ?? .other, note: note)
      case .appeal: .appeal(reason: note)
      }
    guard !action.permittedBy.isDisjoint(with: request.viewer!.permissions) else { throw APIError.forbidden }
    do {
      let context = try await request.claimContext(scheme: record.schemeCode)
      let result = try await request.claims.perform(action, on: id, context: context)
      // Post, redirect, get: a refresh of the claim's page never repeats the step.
      request.flash(
        LocalizedText(
          zh: "已办理：\(result.record.state.label.zh)", en: "Done: the claim is now \(result.record.state.label.en)"))
      return request.redirect(to: SiteURL.claimPage(.value(id)).path)
    } catch let failure as ValidationFailure {
      return try await claimPage(
        id, request, error: failure.summary,
        typedNote: note, status: .unprocessableEntity)
    }
  }

  struct UploadForm: Content {
    let kind: String
    let file: File
  }

  @Sendable func upload(_ request: Request) async throws -> Response {
    let id: ClaimRecord.ID = try request.identifier()
    guard let record = try await request.claims.claim(id) else { throw APIError.notFound }
    let form = try request.content.decode(UploadForm.self)
    do {
      let context = try await request.claimContext(scheme: record.schemeCode)
      let document = try await request.attachScan(
        Data(form.file.data.readableBytesView), kind: String(form.kind.prefix(40)), fileName: form.file.filename,
        to: id, context: context)
      request.flash(
        LocalizedText(
          zh: "已上传：\(RequiredDocument.label(document.kind).zh)",
          en: "Uploaded: \(RequiredDocument.label(document.kind).en)"))
      return request.redirect(to: SiteURL.claimPage(.value(id)).path)
    } catch let failure as ValidationFailure {
      return try await claimPage(
        id, request,
        error: failure.summary,
        status: .unprocessableEntity)
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
    guard let text = request.query[String.self, at: "worker"], let id = Worker.ID(text),
      let model = try await ClaimFormPage.Model.load(
        worker: id, today: request.today, registry: request.registry, enrollments: request.enrollments,
        schemes: request.schemes)
    else { throw APIError.notFound }
    return model
  }

  /// The posted intake form: text fields and one optional scan per checklist item.
  struct ClaimFormBody: Content {
    var schemeCode, hospital, admissionDate, dischargeDate, settlementDate, claimDate, claimDateReason: String?
    var hospitalDays: String?
    var invoiceNumbers, settlementSheetNumber, expedited: String?
    var figure_total_cost, figure_in_scope_cost, figure_pooled_fund_paid: String?
    var figure_critical_illness_insurance_paid, figure_self_paid_in_scope, figure_self_funded: String?
    var scan_certificate, scan_diagnosis, scan_invoice, scan_settlement_sheet: File?

    var fields: [String: String] {
      let pairs: [(String, String?)] = [
        ("schemeCode", schemeCode), ("hospital", hospital), ("admissionDate", admissionDate),
        ("dischargeDate", dischargeDate), ("settlementDate", settlementDate), ("claimDate", claimDate),
        ("claimDateReason", claimDateReason),
        ("hospitalDays", hospitalDays), ("invoiceNumbers", invoiceNumbers),
        ("settlementSheetNumber", settlementSheetNumber), ("expedited", expedited),
        ("figure_total_cost", figure_total_cost), ("figure_in_scope_cost", figure_in_scope_cost),
        ("figure_pooled_fund_paid", figure_pooled_fund_paid),
        ("figure_critical_illness_insurance_paid", figure_critical_illness_insurance_paid),
        ("figure_self_paid_in_scope", figure_self_paid_in_scope), ("figure_self_funded", figure_self_funded),
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
  }

  @Sendable func openClaim(_ request: Request) async throws -> Response {
    var model = try await claimFormModel(request)
    let body = try request.content.decode(ClaimFormBody.self)
    func refuse(_ errors: [FieldError]) -> Response {
      model.errors = errors
      return ClaimFormPage.View(model: model, language: request.displayLanguage, viewer: request.viewer!).html()
        .response(status: .unprocessableEntity)
    }
    let intake: ClaimIntake
    let received: RecordedDate
    switch model.check(
      body, today: request.today, mayRecordEarlier: request.viewer!.permissions.contains(.recordEarlierDates))
    {
    case .success(let checked): (intake, received) = (checked.intake, checked.received)
    case .failure(let failure): return refuse(failure.errors)
    }
    let context = try await request.claimContext(scheme: model.form.schemeCode)
    let record: ClaimRecord
    do {
      record = try await request.claims.open(
        intake, for: model.worker.id, channel: .window, expedited: model.form.expedited, context: context)
    } catch let failure as ValidationFailure {
      return refuse(failure.errors)
    }
    try await request.auditEarlierDate(received, subject: "claim:\(record.id)", what: "received on")
    for scan in body.scans {
      _ = try await request.attachScan(
        Data(scan.file.data.readableBytesView), kind: scan.kind, fileName: scan.file.filename, to: record.id,
        context: context)
    }
    return request.redirect(to: SiteURL.claimPage(.value(record.id)).path)
  }
}

/// A scan from the intake form, recognised by its content.
struct CheckedScan {
  let kind: String
  let fileName: String
  let bytes: Data
  let format: DocumentFormat
}

extension ClaimFormPage.Model {
  /// Takes the posted form (kept in `form`, so nothing typed is lost) and checks it whole:
  /// a scheme the member holds paid cover in, facts that parse, every scan a PDF, JPEG or PNG.
  /// Writes nothing. The window and the worker portal share it.
  mutating func check(_ body: PagesController.ClaimFormBody, today: CalendarDate, mayRecordEarlier: Bool)
    -> Result<(intake: ClaimIntake, received: RecordedDate, scans: [CheckedScan]), ValidationFailure>
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
    let intake: ClaimIntake
    let received: RecordedDate
    switch form.intake(today: today, mayRecordEarlier: mayRecordEarlier) {
    case .success(let value): (intake, received) = value
    case .failure(let failure): return .failure(failure)
    }
    var scans: [CheckedScan] = []
    var errors: [FieldError] = []
    for scan in body.scans {
      let bytes = Data(scan.file.data.readableBytesView)
      switch DocumentFormat.detect(bytes) {
      case .success(let format):
        scans.append(
          CheckedScan(
            kind: scan.kind,
            fileName: String((scan.file.filename.isEmpty ? scan.kind : scan.file.filename).prefix(100)),
            bytes: bytes, format: format))
      case .failure(let problem):
        errors.append(FieldError(field: "scan_\(scan.kind)", code: problem.code, message: problem.message))
      }
    }
    guard errors.isEmpty else { return .failure(ValidationFailure(errors)) }
    return .success((intake, received, scans))
  }
}
