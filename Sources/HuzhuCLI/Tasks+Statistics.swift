import Foundation
import HuzhuApp
import HuzhuCore
import HuzhuPersistence
import HuzhuSchemeFiles
import HuzhuWeb
import Vapor

extension Tasks {
  /// The demo data (without its history) and a generated province on top, for measuring at
  /// scale; prints the demo accounts and `sim-leader`, a leader at the province's office.
  public static func seedProvince(_ configuration: AppConfiguration, scale: ProvinceScale) async throws -> String {
    var configuration = configuration
    configuration.loadsDemoData = true
    configuration.loadsDemoHistory = false
    try configuration.prepareDataDirectory()
    var message = ""
    try await withApplication(configuration) { app in
      guard let administrator = try await bootstrap(app) else {
        message = "数据库中已有数据，未生成 / the database already has data; nothing generated"
        return
      }
      let (_, template) = try BundledSchemes.definition("anyang")
      let hash = try app.password.hash(administrator.password)
      let start = ContinuousClock.now
      let summary = try await ProvinceGenerator.generate(
        scale, template: template, database: app.db, leaderPasswordHash: hash, calendar: .publishedChina
      ) { print("生成中 generating · \($0)") }
      message =
        AdministratorBanner.text(administrator)
        + "\n模拟省已生成 / province generated in \(ContinuousClock.now - start): \(summary.units) units, "
        + "\(summary.members) members, \(summary.enrollments) enrollments, \(summary.claims) claims "
        + "(sign in as sim-leader with the same password)"
    }
    return message
  }

  /// What the changed rules would have paid for the claims of `period`, and what it does to
  /// the fund: `scheme` is a stored scheme's code (then `changes` edit one product version's
  /// numbers) or a draft scheme file (its code names the stored scheme it replaces).
  public static func simulate(
    _ configuration: AppConfiguration, scheme: String, period: ReportPeriod, organisation: String?,
    product: String?, version: String?, changes: [String: String], today: CalendarDate = .today()
  ) async throws -> String {
    var text = ""
    try await withMigratedApplication(configuration) { app in
      let services = app.services(clock: .fixed(today))
      let all = try await Registry(services, actor: .system()).organisations()
      let actor = Actor.system("命令行 / command line", organisations: all)
      var changed: SchemeDefinition
      if FileManager.default.fileExists(atPath: scheme) {
        let source = try String(contentsOfFile: scheme, encoding: .utf8)
        changed = try SchemeFile.decode(SchemeDefinition.self, yaml: source, file: scheme)
      } else if let stored = try? await Schemes(services, actor: actor).scheme(code: scheme) {
        changed = stored.definition
      } else {
        throw ValidationFailure([
          FieldError(
            field: "scheme", code: "unknown_scheme",
            message: LocalizedText(zh: "没有方案或文件“\(scheme)”", en: "no scheme or file \"\(scheme)\""))
        ])
      }
      if !changes.isEmpty {
        guard let product, let version else {
          throw ValidationFailure([
            FieldError(
              field: "set", code: "version_required",
              message: LocalizedText(zh: "修改参数需指定 --product 和 --version", en: "--set needs --product and --version"))
          ])
        }
        changed = try Reports.changing(changes, product: product, version: version, of: changed)
      }
      var node: Organisation.ID?
      if let organisation {
        guard let found = all.first(where: { $0.code == organisation }) else {
          throw ValidationFailure([
            FieldError(
              field: "org", code: "unknown_organisation",
              message: LocalizedText(zh: "没有机构“\(organisation)”", en: "no organisation \"\(organisation)\""))
          ])
        }
        node = found.id
      }
      let result = try await Reports(services, actor: actor).simulate(changed, period: period, node: node)
      text = report(result, scheme: changed.scheme.code, period: period)
    }
    return text
  }

  static func report(_ result: WhatIf.Result, scheme: String, period: ReportPeriod) -> String {
    func signed(_ money: Money) -> String { (money.fen > 0 ? "+" : "") + money.decimalString }
    var lines = [
      "方案 scheme \(scheme) · 期间 period \(period.description) · 测算申请 claims replayed \(result.claims)"
        + "（不予给付 refused \(result.refused)）",
      "",
    ]
    lines.append(
      TextTable.render(
        [
          ["", "现行规则 current", "调整后 changed", "差额 difference"],
          ["赔付金额 paid", result.before.decimalString, result.after.decimalString, signed(result.difference)],
          [
            "筹集 collected", result.collected.decimalString, result.collectedAfter.decimalString,
            signed(result.contributionChange),
          ],
          ["赔付率 loss ratio", result.lossRatioBefore.percentText(), result.lossRatioAfter.percentText(), ""],
          [
            "基金结余 fund balance", result.fundBalance.decimalString, result.fundBalanceAfter.decimalString,
            signed(result.fundBalanceAfter - result.fundBalance),
          ],
        ], rightAligned: [1, 2, 3], separatorsBefore: [1]))
    lines.append("")
    lines.append(
      "实际已付 actually paid \(result.actual.decimalString) · 筹集 collected \(result.collected.decimalString) · "
        + "参保人数 insured \(result.insuredPersons)")
    lines.append(
      "受影响职工 members affected \(result.membersAffected) / \(result.members) · "
        + "保本人均缴费 break-even per person \(result.breakEvenPerPerson.decimalString)"
        + "（现人均筹集 now \(result.collectedPerPerson.decimalString)）")
    lines.append(
      "不予给付将获给付 refused now paying \(result.refusedNowPaying) / \(result.refused)"
        + "（\(result.refusedNowPayingAmount.decimalString)）· 规则以外原因仍不给付 refusals standing \(result.refusalsStanding)"
        + " · 不再给付 paid now nothing \(result.paidNowNothing)")
    lines.append(
      "保本所需参保人数 members to break even \(result.membersToBreakEven.map { String($0) } ?? "—")"
        + " · 保本资金缺口 shortfall \(result.shortfall.decimalString)")
    if !result.byProduct.isEmpty {
      lines.append("")
      lines.append(
        TextTable.render(
          [["产品 product", "申请 claims", "现行 current", "调整后 changed", "差额 difference"]]
            + result.byProduct.map {
              [$0.label, String($0.claims), $0.before.decimalString, $0.after.decimalString, signed($0.difference)]
            }, rightAligned: [1, 2, 3, 4], separatorsBefore: [1]))
    }
    if !result.byUnit.isEmpty {
      lines.append("")
      lines.append(
        TextTable.render(
          [["单位 unit（差额最大的20家 top 20 by difference）", "申请 claims", "现行 current", "调整后 changed", "差额 difference"]]
            + result.byUnit.prefix(20).map {
              [$0.label, String($0.claims), $0.before.decimalString, $0.after.decimalString, signed($0.difference)]
            }, rightAligned: [1, 2, 3, 4], separatorsBefore: [1]))
    }
    for problem in result.problems.prefix(20) { lines.append("未能计算 not judged: \(problem)") }
    return lines.joined(separator: "\n")
  }
}
