import Foundation
import HuzhuApp
import HuzhuCore
import HuzhuSpreadsheet
import Vapor

/// Payment batches, the bank's answers, and the fund's reconciliation.
extension PagesController {
  // MARK: Payments and the fund

  @Sendable func paymentBatches(_ request: Request) async throws -> Response {
    let overview = try await request.payments.overview(page: try request.pageRequest())
    return PaymentBatchesPage.View(model: overview, language: request.displayLanguage, viewer: request.viewer!).html()
      .response()
  }

  @Sendable func createPaymentBatch(_ request: Request) async throws -> Response {
    let scheme = try request.content.get(String.self, at: "scheme")
    do {
      let batch = try await request.payments.createBatch(scheme: scheme)
      return request.redirect(to: SiteURL.paymentBatchPage(.value(batch.id)).path)
    } catch let failure as ValidationFailure {
      let overview = try await request.payments.overview(page: PageQuery())
      return PaymentBatchesPage.View(
        model: overview, language: request.displayLanguage, viewer: request.viewer!, notice: failure.summary
      ).html().response(status: .unprocessableEntity)
    }
  }

  @Sendable func paymentBatch(_ request: Request) async throws -> Response {
    let batch = try await request.payments.batch(try request.identifier())
    return PaymentBatchPage.View(
      batch: batch, language: request.displayLanguage, viewer: request.viewer!, notice: request.takeFlash()
    ).html().response()
  }

  struct SettleForm: Content {
    let claimId: UUID
    let paid: Bool
    let note: String?
  }

  struct ReturnForm: Content {
    let claimId: UUID
    let reason: String
  }

  @Sendable func settle(_ request: Request) async throws -> Response {
    let batchID: PaymentBatch.ID = try request.identifier()
    let form = try request.content.decode(SettleForm.self)
    _ = try await request.payments.settle(.init(form.claimId), in: batchID, paid: form.paid, note: form.note)
    return request.redirect(to: SiteURL.paymentBatchPage(.value(batchID)).path)
  }

  @Sendable func returnLine(_ request: Request) async throws -> Response {
    let batchID: PaymentBatch.ID = try request.identifier()
    let form = try request.content.decode(ReturnForm.self)
    _ = try await request.payments.returnPayment(.init(form.claimId), in: batchID, reason: form.reason)
    return request.redirect(to: SiteURL.paymentBatchPage(.value(batchID)).path)
  }

  /// A fund's ledger as CSV or Excel: every entry, reversals and recoveries in their own rows.
  @Sendable func exportFundLedger(_ request: Request) async throws -> Response {
    guard let format = request.query[String.self, at: "format"], ["csv", "xlsx"].contains(format) else {
      throw APIError.invalidQuery("format", expected: LocalizedText(zh: "应为 csv 或 xlsx", en: "takes csv or xlsx"))
    }
    guard let scheme = request.query[String.self, at: "scheme"], !scheme.isEmpty, scheme.count <= 64 else {
      throw APIError.invalidQuery("scheme", expected: LocalizedText(zh: "请指定方案", en: "names the scheme"))
    }
    // A rule version's label (it also names the file): letters, digits, dot, dash, underscore.
    let version = request.query[String.self, at: "version"].flatMap { $0.isEmpty ? nil : $0 }
    if let version,
      version.count > 32 || !version.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) })
    {
      throw APIError.invalidQuery(
        "version", expected: LocalizedText(zh: "应为规则版本，如 2019", en: "names a rule version, e.g. 2019"))
    }
    let english = request.displayLanguage == .en
    let table = try await request.schemeWork.fundLedger(scheme: scheme, versionLabel: version, english: english)
    let data = format == "csv" ? ReportFile.csv(table, english: english) : try ReportFile.xlsx(table, english: english)
    return Response.spreadsheet(
      data, excel: format == "xlsx", name: "huzhu-fund-ledger-\(scheme)\(version.map { "-\($0)" } ?? "")")
  }

  @Sendable func funds(_ request: Request) async throws -> Response {
    var model = FundPage.Model(overview: try await request.fundLedger.overview())
    model.notice = request.takeFlash()
    return FundPage.View(model: model, language: request.displayLanguage, viewer: request.viewer).html().response()
  }
}
