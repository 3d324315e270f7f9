import Foundation
import HuzhuApp
import HuzhuCore
import HuzhuPersistence
import HuzhuSpreadsheet
import HuzhuWeb
import Vapor

extension Tasks {
  public enum QueueFilter: String, Sendable, CaseIterable {
    case open, overdue
    case dueToday = "due-today"
    case expedited
  }

  /// The claims whose clock runs, soonest due first, as a table.
  public static func claimQueue(
    _ configuration: AppConfiguration, scheme: String?, filter: QueueFilter, today: CalendarDate = .today()
  ) async throws -> String {
    var text = ""
    try await withMigratedApplication(configuration) { app in
      let claims = HuzhuApp.Claims(app.services(clock: .fixed(today)), actor: .system("命令行 / command line"))
      let narrowing: QueueNarrowing? =
        switch filter {
        case .open: nil
        case .overdue: .overdue(today: today)
        case .dueToday: .dueOn(today)
        case .expedited: .expedited
        }
      let picked = try await claims.queue(
        states: ClaimDeadline.running, scheme: scheme, narrowedTo: narrowing,
        page: PageQuery(per: PageQuery.maximumPerPage)
      ).items
      var rows = [["申请号 claim", "状态 state", "金额 amount", "时限 due", "提醒 flags"]]
      for claim in picked {
        var flags: [String] = []
        if claim.expedited { flags.append("加急 expedited") }
        switch claim.deadline(on: today) {
        case .overdue?: flags.append("超期 overdue")
        case .dueToday?: flags.append("今日到期 due today")
        default: break
        }
        if !claim.duplicates.isEmpty { flags.append("疑似重复 duplicate?") }
        rows.append([
          claim.number, claim.state.label.zh, claim.payable.decimalString, claim.dueOn?.description ?? "—",
          flags.joined(separator: ", "),
        ])
      }
      text =
        TextTable.render(rows, rightAligned: [2], separatorsBefore: [1])
        + "\n\(picked.count) 件 / claims (今日 today \(today))"
    }
    return text
  }

  public struct BatchReport: Sendable {
    public let text: String
    public let batch: PaymentBatch?
  }

  /// A payment batch of every approved claim of `scheme`, made as `operatorName` (a finance
  /// officer: the batch is theirs, their area's claims go in it, and their area sees it), with
  /// its bank file written to `output` (`.csv` or `.xlsx`).
  public static func createPaymentBatch(
    _ configuration: AppConfiguration, scheme code: String, operatorName: String, output: String?,
    today: CalendarDate = .today()
  ) async throws -> BatchReport {
    var report = BatchReport(text: "", batch: nil)
    try await withMigratedApplication(configuration) { app in
      let services = app.services(clock: .fixed(today))
      guard let actor = try await Actors(services).operator(username: operatorName, address: "cli") else {
        report = BatchReport(text: "没有操作员账号“\(operatorName)” / no operator account \"\(operatorName)\"", batch: nil)
        return
      }
      let payments = Payments(services, actor: actor)
      let batch: PaymentBatch
      do {
        batch = try await payments.createBatch(scheme: code)
      } catch let failure as ValidationFailure {
        report = BatchReport(
          text: failure.errors.map { "\($0.message.zh) / \($0.message.en)" }.joined(separator: "\n"), batch: nil)
        return
      } catch UseCaseError.forbidden {
        report = BatchReport(
          text: "“\(operatorName)”无权制作支付批次（须为财务人员）/ \"\(operatorName)\" may not make payment batches (finance only)",
          batch: nil)
        return
      }
      var lines = [
        "支付批次 batch \(batch.number)：\(batch.lines.count) 笔 lines，合计 total \(batch.total.formatted)"
      ]
      for skipped in batch.skipped {
        lines.append("  未纳入 skipped \(skipped.claimNumber)：\(skipped.reason.zh) / \(skipped.reason.en)")
      }
      if let output {
        let format: Payments.BankFileFormat = output.lowercased().hasSuffix(".xlsx") ? .xlsx : .csv
        try await payments.bankFile(batch.id, format: format).data.write(to: URL(fileURLWithPath: output))
        lines.append("银行文件 bank file: \(output)")
      }
      report = BatchReport(text: lines.joined(separator: "\n"), batch: batch)
    }
    return report
  }

  /// Records the bank's return of a paid line (退汇) as `operatorName`, by the batch's and
  /// the claim's numbers: the fund credited, the claim back in the payment queue.
  public static func returnPayment(
    _ configuration: AppConfiguration, batch: String, claim: String, reason: String, operatorName: String,
    today: CalendarDate = .today()
  ) async throws -> String {
    try await asOperator(configuration, operatorName, today: today) { services, actor in
      let updated = try await Payments(services, actor: actor).returnPayment(
        claimNumber: claim, batchNumber: batch, reason: reason)
      let line = updated.lines.first { $0.claimNumber == claim.uppercased() }
      return "退汇已登记 returned: \(updated.number) \(line?.claimNumber ?? claim) "
        + "\(line?.amount.formatted ?? "")：\(line?.returned?.reason ?? reason)；申请回到待支付 / the claim waits for payment"
    }
  }
}

/// An application on the configured database, migrated, without demo data.
func withMigratedApplication(_ configuration: AppConfiguration, _ body: (Application) async throws -> Void)
  async throws
{
  var configuration = configuration
  configuration.loadsDemoData = false
  try configuration.prepareDataDirectory()
  try await withApplication(configuration) { app in
    try await HuzhuDatabase.prepare(app.db, target: configuration.database)
    try await HuzhuDatabase.withStartupLock(app.db) {
      try await HuzhuDatabase.migrate(app.databases, logger: app.logger, on: app.eventLoopGroup.any())
    }
    try await body(app)
  }
}
