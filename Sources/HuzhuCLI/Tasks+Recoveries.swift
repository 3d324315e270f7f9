import Foundation
import HuzhuApp
import HuzhuCore
import HuzhuWeb

extension Tasks {
  /// `huzhu recoveries open`: a paid claim's recovery, by the claim's number.
  public static func openRecovery(
    _ configuration: AppConfiguration, operatorName: String, claim: String, reason: Recovery.Reason, note: String,
    amount: Money?, today: CalendarDate? = nil
  ) async throws -> String {
    try await asOperator(configuration, operatorName, today: today) { services, actor in
      describe(
        try await Recoveries(services, actor: actor).open(
          claimNumber: claim, amount: amount, reason: reason, note: note))
    }
  }

  /// `huzhu recoveries repay ID`: money paid back; the same reference again adds nothing.
  public static func recordRepayment(
    _ configuration: AppConfiguration, operatorName: String, id text: String, amount: Money, reference: String,
    today: CalendarDate? = nil
  ) async throws -> String {
    guard let id = Recovery.ID(text) else {
      throw ValidationFailure([
        FieldError(
          field: "id", code: "invalid_id",
          message: LocalizedText(zh: "“\(text)”不是追回编号", en: "\"\(text)\" is no recovery's ID"))
      ])
    }
    return try await asOperator(configuration, operatorName, today: today) { services, actor in
      let (recovery, recorded) = try await Recoveries(services, actor: actor).recordRepayment(
        id, amount: amount, reference: reference)
      return (recorded ? "已登记 recorded: " : "该凭证号已登记过，未重复记入 / already recorded: ") + describe(recovery)
    }
  }

  /// `huzhu recoveries list`: the operator's area, newest first.
  public static func listRecoveries(
    _ configuration: AppConfiguration, operatorName: String, status: Recovery.Status?
  ) async throws -> String {
    try await asOperator(configuration, operatorName) { services, actor in
      let page = try await Recoveries(services, actor: actor).list(
        status: status, page: PageQuery(per: PageQuery.maximumPerPage))
      var rows = [["编号 id", "申请 claim", "应追回 due", "已收回 back", "状态 status"]]
      for recovery in page.items {
        rows.append([
          recovery.id.description, recovery.claimNumber, recovery.amountDue.decimalString,
          recovery.recovered.decimalString, recovery.status.label.zh,
        ])
      }
      return TextTable.render(rows, rightAligned: [2, 3], separatorsBefore: [1]) + "\n\(page.total) 条 / recoveries"
    }
  }

  static func describe(_ recovery: Recovery) -> String {
    "追回 recovery \(recovery.claimNumber) \(recovery.reason.label.zh)：应追回 due \(recovery.amountDue.formatted)，"
      + "已收回 back \(recovery.recovered.formatted)，\(recovery.status.label.zh) / \(recovery.status.label.en)（\(recovery.id)）"
  }
}
