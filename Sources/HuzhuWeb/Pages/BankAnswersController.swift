import Foundation
import HuzhuApp
import HuzhuCore
import Vapor

/// The bank's answers for a whole batch: every pending line paid at once, or the bank's answer
/// file uploaded, checked line by line on the batch's page, then recorded in one go.
struct BankAnswersController {
  let limits: InputLimits

  func register(authenticated routes: any RoutesBuilder) {
    routes.post(.paymentBatchSettleAll(.key), requires: .managePayments, use: settleAll)
    routes.on(
      .POST, .paymentBatchAnswerUpload(.key), requires: .managePayments,
      body: .collect(maxSize: BodyLimits.roster(limits)), use: upload)
    routes.get(.paymentBatchAnswers(.key), requires: .managePayments, use: check)
    routes.post(.paymentBatchAnswers(.key), requires: .managePayments, use: record)
  }

  func settleAll(_ request: Request) async throws -> Response {
    let id: PaymentBatch.ID = try request.identifier()
    let (_, settled) = try await request.payments.settleAllPending(id)
    request.flash(
      LocalizedText(zh: "已登记 \(settled.grouped) 笔到账", en: "\(settled.grouped) lines recorded as paid"))
    return request.redirect(to: SiteURL.paymentBatchPage(.value(id)).path)
  }

  struct Upload: Content {
    let file: File?
  }

  /// Keeps the file by its SHA-256, then shows the check (post, redirect, get).
  func upload(_ request: Request) async throws -> Response {
    let id: PaymentBatch.ID = try request.identifier()
    let form = try? request.content.decode(Upload.self)
    do {
      let checksum = try await request.payments.keepAnswerFile(
        Data(form?.file?.data.readableBytesView ?? .init()), for: id)
      return request.redirect(to: SiteURL.paymentBatchAnswers(.value(id)).path + "?file=\(checksum)")
    } catch let failure as ValidationFailure {
      return try await render(id, request, errors: failure.errors)
    }
  }

  func check(_ request: Request) async throws -> Response {
    let id: PaymentBatch.ID = try request.identifier()
    let file = request.query[String.self, at: "file"] ?? ""
    do {
      let (batch, plan) = try await request.payments.answerPlan(id, file: file)
      return PaymentBatchPage.View(
        batch: batch, language: request.displayLanguage, viewer: request.viewer!, errors: plan.fileErrors,
        preview: plan.fileErrors.isEmpty ? .init(file: file, plan: plan) : nil
      ).html().response(status: plan.fileErrors.isEmpty ? .ok : .unprocessableEntity)
    } catch let failure as ValidationFailure {
      return try await render(id, request, errors: failure.errors)
    }
  }

  struct RecordForm: Content {
    let file: String?
  }

  func record(_ request: Request) async throws -> Response {
    let id: PaymentBatch.ID = try request.identifier()
    let file = (try? request.content.decode(RecordForm.self))?.file ?? ""
    do {
      let (_, plan) = try await request.payments.applyAnswers(id, file: file)
      let paid = plan.count { $0 == .paid }.lines + plan.confirmedWithFile.count
      let failed = plan.count { if case .failed = $0 { true } else { false } }.lines
      request.flash(
        LocalizedText(
          zh: "已按回盘文件登记：到账 \(paid.grouped) 笔，失败 \(failed.grouped) 笔",
          en: "Recorded from the answer file: \(paid.grouped) paid, \(failed.grouped) failed"))
      return request.redirect(to: SiteURL.paymentBatchPage(.value(id)).path)
    } catch let failure as ValidationFailure {
      return try await render(id, request, errors: failure.errors)
    }
  }

  private func render(_ id: PaymentBatch.ID, _ request: Request, errors: [FieldError]) async throws -> Response {
    let batch = try await request.payments.batch(id)
    return PaymentBatchPage.View(
      batch: batch, language: request.displayLanguage, viewer: request.viewer!, errors: errors
    ).html().response(status: .unprocessableEntity)
  }
}
