import Foundation
import HuzhuApp
import HuzhuCore
import HuzhuWeb

extension Tasks {
  /// `huzhu corrections withdraw`: a member's cover withdrawn, by its certificate number.
  public static func requestWithdrawal(
    _ configuration: AppConfiguration, operatorName: String, certificate: String, kind: Correction.Kind,
    reason: String, refundBankName: String? = nil, refundBankAccount: String? = nil, today: CalendarDate? = nil
  ) async throws -> String {
    try await asOperator(configuration, operatorName, today: today) { services, actor in
      describe(
        try await Corrections(services, actor: actor).requestWithdrawal(
          kind, certificate: certificate, reason: reason, refundBankName: refundBankName,
          refundBankAccount: refundBankAccount))
    }
  }

  /// `huzhu refunds list`: the operator's area, newest first.
  public static func listRefunds(
    _ configuration: AppConfiguration, operatorName: String, status: Refund.Status?
  ) async throws -> String {
    try await asOperator(configuration, operatorName) { services, actor in
      let page = try await Refunds(services, actor: actor).list(
        status: status, page: PageQuery(per: PageQuery.maximumPerPage))
      var rows = [["编号 id", "退费单 refund", "保障书 certificate", "收款人 payee", "金额 amount", "状态 status"]]
      for refund in page.items {
        rows.append([
          refund.id.description, refund.number, refund.certificateNumber, refund.payeeName,
          refund.amount.decimalString, refund.status.label.zh,
        ])
      }
      return TextTable.render(rows, rightAligned: [4], separatorsBefore: [1]) + "\n\(page.total) 笔 / refunds"
    }
  }

  /// `huzhu refunds pay ID --reference REF`: the bank's transfer recorded; the same reference
  /// again changes nothing.
  public static func payRefund(
    _ configuration: AppConfiguration, operatorName: String, id text: String, reference: String,
    today: CalendarDate? = nil
  ) async throws -> String {
    guard let id = Refund.ID(text) else {
      throw ValidationFailure([
        FieldError(
          field: "id", code: "invalid_id",
          message: LocalizedText(zh: "“\(text)”不是退费编号", en: "\"\(text)\" is no refund's ID"))
      ])
    }
    return try await asOperator(configuration, operatorName, today: today) { services, actor in
      let (refund, changed) = try await Refunds(services, actor: actor).markPaid(id, reference: reference)
      return (changed ? "已登记 recorded: " : "该流水号已登记过 / already recorded: ")
        + "\(refund.number) \(refund.payeeName) \(refund.amount.formatted) \(refund.status.label.zh)"
    }
  }

  /// `huzhu refunds bank-file --out FILE`: the refunds still owed, for the bank's portal.
  public static func refundsBankFile(
    _ configuration: AppConfiguration, operatorName: String, format: Payments.BankFileFormat, to path: String
  ) async throws -> String {
    try await asOperator(configuration, operatorName) { services, actor in
      let (_, data) = try await Refunds(services, actor: actor).bankFile(format: format)
      try data.write(to: URL(fileURLWithPath: path))
      return "已写出 written: \(path)"
    }
  }
}

extension Tasks {
  /// `huzhu corrections reissue`: the receipt in force reissued under a new number.
  public static func reissueReceipt(
    _ configuration: AppConfiguration, operatorName: String, receipt: String, reason: String
  ) async throws -> String {
    try await asOperator(configuration, operatorName) { services, actor in
      let reissue = try await Corrections(services, actor: actor).reissueReceipt(receipt, reason: reason)
      return "收据已重开 reissued: \(reissue.replaces) → \(reissue.number)"
    }
  }
}
