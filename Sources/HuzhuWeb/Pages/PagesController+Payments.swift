import Foundation
import HuzhuCore
import Vapor

/// Payment batches, the bank's answers, and the fund's reconciliation.
extension PagesController {
  // MARK: Payments and the fund

  @Sendable func paymentBatches(_ request: Request) async throws -> Response {
    let model = try await PaymentBatchesPage.Model.load(
      claims: request.claims, schemes: request.schemes, today: request.today)
    return PaymentBatchesPage.View(model: model, language: request.displayLanguage, viewer: request.viewer!).html()
      .response()
  }

  @Sendable func createPaymentBatch(_ request: Request) async throws -> Response {
    let scheme = try request.content.get(String.self, at: "scheme")
    do {
      let batch = try await request.claims.createBatch(
        scheme: scheme, context: try await request.claimContext(scheme: scheme))
      return request.redirect(to: SiteURL.paymentBatchPage(.value(batch.id)).path)
    } catch let failure as ValidationFailure {
      let model = try await PaymentBatchesPage.Model.load(
        claims: request.claims, schemes: request.schemes, today: request.today)
      return PaymentBatchesPage.View(
        model: model, language: request.displayLanguage, viewer: request.viewer!,
        notice: failure.summary
      ).html().response(status: .unprocessableEntity)
    }
  }

  @Sendable func paymentBatch(_ request: Request) async throws -> Response {
    guard let batch = try await request.claims.batch(try request.identifier()) else { throw APIError.notFound }
    return PaymentBatchPage.View(batch: batch, language: request.displayLanguage, viewer: request.viewer!).html()
      .response()
  }

  struct SettleForm: Content {
    let claimId: UUID
    let paid: Bool
    let note: String?
  }

  @Sendable func settle(_ request: Request) async throws -> Response {
    let batchID: PaymentBatch.ID = try request.identifier()
    guard let batch = try await request.claims.batch(batchID) else { throw APIError.notFound }
    let form = try request.content.decode(SettleForm.self)
    _ = try await request.claims.settle(
      .init(form.claimId), in: batchID, paid: form.paid, note: form.note,
      context: try await request.claimContext(scheme: batch.schemeCode))
    return request.redirect(to: SiteURL.paymentBatchPage(.value(batchID)).path)
  }

  @Sendable func funds(_ request: Request) async throws -> Response {
    let model = try await FundPage.Model.load(
      enrollments: request.enrollments, schemes: request.schemes, visible: try await request.fundSchemeCodes())
    return FundPage.View(model: model, language: request.displayLanguage, viewer: request.viewer).html().response()
  }
}
