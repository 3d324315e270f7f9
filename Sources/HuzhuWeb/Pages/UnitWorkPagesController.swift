import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuSpreadsheet
import Vapor

/// A unit's work at the window, as pages: its roster upload and import, its collective
/// enrollment, and payments recorded against its bills.
struct UnitWorkPagesController {
  func register(authenticated routes: any RoutesBuilder) {
    routes.get(.rosterPage(.key), requires: .manageUnits, use: rosterPage)
    routes.on(.POST, .rosterPage(.key), requires: .manageUnits, body: .collect(maxSize: "64mb"), use: uploadRoster)
    routes.post(.rosterCommit(.key), requires: .manageUnits, use: importRoster)
    routes.get(.rosterTemplate, requires: .manageUnits, use: rosterTemplate)
    routes.get(.enrollPage(.key), requires: .enroll, use: enrollPage)
    routes.post(.enrollPage(.key), requires: .enroll, use: enroll)
    routes.post(.billPay(.key), requires: .recordPayments, use: pay)
  }

  private func visibleUnit(_ request: Request) async throws -> WorkUnit {
    guard let unit = try await request.registry.unit(try request.identifier()) else { throw APIError.notFound }
    return unit
  }

  // MARK: Roster

  @Sendable func rosterPage(_ request: Request) async throws -> Response {
    let unit = try await visibleUnit(request)
    var model = RosterPage.Model(unit: unit)
    if let file = request.query[String.self, at: "file"] {
      do {
        model.preview = try await request.previewRoster(try storedRoster(file, request), into: unit)
        model.file = file
      } catch let failure as ValidationFailure {
        model.errors = failure.errors
      }
    }
    return RosterPage.View(model: model, language: request.displayLanguage, viewer: request.viewer!).html().response()
  }

  struct RosterUpload: Content {
    let file: File
  }

  /// Keeps the file by its SHA-256 and shows the preview of it (post, redirect, get).
  @Sendable func uploadRoster(_ request: Request) async throws -> Response {
    let unit = try await visibleUnit(request)
    let bytes = Data((try? request.content.decode(RosterUpload.self))?.file.data.readableBytesView ?? .init())
    guard !bytes.isEmpty else {
      let model = RosterPage.Model(
        unit: unit,
        errors: [
          FieldError(
            field: "file", code: "empty_body",
            message: LocalizedText(zh: "请选择花名册文件（XLSX 或 CSV）", en: "choose the roster file (XLSX or CSV)"))
        ])
      return RosterPage.View(model: model, language: request.displayLanguage, viewer: request.viewer!).html()
        .response(status: .unprocessableEntity)
    }
    let checksum = try await request.storeDocument(bytes)
    return request.redirect(to: SiteURL.rosterPage(.value(unit.id)).path + "?file=\(checksum)")
  }

  struct RosterImportForm: Content {
    let file: String
  }

  @Sendable func importRoster(_ request: Request) async throws -> Response {
    let unit = try await visibleUnit(request)
    let form = try request.content.decode(RosterImportForm.self)
    var model = RosterPage.Model(unit: unit, file: form.file)
    do {
      let preview = try await request.previewRoster(try storedRoster(form.file, request), into: unit)
      model.preview = preview
      let result = try await request.registry.importRoster(preview, into: unit.id, on: request.today)
      // The roster is in the registry now; its file goes unless a claim's scan is the same file.
      if !(try await FluentClaimStore(database: request.db).documentExists(sha256: form.file)) {
        try? request.application.huzhu.documents.remove(sha256: form.file)
      }
      request.flash(
        LocalizedText(
          zh: "花名册已导入：新增 \(result.created) 人，调入 \(result.transferred) 人，更新 \(result.updated) 人",
          en: "Roster imported: \(result.created) new, \(result.transferred) transferred in, \(result.updated) updated")
      )
      return request.redirect(to: SiteURL.unit(.value(unit.id)).path)
    } catch let failure as ValidationFailure {
      model.errors = failure.errors
      return RosterPage.View(model: model, language: request.displayLanguage, viewer: request.viewer!).html()
        .response(status: .unprocessableEntity)
    }
  }

  /// An uploaded roster by its checksum; only a 64-hex-digit name ever reaches the store.
  private func storedRoster(_ file: String, _ request: Request) throws -> Data {
    guard file.count == 64, file.allSatisfy(\.isHexDigit),
      let data = try? request.application.huzhu.documents.load(sha256: file)
    else {
      throw ValidationFailure([
        FieldError(
          field: "file", code: "upload_expired",
          message: LocalizedText(zh: "找不到上传的文件，请重新上传", en: "the uploaded file is gone; upload it again"))
      ])
    }
    return data
  }

  @Sendable func rosterTemplate(_ request: Request) async throws -> Response {
    let data = try XLSXWriter.write(rows: [RosterField.templateHeader, RosterField.templateExample], sheetName: "花名册")
    var headers = HTTPHeaders()
    headers.contentType = HTTPMediaType(
      type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    headers.contentDisposition = .init(.attachment, filename: "roster-template.xlsx")
    return Response(status: .ok, headers: headers, body: .init(data: data))
  }

  // MARK: Enrollment

  private func enrollModel(_ request: Request, form: EnrollPage.Form? = nil) async throws -> EnrollPage.Model {
    let unit = try await visibleUnit(request)
    let first = try await request.registry.workers(
      in: unit.id, page: PageQuery(page: 1, per: EnrollPage.checkboxLimit))
    return EnrollPage.Model(
      unit: unit, workers: first.total <= EnrollPage.checkboxLimit ? first.items : [], workerCount: first.total,
      products: try await request.productChoices(), form: form ?? EnrollPage.Form(today: request.today))
  }

  /// Everyone the unit employs now, page by page.
  private func everyone(in unit: WorkUnit.ID, _ request: Request) async throws -> [Worker.ID] {
    var workers: [Worker.ID] = []
    var page = 1
    while true {
      let slice = try await request.registry.workers(
        in: unit, page: PageQuery(page: page, per: PageQuery.maximumPerPage))
      workers += slice.items.map(\.id)
      if workers.count >= slice.total || slice.items.isEmpty { return workers }
      page += 1
    }
  }

  @Sendable func enrollPage(_ request: Request) async throws -> Response {
    let model = try await enrollModel(request)
    return EnrollPage.View(model: model, language: request.displayLanguage, viewer: request.viewer!).html().response()
  }

  struct EnrollBody: Content {
    var product, periodStart, requestDate, everyone, employerKind, employerValue, subsidyPayer,
      subsidyPerPerson: String?
    var thirdPartyIdNumber, thirdPartyName, idNumbers: String?
    var workers: [String]?

    var fields: [String: String] {
      let pairs: [(String, String?)] = [
        ("product", product), ("periodStart", periodStart), ("requestDate", requestDate), ("everyone", everyone),
        ("employerKind", employerKind), ("employerValue", employerValue), ("subsidyPayer", subsidyPayer),
        ("subsidyPerPerson", subsidyPerPerson), ("thirdPartyIdNumber", thirdPartyIdNumber),
        ("thirdPartyName", thirdPartyName), ("idNumbers", idNumbers),
      ]
      return Dictionary(uniqueKeysWithValues: pairs.compactMap { key, value in value.map { (key, $0) } })
    }
  }

  @Sendable func enroll(_ request: Request) async throws -> Response {
    let body = try request.content.decode(EnrollBody.self)
    let form = EnrollPage.Form(fields: body.fields, workerIDs: body.workers ?? [])
    var model = try await enrollModel(request, form: form)
    func refuse(_ errors: [FieldError]) -> Response {
      model.errors = errors
      return EnrollPage.View(model: model, language: request.displayLanguage, viewer: request.viewer!).html()
        .response(status: .unprocessableEntity)
    }
    let basics = form.basics()
    var errors: [FieldError] = []
    if case .failure(let failure) = basics { errors = failure.errors }
    var members: [Worker.ID] = []
    if form.everyone {
      members = try await everyone(in: model.unit.id, request)
    } else {
      members = model.workers.map(\.id).filter { form.workerIDs.contains($0.description) }
      let named = try await request.members(
        form.typedIDNumbers, field: "idNumbers", employedBy: model.unit.id)
      errors += named.errors
      members += named.workers.filter { !members.contains($0) }
    }
    if members.isEmpty && errors.allSatisfy({ $0.field != "idNumbers" }) {
      errors.append(
        FieldError(
          field: "workers", code: "no_members",
          message: LocalizedText(zh: "请选择参保人员", en: "choose who is enrolled")))
    }
    var thirdPartyWorker: Worker.ID?
    let thirdParty = form.thirdPartyIDNumber.trimmingCharacters(in: .whitespaces)
    if !thirdParty.isEmpty {
      let found = try await request.members([(1, thirdParty)], field: "thirdPartyIdNumber", employedBy: model.unit.id)
      errors += found.errors
      thirdPartyWorker = found.workers.first
    }
    let split: PayerSplitRule
    switch form.split(thirdPartyWorker: thirdPartyWorker) {
    case .success(let value): split = value
    case .failure(let failure):
      errors += failure.errors
      split = PayerSplitRule()
    }
    guard errors.isEmpty, case .success(let order) = basics else { return refuse(errors) }
    do {
      let scheme = try await request.compiledScheme(order.scheme)
      let order = EnrollmentOrder(
        schemeCode: order.scheme, productCode: order.product, periodStart: order.periodStart, unitID: model.unit.id,
        workerIDs: members, split: split, requestDate: try request.requestDate(order.requestDate))
      let plan = try await request.enrollments.enroll(order, scheme: scheme)
      request.flash(
        LocalizedText(
          zh: "已办理参保 \(plan.enrollments.count) 人，缴费单 \(plan.bill.number)，应缴 \(plan.bill.totalDue.formatted)",
          en: "\(plan.enrollments.count) enrolled; bill \(plan.bill.number), \(plan.bill.totalDue.formatted) due"))
      return request.redirect(to: SiteURL.unit(.value(model.unit.id)).path)
    } catch let failure as ValidationFailure {
      return refuse(failure.errors)
    }
  }

  // MARK: Payments

  struct PaymentForm: Content {
    let payer: String
    let amount: String
    let paidOn: String
    let reference: String
    let idempotencyKey: String?
  }

  @Sendable func pay(_ request: Request) async throws -> Response {
    guard let bill = try await request.enrollments.bill(try request.identifier()) else { throw APIError.notFound }
    let back: String
    if let unit = bill.unitID {
      back = SiteURL.unit(.value(unit)).path
    } else if let member = try await request.enrollments.enrollments(bill: bill.id).first {
      back = SiteURL.worker(.value(member.workerID)).path
    } else {
      back = SiteURL.home.path
    }
    let form = try request.content.decode(PaymentForm.self)
    let payerParts = form.payer.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
    guard let payer = PayerType(rawValue: payerParts.first ?? ""), let amount = Money(yuan: form.amount),
      let paidOn = CalendarDate(form.paidOn)
    else {
      request.flashError(LocalizedText(zh: "缴费信息不完整：付款方、金额（元）、日期", en: "payer, amount (yuan) and date are required"))
      return request.redirect(to: back)
    }
    do {
      if request.today < paidOn {
        throw ValidationFailure([.futureDate("paidOn", LocalizedText(zh: "缴费日期", en: "payment date"))])
      }
      let outcome = try await request.enrollments.record(
        PaymentRequest(
          payer: payer, payerName: payerParts.count > 1 && !payerParts[1].isEmpty ? payerParts[1] : nil, amount: amount,
          paidOn: paidOn, reference: form.reference.trimmingCharacters(in: .whitespaces)),
        on: bill.id, recordedBy: request.operatorName,
        idempotencyKey: form.idempotencyKey.map { "page-" + $0 },
        scheme: try await request.compiledScheme(bill.schemeCode))
      request.flash(
        LocalizedText(
          zh: "已登记缴费 \(outcome.payment.amount.formatted)，收据 \(outcome.payment.receiptNumber)"
            + (outcome.activated > 0 ? "；\(outcome.activated) 人保障生效" : ""),
          en: "Payment of \(outcome.payment.amount.formatted) recorded, receipt \(outcome.payment.receiptNumber)"
            + (outcome.activated > 0 ? "; cover started for \(outcome.activated)" : "")))
    } catch let failure as ValidationFailure {
      request.flashError(
        failure.summary)
    }
    return request.redirect(to: back)
  }
}
