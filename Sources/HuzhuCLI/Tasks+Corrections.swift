import Foundation
import HuzhuApp
import HuzhuCore
import HuzhuWeb

extension Tasks {
  /// `huzhu corrections void`: asks for the void of a payment by its receipt number.
  public static func requestVoid(
    _ configuration: AppConfiguration, operatorName: String, receipt: String, reason: String
  ) async throws -> String {
    try await asOperator(configuration, operatorName) { services, actor in
      let correction = try await Corrections(services, actor: actor).requestPaymentVoid(
        receipt: receipt, reason: reason)
      return describe(correction)
    }
  }

  /// `huzhu corrections approve|refuse ID`: the second person's decision.
  public static func decideCorrection(
    _ configuration: AppConfiguration, operatorName: String, id text: String, approve: Bool, note: String?
  ) async throws -> String {
    guard let id = Correction.ID(text) else {
      throw ValidationFailure([
        FieldError(
          field: "id", code: "invalid_id",
          message: LocalizedText(zh: "“\(text)”不是更正编号", en: "\"\(text)\" is no correction's ID"))
      ])
    }
    return try await asOperator(configuration, operatorName) { services, actor in
      describe(try await Corrections(services, actor: actor).decide(id, approve: approve, note: note))
    }
  }

  /// `huzhu corrections list`: the operator's area, newest first.
  public static func listCorrections(
    _ configuration: AppConfiguration, operatorName: String, status: Correction.Status?
  ) async throws -> String {
    try await asOperator(configuration, operatorName) { services, actor in
      let page = try await Corrections(services, actor: actor).list(
        status: status, page: PageQuery(per: PageQuery.maximumPerPage))
      var rows = [["编号 id", "收据 receipt", "金额 amount", "原因 reason", "状态 status"]]
      for correction in page.items {
        rows.append([
          correction.id.description, correction.targetLabel, correction.amount.decimalString, correction.reason,
          correction.status.label.zh,
        ])
      }
      return TextTable.render(rows, rightAligned: [2], separatorsBefore: [1]) + "\n\(page.total) 条 / corrections"
    }
  }

  static func describe(_ correction: Correction) -> String {
    "\(correction.kind.label.zh) / \(correction.kind.label.en) \(correction.targetLabel) \(correction.amount.formatted)："
      + "\(correction.status.label.zh) / \(correction.status.label.en)（\(correction.id)）"
  }
}
