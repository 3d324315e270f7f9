import Foundation

/// The bank's answer for one line of a payment batch: paid (with the bank's reference, if any)
/// or failed (with its reason).
public struct PaymentAnswer: Sendable, Equatable {
  public let claimID: ClaimRecord.ID
  public let paid: Bool
  public let note: String?

  public init(claimID: ClaimRecord.ID, paid: Bool, note: String?) {
    self.claimID = claimID
    self.paid = paid
    self.note = note
  }
}

/// The columns of a bank's answer file (回盘文件): the transfer file sent back with each line's
/// result. Banks keep the columns they were sent and add a result and a reason, under names that
/// differ from bank to bank.
public enum BankAnswerColumn: String, SheetColumn {
  case claimNumber, purpose, account, amount, result, reason

  public var headers: [String] {
    switch self {
    case .claimNumber: ["申请编号", "业务编号", "claimnumber", "claim"]
    case .purpose: ["用途", "摘要", "附言", "备注用途", "purpose"]
    case .account: ["账号", "收款账号", "收款人账号", "收款账户", "account"]
    case .amount: ["金额", "交易金额", "转账金额", "金额元", "amount"]
    case .result: ["处理结果", "交易结果", "交易状态", "状态", "结果", "银行结果", "result", "status"]
    case .reason: ["失败原因", "原因", "错误信息", "处理说明", "备注", "reason", "note"]
    }
  }

  public var label: LocalizedText {
    switch self {
    case .claimNumber: LocalizedText(zh: "申请编号", en: "claim number")
    case .purpose: LocalizedText(zh: "用途", en: "purpose")
    case .account: LocalizedText(zh: "账号", en: "account")
    case .amount: LocalizedText(zh: "金额", en: "amount")
    case .result: LocalizedText(zh: "处理结果", en: "result")
    case .reason: LocalizedText(zh: "失败原因", en: "reason")
    }
  }

  public static var required: [BankAnswerColumn] { [.amount, .result] }
}

/// A bank's answer file read against its batch: what each row would do, row by row, before
/// anything is recorded. Any row in error holds the whole file back (it is one answer, applied
/// in one transaction or not at all); lines the file does not answer stay pending.
public struct BankAnswerPlan: Sendable, Equatable {
  public enum Outcome: Sendable, Equatable {
    case paid
    case failed(reason: String)
    /// The line already has this answer: nothing changes.
    case unchanged
    case error(LocalizedText)
  }

  public struct Row: Sendable, Equatable {
    /// The row's number in the file, the header being row 1 when it is the first.
    public let number: Int
    public let claimNumber: String?
    public let payee: String?
    public let amount: Money?
    public let outcome: Outcome
  }

  public var rows: [Row] = []
  public var fileErrors: [FieldError] = []
  /// Lines that transfer nothing (wholly withheld towards recoveries): not in the bank's file,
  /// confirmed paid with its answer.
  public var confirmedWithFile: [PaymentBatch.Line] = []
  /// Pending lines the file does not answer.
  public var unanswered: [PaymentBatch.Line] = []
  /// What applying the file records, in file order.
  public var answers: [PaymentAnswer] = []

  public var errorCount: Int { rows.filter { if case .error = $0.outcome { true } else { false } }.count }
  public var canApply: Bool { fileErrors.isEmpty && errorCount == 0 && !answers.isEmpty }

  public func count(_ wanted: (Outcome) -> Bool) -> (lines: Int, total: Money) {
    let matching = rows.filter { wanted($0.outcome) }
    return (matching.count, matching.reduce(Money.zero) { $0 + ($1.amount ?? .zero) })
  }
}

public enum BankAnswerReader {
  /// How many rows a file may answer beyond the batch's lines (a header, totals, notes).
  static let slackRows = 20

  /// Reads `cells` (the first sheet) against `batch`. Each row names its claim by a
  /// 申请编号 column or, as in the file Huzhu sends, by the claim number in 用途; its amount,
  /// and its account when the file has one, must be the line's; 成功 means paid, 失败 (退票,
  /// 拒绝…) failed, with the reason column or else the result as the reason.
  public static func plan(_ cells: [[RosterCell]], batch: PaymentBatch) -> BankAnswerPlan {
    var plan = BankAnswerPlan()
    guard let header = SheetHeader.find(cells, BankAnswerColumn.self) else {
      plan.fileErrors = [SheetHeader.missing(BankAnswerColumn.self)]
      return plan
    }
    let columns = header.columns
    guard columns[.claimNumber] != nil || columns[.purpose] != nil else {
      plan.fileErrors = [
        FieldError(
          field: "header", code: "missing_columns",
          message: LocalizedText(
            zh: "未找到“申请编号”或“用途”列：无法对应到批次中的申请",
            en: "no claim number or purpose column: the rows cannot be matched to the batch's lines"))
      ]
      return plan
    }
    let body = cells.dropFirst(header.row + 1)
    guard body.count <= batch.lines.count + slackRows else {
      plan.fileErrors = [
        FieldError(
          field: "file", code: "too_many_rows",
          message: LocalizedText(
            zh: "文件有 \(body.count) 行，而批次 \(batch.number) 只有 \(batch.lines.count) 笔：是否选错了文件？",
            en:
              "the file has \(body.count) rows for the \(batch.lines.count) lines of batch \(batch.number): is it the right file?"
          ))
      ]
      return plan
    }
    let lines = Dictionary(batch.lines.map { ($0.claimNumber, $0) }, uniquingKeysWith: { first, _ in first })
    var seen: Set<String> = []
    for (offset, row) in body.enumerated() {
      let number = header.row + offset + 2
      func cell(_ column: BankAnswerColumn) -> String {
        guard let index = columns[column], index < row.count else { return "" }
        return row[index].trimmed
      }
      if row.allSatisfy({ $0.trimmed.isEmpty }) { continue }
      let claimNumber = claim(in: cell(.claimNumber), purpose: cell(.purpose), lines: lines)
      let amount = Money(yuan: cell(.amount))
      let line = claimNumber.flatMap { lines[$0] }
      func add(_ outcome: BankAnswerPlan.Outcome) {
        plan.rows.append(
          .init(number: number, claimNumber: claimNumber, payee: line?.payeeName, amount: amount, outcome: outcome))
      }
      guard let claimNumber, let line else {
        // A totals row at the foot of the file names no claim and has no result.
        if cell(.result).isEmpty { continue }
        add(.error(LocalizedText(zh: "找不到本批次的申请编号", en: "names no claim of this batch")))
        continue
      }
      guard seen.insert(claimNumber).inserted else {
        add(.error(LocalizedText(zh: "申请 \(claimNumber) 在文件中重复出现", en: "claim \(claimNumber) appears twice")))
        continue
      }
      guard let amount, amount == line.amount else {
        let written = cell(.amount).prefix(30)
        add(
          .error(
            LocalizedText(
              zh: "金额“\(written)”与批次中的 \(line.amount.formatted) 不符",
              en: "amount \"\(written)\" is not the batch's \(line.amount.formatted)")))
        continue
      }
      if columns[.account] != nil, let mismatch = accountMismatch(cell(.account), line.bankAccount) {
        add(.error(mismatch))
        continue
      }
      guard let paid = result(cell(.result)) else {
        let written = cell(.result).prefix(30)
        add(
          .error(
            LocalizedText(
              zh: "无法识别处理结果“\(written)”（应为成功或失败）",
              en: "result \"\(written)\" is neither success nor failure")))
        continue
      }
      let reason = String(cell(.reason).prefix(200))
      let note: String? =
        paid ? (reason.isEmpty ? nil : reason) : (reason.isEmpty ? String(cell(.result).prefix(200)) : reason)
      switch (line.status, paid) {
      case (.pending, _):
        add(paid ? .paid : .failed(reason: note ?? ""))
        plan.answers.append(PaymentAnswer(claimID: line.claimID, paid: paid, note: note))
      case (.paid, true), (.failed, false):
        add(.unchanged)
      case (.paid, false):
        add(
          .error(
            LocalizedText(
              zh: "已登记为已支付，不能改为失败（银行退回已到账款项请登记退汇）",
              en: "already recorded as paid; money the bank sends back is recorded as returned")))
      case (.failed, true):
        add(
          .error(
            LocalizedText(
              zh: "已登记为支付失败并退回待支付，不能再登记为成功",
              en: "already recorded as failed and back in the queue; it cannot be paid now")))
      }
    }
    if plan.rows.isEmpty {
      plan.fileErrors.append(
        FieldError(
          field: "file", code: "no_rows", message: LocalizedText(zh: "文件中没有回盘记录", en: "the file answers no line")))
    }
    let answered = seen
    plan.confirmedWithFile = batch.lines.filter {
      $0.status == .pending && $0.amount.fen == 0 && !answered.contains($0.claimNumber)
    }
    if !plan.answers.isEmpty {
      plan.answers += plan.confirmedWithFile.map { PaymentAnswer(claimID: $0.claimID, paid: true, note: nil) }
    }
    plan.unanswered = batch.lines.filter {
      $0.status == .pending && $0.amount.fen > 0 && !answered.contains($0.claimNumber)
    }
    return plan
  }

  /// The claim a row names: its claim number column, or a word of its purpose that is one of
  /// the batch's claim numbers (Huzhu writes "互助金 <number>").
  static func claim(in column: String, purpose: String, lines: [String: PaymentBatch.Line]) -> String? {
    let direct = column.uppercased()
    if !direct.isEmpty { return direct }
    let words = purpose.uppercased().split(whereSeparator: { $0.isWhitespace || $0 == "：" || $0 == ":" })
    return words.map(String.init).first { lines[$0] != nil }
  }

  /// Whether the account written matches the line's (spaces and dashes aside), and if not,
  /// why, including the case of a spreadsheet that turned it into a rounded number.
  static func accountMismatch(_ written: String, _ account: String) -> LocalizedText? {
    let plain = { (text: String) in text.filter { !$0.isWhitespace && $0 != "-" } }
    if plain(written) == plain(account) { return nil }
    if written.uppercased().contains("E+") {
      return LocalizedText(
        zh: "账号“\(written.prefix(30))”被表格软件改成了科学计数法，请将该列设为文本后重新导出",
        en: "account \"\(written.prefix(30))\" was turned into a rounded number by a spreadsheet program")
    }
    return LocalizedText(
      zh: "账号与批次中的收款账号不符", en: "the account is not the line's account")
  }

  /// 成功 → paid, 失败 (退票, 拒绝, 无效…) → failed, anything else unknown.
  static func result(_ text: String) -> Bool? {
    let lowered = text.lowercased()
    if ["失败", "退票", "拒绝", "无效", "不成功", "未成功", "fail", "reject"].contains(where: lowered.contains) {
      return false
    }
    if ["成功", "已到账", "已入账", "success", "paid"].contains(where: lowered.contains) { return true }
    return nil
  }
}
