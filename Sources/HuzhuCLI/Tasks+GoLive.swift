import Foundation
import HuzhuApp
import HuzhuCore
import HuzhuPersistence
import HuzhuWeb

extension Tasks {
  /// Runs `work` as the operator `operatorName` on a migrated database (never the demo's);
  /// an unknown operator is a usage error.
  static func asOperator<T: Sendable>(
    _ configuration: AppConfiguration, _ operatorName: String, today: CalendarDate? = nil,
    _ work: @escaping @Sendable (AppServices, Actor) async throws -> T
  ) async throws -> T {
    var configuration = configuration
    configuration.loadsDemoData = false
    try configuration.prepareDataDirectory()
    var result: T?
    try await withMigratedApplication(configuration) { app in
      let services = app.services(clock: today.map { .fixed($0) })
      guard let actor = try await Actors(services).operator(username: operatorName, address: "cli") else {
        throw OperatorRefusal(
          message: LocalizedText(
            zh: "没有操作员账号“\(operatorName)”", en: "no operator account \"\(operatorName)\""))
      }
      do {
        result = try await work(services, actor)
      } catch UseCaseError.forbidden {
        throw OperatorRefusal(
          message: LocalizedText(zh: "“\(operatorName)”无权办理此事", en: "\"\(operatorName)\" may not do this"))
      } catch UseCaseError.notFound {
        throw OperatorRefusal(
          message: LocalizedText(
            zh: "“\(operatorName)”的范围内没有该记录", en: "nothing of the kind in \"\(operatorName)\"'s area"))
      }
    }
    return result!
  }

  /// An operator refused, as the command line says it (exit code 2).
  public struct OperatorRefusal: Error, Sendable {
    public let message: LocalizedText
  }

  /// `huzhu fund opening`: posts an opening balance and describes it.
  public static func postOpeningBalance(
    _ configuration: AppConfiguration, operatorName: String, scheme: String, product: String, version: String,
    amount text: String, reference: String
  ) async throws -> String {
    guard let amount = Money(yuan: text) else {
      throw ValidationFailure([
        FieldError(
          field: "amount", code: "invalid_amount",
          message: LocalizedText(zh: "金额“\(text)”无法识别（如 1234567.89）", en: "\"\(text)\" is no amount (e.g. 1234567.89)"))
      ])
    }
    return try await asOperator(configuration, operatorName) { services, actor in
      let entry = try await FundLedger(services, actor: actor).postOpeningBalance(
        amount, scheme: scheme, product: product, version: version, reference: reference)
      return "已登记期初结余 / opening balance posted: \(entry.schemeCode) \(entry.productCode) \(entry.versionLabel) "
        + "\(entry.amount.formatted)（\(entry.memo)，\(entry.postedOn)）"
    }
  }

  /// `huzhu fund close`: previews or closes a period and lists what it carries forward.
  public static func closeFundPeriod(
    _ configuration: AppConfiguration, operatorName: String, scheme: String, version: String, reference: String,
    dryRun: Bool
  ) async throws -> String {
    try await asOperator(configuration, operatorName) { services, actor in
      let ledger = FundLedger(services, actor: actor)
      let result =
        dryRun
        ? try await ledger.previewClose(scheme: scheme, version: version, reference: reference)
        : try await ledger.close(scheme: scheme, version: version, reference: reference)
      var lines = [
        dryRun
          ? "试运行：\(scheme) \(version) 可以结账，未写入 / dry run: the period can be closed; nothing written"
          : "已结账 / closed: \(scheme) \(version)（\(result.close.reference)，\(result.close.closedOn)）"
      ]
      for entry in result.entries where entry.kind == .broughtForward {
        lines.append("  结转 carried: \(entry.productCode) \(entry.amount.formatted) → \(entry.versionLabel)")
      }
      if result.entries.isEmpty { lines.append("  本期余额为零，无需结转 / nothing to carry forward") }
      return lines.joined(separator: "\n")
    }
  }
}

extension Tasks {
  /// `huzhu renew`: the year-end renewal of every unit under a node, previewed or committed.
  public static func renewUnits(
    _ configuration: AppConfiguration, operatorName: String, scheme: String, product: String,
    periodStart text: String, under code: String, dryRun: Bool
  ) async throws -> (text: String, succeeded: Bool) {
    guard let periodStart = CalendarDate(text) else {
      throw ValidationFailure([
        FieldError(
          field: "period-start", code: "invalid_date",
          message: LocalizedText(zh: "日期“\(text)”无法识别（如 2026-01-01）", en: "\"\(text)\" is no date (e.g. 2026-01-01)"))
      ])
    }
    return try await asOperator(configuration, operatorName) { services, actor in
      guard let node = actor.visibleOrganisations.first(where: { $0.code == code }) else {
        throw UseCaseError.notFound
      }
      let renewals = Renewals(services, actor: actor)
      let order = Renewals.Order(scheme: scheme, product: product, periodStart: periodStart, node: node.id)
      let lines = dryRun ? try await renewals.preview(order) : try await renewals.commit(order)
      var text: [String] = []
      var renewing = 0
      var refused = 0
      for line in lines {
        switch line.outcome {
        case .renews(let result):
          renewing += 1
          text.append(
            "  \(line.unit.name)：续保 \(result.plan.enrollments.count)/\(line.members) 人，"
              + "缴费单 \(result.plan.bill.number) \(result.plan.bill.totalDue.formatted)"
              + (result.leftOut.isEmpty ? "" : "，未续 \(result.leftOut.count) 人")
              + " / renews \(result.plan.enrollments.count) of \(line.members)")
          for person in result.leftOut { text.append("      未续 not renewed: \(person.name)：\(person.reason.zh)") }
        case .alreadyRenewed:
          text.append("  \(line.unit.name)：已续保，跳过 / renewed already, skipped")
        case .refused(let errors):
          refused += 1
          text.append(
            "  \(line.unit.name)：不能续保 / cannot renew: " + errors.map { $0.message.zh }.joined(separator: "；"))
        }
      }
      let head =
        dryRun
        ? "试运行：\(lines.count) 个单位，可续保 \(renewing)，不能续保 \(refused)，未写入 / dry run: \(lines.count) units, \(renewing) renew, \(refused) refused; nothing written"
        : "已续保 \(renewing) 个单位，不能续保 \(refused) / renewed \(renewing) units, \(refused) refused"
      // A unit the rules refused is for someone to look at: the exit code says so.
      return (([head] + text).joined(separator: "\n"), refused == 0)
    }
  }
}

extension Tasks {
  /// The two take-over sheets.
  public enum TakeOverSheet: String, Sendable {
    case cover
    case paidClaims = "paid-claims"
  }

  /// `huzhu import cover|paid-claims FILE --scheme S --as USER`: checks the sheet and, unless
  /// `dryRun`, takes it over (all rows or none).
  public static func takeOver(
    _ configuration: AppConfiguration, sheet: TakeOverSheet, file: String, scheme: String, operatorName: String,
    dryRun: Bool
  ) async throws -> (text: String, succeeded: Bool) {
    let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
    return try await asOperator(configuration, operatorName) { services, actor in
      let takeOvers = TakeOvers(services, actor: actor)
      let errors: [FieldError]
      let count: Int
      let summary: String
      switch sheet {
      case .cover:
        let preview = try await takeOvers.cover(bytes, scheme: scheme, commit: false)
        errors = preview.allErrors
        count = preview.rows.count
        let units = Set(preview.rows.compactMap { $0.unit?.id }).count
        summary = "\(count) 名参保人，\(units) 个单位 / \(count) members of \(units) units"
      case .paidClaims:
        let preview = try await takeOvers.paidClaims(bytes, scheme: scheme, commit: false)
        errors = preview.allErrors
        count = preview.rows.count
        let total = preview.rows.reduce(Money.zero) { $0 + $1.amount }
        summary = "\(count) 笔给付，合计 \(total.formatted) / \(count) paid claims, \(total.formatted) in all"
      }
      var lines = ["读取 / read: \(summary)；错误 \(errors.count) 处 / \(errors.count) errors"]
      for error in errors { lines.append("  错误 error: \(error.message.zh) / \(error.message.en)") }
      guard errors.isEmpty, count > 0 else {
        lines.append("未写入任何数据，请修改后重新导入 / nothing was written: fix the file and import it again")
        return (lines.joined(separator: "\n"), false)
      }
      if dryRun {
        lines.append("试运行：未写入 / dry run: nothing written")
        return (lines.joined(separator: "\n"), true)
      }
      switch sheet {
      case .cover: _ = try await takeOvers.cover(bytes, scheme: scheme, commit: true)
      case .paidClaims: _ = try await takeOvers.paidClaims(bytes, scheme: scheme, commit: true)
      }
      lines.append("已迁移 / taken over: \(summary)")
      return (lines.joined(separator: "\n"), true)
    }
  }
}
