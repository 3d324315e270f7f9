import Foundation
import HuzhuApp
import HuzhuCore
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
    return PaymentBatchPage.View(batch: batch, language: request.displayLanguage, viewer: request.viewer!).html()
      .response()
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

  @Sendable func funds(_ request: Request) async throws -> Response {
    var model = FundPage.Model(overview: try await request.fundLedger.overview())
    model.notice = request.takeFlash()
    return FundPage.View(model: model, language: request.displayLanguage, viewer: request.viewer).html().response()
  }
}
