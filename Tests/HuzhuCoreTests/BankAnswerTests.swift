import Foundation
import HuzhuCore
import Testing

/// A bank's answer file read against its batch: each row matched to its line by claim number,
/// amount and account checked, results read, and a file with any row in error held back whole.
@Suite("Bank answer files")
struct BankAnswerTests {
  let lines = [
    PaymentBatch.Line(
      claimID: .init(), claimNumber: "HZ-2024-000001", payeeName: "张三", bankName: "工商银行",
      bankAccount: "6222020000000001", amount: Money(fen: 150_000)),
    PaymentBatch.Line(
      claimID: .init(), claimNumber: "HZ-2024-000002", payeeName: "李四", bankName: "建设银行",
      bankAccount: "6217000000000002", amount: Money(fen: 80_050)),
    PaymentBatch.Line(
      claimID: .init(), claimNumber: "HZ-2024-000003", payeeName: "王五", bankName: "农业银行",
      bankAccount: "6228480000000003", amount: Money(fen: 32_000)),
  ]

  func batch(_ lines: [PaymentBatch.Line]? = nil) -> PaymentBatch {
    PaymentBatch(
      number: "ZF-2024-0001", schemeCode: "test", createdBy: "finance",
      createdOn: CalendarDate(year: 2024, month: 6, day: 1)!, lines: lines ?? self.lines)
  }

  func cells(_ rows: [[String]]) -> [[RosterCell]] {
    rows.map { $0.map { $0.isEmpty ? RosterCell.empty : .text($0) } }
  }

  let header = ["户名", "账号", "开户行", "金额", "用途", "处理结果", "失败原因"]

  @Test func theTransferFileAnsweredIsReadByItsPurpose() {
    let plan = BankAnswerReader.plan(
      cells([
        header,
        ["张三", "6222 0200 0000 0001", "工商银行", "1500.00", "互助金 HZ-2024-000001", "交易成功", ""],
        ["李四", "6217000000000002", "建设银行", "800.5", "互助金 HZ-2024-000002", "失败", "户名与账号不符"],
        ["王五", "6228480000000003", "农业银行", "320", "互助金 HZ-2024-000003", "不成功", ""],
        ["合计", "", "", "2620.50", "", "", ""],
      ]), batch: batch())
    #expect(plan.fileErrors.isEmpty)
    #expect(plan.canApply)
    #expect(plan.rows.map(\.number) == [2, 3, 4])
    #expect(plan.rows.map(\.outcome) == [.paid, .failed(reason: "户名与账号不符"), .failed(reason: "不成功")])
    #expect(
      plan.answers == [
        PaymentAnswer(claimID: lines[0].claimID, paid: true, note: nil),
        PaymentAnswer(claimID: lines[1].claimID, paid: false, note: "户名与账号不符"),
        PaymentAnswer(claimID: lines[2].claimID, paid: false, note: "不成功"),
      ])
    let paid = plan.count { $0 == .paid }
    #expect(paid.lines == 1 && paid.total == Money(fen: 150_000))
    #expect(plan.unanswered.isEmpty)
  }

  @Test func aClaimNumberColumnWinsAndLinesNotAnsweredStayPending() {
    let plan = BankAnswerReader.plan(
      cells([
        ["申请编号", "交易金额", "交易状态"],
        ["hz-2024-000002", "800.50", "成功"],
      ]), batch: batch())
    #expect(plan.canApply)
    #expect(plan.rows.map(\.claimNumber) == ["HZ-2024-000002"])
    #expect(plan.unanswered.map(\.claimNumber) == ["HZ-2024-000001", "HZ-2024-000003"])
  }

  @Test func anyRowInErrorHoldsTheWholeFileBack() {
    let plan = BankAnswerReader.plan(
      cells([
        header,
        ["张三", "6222020000000001", "工商银行", "1500.01", "互助金 HZ-2024-000001", "成功", ""],
        ["李四", "6.21700000000000E+15", "建设银行", "800.50", "互助金 HZ-2024-000002", "成功", ""],
        ["王五", "6228480000000009", "农业银行", "320.00", "互助金 HZ-2024-000003", "成功", ""],
        ["赵六", "6228480000000004", "农业银行", "320.00", "互助金 HZ-2024-999999", "成功", ""],
        ["王五", "6228480000000003", "农业银行", "320.00", "互助金 HZ-2024-000003", "处理中", ""],
      ]), batch: batch())
    #expect(!plan.canApply)
    #expect(plan.errorCount == 5)
    let messages = plan.rows.compactMap { row -> String? in
      if case .error(let text) = row.outcome { text.zh } else { nil }
    }
    #expect(messages[0].contains("¥1,500.00"))
    #expect(messages[1].contains("科学计数法"))
    #expect(messages[2] == "账号与批次中的收款账号不符")
    #expect(messages[3] == "找不到本批次的申请编号")
    #expect(messages[4].contains("重复"))
  }

  @Test func anUnreadableResultIsAnErrorNotAGuess() {
    let plan = BankAnswerReader.plan(
      cells([["申请编号", "金额", "结果"], ["HZ-2024-000001", "1500", "处理中"]]), batch: batch())
    #expect(plan.errorCount == 1)
    #expect(!plan.canApply)
  }

  @Test func answersAlreadyRecordedChangeNothingAndContradictionsAreRefused() {
    var lines = self.lines
    lines[0].status = .paid
    lines[1].status = .failed
    let plan = BankAnswerReader.plan(
      cells([
        ["申请编号", "金额", "结果", "备注"],
        ["HZ-2024-000001", "1500", "成功", ""],
        ["HZ-2024-000002", "800.50", "成功", ""],
        ["HZ-2024-000003", "320", "失败", "账户已销户"],
      ]), batch: batch(lines))
    #expect(plan.rows.map(\.outcome).first == .unchanged)
    #expect({ if case .error = plan.rows[1].outcome { true } else { false } }())
    #expect(!plan.canApply)

    let again = BankAnswerReader.plan(
      cells([["申请编号", "金额", "结果"], ["HZ-2024-000001", "1500", "成功"]]), batch: batch(lines))
    #expect(again.rows.map(\.outcome) == [.unchanged])
    #expect(again.answers.isEmpty)
    #expect(!again.canApply)
  }

  @Test func aLineWhollyWithheldIsConfirmedWithTheFile() {
    var lines = self.lines
    lines.append(
      PaymentBatch.Line(
        claimID: .init(), claimNumber: "HZ-2024-000004", payeeName: "赵六", bankName: "中国银行",
        bankAccount: "6216000000000004", amount: .zero, offset: Money(fen: 50_000)))
    let plan = BankAnswerReader.plan(
      cells([["申请编号", "金额", "结果"], ["HZ-2024-000001", "1500", "成功"]]), batch: batch(lines))
    #expect(plan.confirmedWithFile.map(\.claimNumber) == ["HZ-2024-000004"])
    #expect(plan.answers.last == PaymentAnswer(claimID: lines[3].claimID, paid: true, note: nil))
    #expect(plan.unanswered.map(\.claimNumber) == ["HZ-2024-000002", "HZ-2024-000003"])
  }

  @Test func aFileWithoutTheColumnsOrFarLongerThanTheBatchIsRefused() {
    #expect(BankAnswerReader.plan(cells([["户名", "金额"], ["张三", "1500"]]), batch: batch()).fileErrors.count == 1)
    let noClaim = BankAnswerReader.plan(cells([["户名", "金额", "结果"], ["张三", "1500", "成功"]]), batch: batch())
    #expect(noClaim.fileErrors.map(\.code) == ["missing_columns"])
    let long = [["申请编号", "金额", "结果"]] + Array(repeating: ["HZ-2024-000001", "1500", "成功"], count: 40)
    #expect(BankAnswerReader.plan(cells(long), batch: batch()).fileErrors.map(\.code) == ["too_many_rows"])
    #expect(BankAnswerReader.plan(cells([["申请编号", "金额", "结果"]]), batch: batch()).fileErrors.map(\.code) == ["no_rows"])
  }
}
