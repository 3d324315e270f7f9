import Foundation
import HuzhuApp
import HuzhuCore
import Vapor

/// The year's end: finance's opening balance and period close on the fund page, and the
/// window's renewal of every unit under a node.
struct YearEndController {
  func register(authenticated routes: any RoutesBuilder) {
    routes.post(.fundOpening, requires: .keepFundLedger, use: postOpening)
    routes.post(.fundClose, requires: .keepFundLedger, use: closePeriod)
    routes.get(.renewals, requires: .enroll, use: renewals)
    routes.post(.renewals, requires: .enroll, use: renew)
  }

  // MARK: The fund

  func fundPage(_ model: FundPage.Model, _ request: Request, status: HTTPStatus = .ok) -> Response {
    FundPage.View(model: model, language: request.displayLanguage, viewer: request.viewer).html()
      .response(status: status)
  }

  struct OpeningForm: Content {
    var choice: String?
    var amount: String?
    var reference: String?
  }

  static let noChoice = ValidationFailure([
    FieldError(
      field: "choice", code: "missing", message: LocalizedText(zh: "请选择产品与期间", en: "choose the product and period"))
  ])

  func postOpening(_ request: Request) async throws -> Response {
    let ledger = try request.fundLedger
    let form = try request.content.decode(OpeningForm.self)
    do {
      let parts = (form.choice ?? "").split(separator: "|").map(String.init)
      guard parts.count == 3 else { throw Self.noChoice }
      guard let amount = Money(yuan: form.amount ?? "") else {
        throw ValidationFailure([
          FieldError(
            field: "amount", code: "invalid_amount",
            message: LocalizedText(zh: "请填写金额，如 1234567.89", en: "give the amount, e.g. 1234567.89"))
        ])
      }
      let entry = try await ledger.postOpeningBalance(
        amount, scheme: parts[0], product: parts[1], version: parts[2], reference: form.reference ?? "")
      request.flash(
        LocalizedText(
          zh: "已登记期初结余：\(entry.productCode) \(entry.versionLabel) \(entry.amount.formatted)",
          en: "Opening balance posted: \(entry.productCode) \(entry.versionLabel) \(entry.amount.formatted)"))
      return request.redirect(to: SiteURL.funds.path)
    } catch let failure as ValidationFailure {
      var model = FundPage.Model(overview: try await ledger.overview())
      model.form = .opening
      model.values = ["choice": form.choice ?? "", "amount": form.amount ?? "", "reference": form.reference ?? ""]
      model.errors = failure.errors
      return fundPage(model, request, status: .unprocessableEntity)
    }
  }

  struct CloseForm: Content {
    var choice: String?
    var reference: String?
    var action: String?
  }

  /// `action=preview` shows what the close would carry; `action=close` closes.
  func closePeriod(_ request: Request) async throws -> Response {
    let ledger = try request.fundLedger
    let form = try request.content.decode(CloseForm.self)
    var model = FundPage.Model(overview: try await ledger.overview())
    model.form = .close
    model.values = ["choice": form.choice ?? "", "reference": form.reference ?? ""]
    do {
      let parts = (form.choice ?? "").split(separator: "|").map(String.init)
      guard parts.count == 2 else { throw Self.noChoice }
      if form.action == "close" {
        let closed = try await ledger.close(scheme: parts[0], version: parts[1], reference: form.reference ?? "")
        request.flash(
          LocalizedText(
            zh: "已结账：\(closed.close.versionLabel)，结转 \(closed.entries.count / 2) 个产品的余额",
            en:
              "Closed \(closed.close.versionLabel): the balances of \(closed.entries.count / 2) products carried forward"
          ))
        return request.redirect(to: SiteURL.funds.path)
      }
      model.preview = try await ledger.previewClose(
        scheme: parts[0], version: parts[1], reference: form.reference ?? "")
      return fundPage(model, request)
    } catch let failure as ValidationFailure {
      model.errors = failure.errors
      return fundPage(model, request, status: .unprocessableEntity)
    }
  }

  // MARK: Renewals

  func renewalModel(_ request: Request, values: [String: String]) async throws -> RenewalPage.Model {
    let actor = try request.actor
    let products = try await request.enrollmentWork.products()
    var values = values
    if values["node"] == nil || values["node"] == "" {
      values["node"] = actor.organisation?.id.description ?? ""
    }
    return RenewalPage.Model(products: products, nodes: actor.visibleTree, values: values)
  }

  func renderRenewals(_ model: RenewalPage.Model, _ request: Request, status: HTTPStatus = .ok) -> Response {
    RenewalPage.View(model: model, language: request.displayLanguage, viewer: request.viewer!).html()
      .response(status: status)
  }

  func renewals(_ request: Request) async throws -> Response {
    var model = try await renewalModel(
      request, values: ["node": request.query[String.self, at: "node"] ?? ""])
    model.notice = request.takeFlash()
    return renderRenewals(model, request)
  }

  struct RenewalForm: Content {
    var product: String?
    var periodStart: String?
    var node: String?
    var action: String?
  }

  func renew(_ request: Request) async throws -> Response {
    let form = try request.content.decode(RenewalForm.self)
    var model = try await renewalModel(
      request,
      values: ["product": form.product ?? "", "periodStart": form.periodStart ?? "", "node": form.node ?? ""])
    do {
      let parts = (form.product ?? "").split(separator: "|").map(String.init)
      var errors: [FieldError] = []
      if parts.count != 2 {
        errors.append(
          FieldError(field: "product", code: "missing", message: LocalizedText(zh: "请选择产品", en: "choose the product")))
      }
      let start = CalendarDate(form.periodStart ?? "")
      if start == nil {
        errors.append(
          FieldError(
            field: "periodStart", code: "invalid_date",
            message: LocalizedText(zh: "请填写保障期起始日，如 2026-01-01", en: "give the period's first day, e.g. 2026-01-01")))
      }
      let node = UUID(uuidString: form.node ?? "").map(Organisation.ID.init)
      if node == nil {
        errors.append(
          FieldError(field: "node", code: "missing", message: LocalizedText(zh: "请选择组织", en: "choose the node")))
      }
      guard errors.isEmpty, let start, let node else { throw ValidationFailure(errors) }
      let order = Renewals.Order(scheme: parts[0], product: parts[1], periodStart: start, node: node)
      let renewals = try request.renewals
      if form.action == "commit" {
        model.lines = try await renewals.commit(order)
        model.committed = true
        let renewed = model.lines.filter { if case .renews = $0.outcome { true } else { false } }.count
        model.notice = LocalizedText(zh: "已续保 \(renewed) 个单位", en: "Renewed \(renewed) units")
      } else {
        model.lines = try await renewals.preview(order)
      }
      return renderRenewals(model, request)
    } catch let failure as ValidationFailure {
      model.errors = failure.errors
      return renderRenewals(model, request, status: .unprocessableEntity)
    } catch UseCaseError.notFound {
      model.errors = [
        FieldError(
          field: "node", code: "unknown_organisation",
          message: LocalizedText(zh: "您的辖区内没有该组织", en: "no such node in your area"))
      ]
      return renderRenewals(model, request, status: .unprocessableEntity)
    }
  }
}

extension Request {
  var fundLedger: FundLedger {
    get throws { FundLedger(services, actor: try actor) }
  }

  var renewals: Renewals {
    get throws { Renewals(services, actor: try actor) }
  }
}
