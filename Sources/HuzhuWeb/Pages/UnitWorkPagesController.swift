import Foundation
import HuzhuApp
import HuzhuCore
import HuzhuSpreadsheet
import Vapor

/// A unit's work at the window, as pages: its roster upload and import, its collective
/// enrollment, and payments recorded against its bills.
struct UnitWorkPagesController {
  let limits: InputLimits

  func register(authenticated routes: any RoutesBuilder) {
    routes.get(.rosterPage(.key), requires: .manageUnits, use: rosterPage)
    routes.on(.POST, .rosterPage(.key), requires: .manageUnits, body: .collect(maxSize: BodyLimits.roster(limits)),
      use: uploadRoster)
    routes.post(.rosterCommit(.key), requires: .manageUnits, use: importRoster)
    routes.get(.rosterTemplate, requires: .manageUnits, use: rosterTemplate)
    routes.get(.enrollPage(.key), requires: .enroll, use: enrollPage)
    routes.post(.enrollPage(.key), requires: .enroll, use: enroll)
    routes.post(.billPay(.key), requires: .recordPayments, use: pay)
  }

  private func visibleUnit(_ request: Request) async throws -> WorkUnit {
    try await request.registry.unit(try request.identifier())
  }

  // MARK: Roster

  @Sendable func rosterPage(_ request: Request) async throws -> Response {
    let imports = try request.rosterImports
    let unit = try await imports.unit(try request.identifier())
    var model = RosterPage.Model(unit: unit)
    if let file = request.query[String.self, at: "file"] {
      do {
        model.preview = try await imports.review(try imports.kept(file), into: unit.id).preview
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
    let imports = try request.rosterImports
    let unit = try await imports.unit(try request.identifier())
    let bytes = Data((try? request.content.decode(RosterUpload.self))?.file.data.readableBytesView ?? .init())
    do {
      let checksum = try await imports.keep(bytes)
      return request.redirect(to: SiteURL.rosterPage(.value(unit.id)).path + "?file=\(checksum)")
    } catch let failure as ValidationFailure {
      let model = RosterPage.Model(unit: unit, errors: failure.errors)
      return RosterPage.View(model: model, language: request.displayLanguage, viewer: request.viewer!).html()
        .response(status: .unprocessableEntity)
    }
  }

  struct RosterImportForm: Content {
    let file: String
  }

  @Sendable func importRoster(_ request: Request) async throws -> Response {
    let imports = try request.rosterImports
    let unit = try await imports.unit(try request.identifier())
    let form = try request.content.decode(RosterImportForm.self)
    var model = RosterPage.Model(unit: unit, file: form.file)
    do {
      let (review, result) = try await imports.commit(kept: form.file, into: unit.id)
      model.preview = review.preview
      request.flash(
        LocalizedText(
          zh: "花名册已导入：新增 \(result.created) 人，调入 \(result.transferred) 人，更新 \(result.updated) 人"
            + (result.requested > 0 ? "；另有 \(result.requested) 人已向其现登记地区发出调入申请，待对方确认" : ""),
          en: "Roster imported: \(result.created) new, \(result.transferred) transferred in, \(result.updated) updated"
            + (result.requested > 0 ? "; \(result.requested) transfer requests await the other side" : ""))
      )
      return request.redirect(to: SiteURL.unit(.value(unit.id)).path)
    } catch let failure as ValidationFailure {
      if model.preview == nil, let bytes = try? imports.kept(form.file) {
        model.preview = try? await imports.review(bytes, into: unit.id).preview
      }
      model.errors = failure.errors
      return RosterPage.View(model: model, language: request.displayLanguage, viewer: request.viewer!).html()
        .response(status: .unprocessableEntity)
    }
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
    let first = try await request.registry.workers(in: unit.id, page: PageQuery(page: 1, per: EnrollPage.checkboxLimit))
    return EnrollPage.Model(
      unit: unit, workers: first.total <= EnrollPage.checkboxLimit ? first.items : [], workerCount: first.total,
      products: try await request.productChoices(), form: form ?? EnrollPage.Form(today: request.today))
  }

  @Sendable func enrollPage(_ request: Request) async throws -> Response {
    let model = try await enrollModel(request)
    return EnrollPage.View(model: model, language: request.displayLanguage, viewer: request.viewer!).html().response()
  }

  struct EnrollBody: Content {
    var product, periodStart, requestDate, requestDateReason, everyone, employerKind, employerValue, subsidyPayer,
      subsidyPerPerson: String?
    var thirdPartyIdNumber, thirdPartyName, idNumbers: String?
    var workers: [String]?

    var fields: [String: String] {
      let pairs: [(String, String?)] = [
        ("product", product), ("periodStart", periodStart), ("requestDate", requestDate),
        ("requestDateReason", requestDateReason), ("everyone", everyone),
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
    let enrollments = try request.enrollmentWork
    var members: [Worker.ID] = []
    if form.everyone {
      members = try await enrollments.everyone(in: model.unit.id)
    } else {
      members = model.workers.map(\.id).filter { form.workerIDs.contains($0.description) }
      let named = try await enrollments.members(form.typedIDNumbers, field: "idNumbers", employedBy: model.unit.id)
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
      let found = try await enrollments.members(
        [(1, thirdParty)], field: "thirdPartyIdNumber", employedBy: model.unit.id)
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
      let plan = try await enrollments.enroll(
        Enrollments.Order(
          scheme: order.scheme, product: order.product, periodStart: order.periodStart, split: split,
          requestedOn: order.requestDate, reason: form.requestDateReason),
        unit: model.unit.id, workers: members)
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
    /// Only for staff who may record an earlier day (the server's day otherwise).
    let paidOn: String?
    let paidOnReason: String?
    let reference: String
    let idempotencyKey: String?
  }

  @Sendable func pay(_ request: Request) async throws -> Response {
    let enrollments = try request.enrollmentWork
    let bill = try await enrollments.bill(try request.identifier())
    let back: String
    if let unit = bill.bill.unitID {
      back = SiteURL.unit(.value(unit)).path
    } else if let member = bill.enrollments.first {
      back = SiteURL.worker(.value(member.workerID)).path
    } else {
      back = SiteURL.home.path
    }
    let form = try request.content.decode(PaymentForm.self)
    let payerParts = form.payer.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
    let typedDate = form.paidOn.flatMap { $0.isEmpty ? nil : $0 }
    guard let payer = PayerType(rawValue: payerParts.first ?? ""), let amount = Money(yuan: form.amount),
      typedDate.map({ CalendarDate($0) != nil }) ?? true
    else {
      request.flashError(LocalizedText(zh: "缴费信息不完整：付款方、金额（元）、日期", en: "payer, amount (yuan) and date are required"))
      return request.redirect(to: back)
    }
    do {
      let outcome = try await enrollments.record(
        Enrollments.Payment(
          payer: payer, payerName: payerParts.count > 1 && !payerParts[1].isEmpty ? payerParts[1] : nil, amount: amount,
          paidOn: typedDate.flatMap(CalendarDate.init), reason: form.paidOnReason, reference: form.reference),
        on: bill.bill.id, idempotencyKey: form.idempotencyKey.map { "page-" + $0 })
      request.flash(
        LocalizedText(
          zh: "已登记缴费 \(outcome.payment.amount.formatted)，收据 \(outcome.payment.receiptNumber)"
            + (outcome.activated > 0 ? "；\(outcome.activated) 人保障生效" : ""),
          en: "Payment of \(outcome.payment.amount.formatted) recorded, receipt \(outcome.payment.receiptNumber)"
            + (outcome.activated > 0 ? "; cover started for \(outcome.activated)" : "")))
    } catch let failure as ValidationFailure {
      request.flashError(failure.summary)
    }
    return request.redirect(to: back)
  }
}
