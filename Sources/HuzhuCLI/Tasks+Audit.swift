import Foundation
import HuzhuApp
import HuzhuCore
import HuzhuWeb
import Vapor

extension Tasks {
  public struct AuditReport: Sendable {
    public let text: String
    /// False when the chain (or the archive) shows a removed or altered entry.
    public let intact: Bool
  }

  /// Verifies the audit chain of the database, or of an archive a prune wrote. The head it
  /// prints is the anchor to keep outside the database (and to pass as `--anchor` later): a
  /// chain rewritten from some entry onwards no longer holds it.
  public static func verifyAudit(
    _ configuration: AppConfiguration, anchors: [AuditChain.Head], archive: String?
  ) async throws -> AuditReport {
    let verification: AuditChainCheck.Verification
    if let archive {
      verification = try AuditChainCheck.verify(archive: try Data(contentsOf: URL(fileURLWithPath: archive)))
    } else {
      var found: AuditChainCheck.Verification?
      try await withMigratedApplication(configuration) { app in
        found = try await AuditChainCheck(app.services()).verify(anchors: anchors)
      }
      verification = found!
    }
    var lines: [String] = []
    if verification.start != .beginning {
      lines.append(
        "保存期前的记录已归档，链从第 \(verification.start.sequence) 条开始 / kept chain starts at entry \(verification.start.sequence)")
    }
    lines.append("已核验 checked: \(verification.checked) 条 entries")
    if let head = verification.head { lines.append("链头 head (anchor): \(head)") }
    if verification.intact {
      lines.append("审计链完整 / the audit chain is intact")
    } else {
      lines.append("审计链已被破坏 / THE AUDIT CHAIN IS DAMAGED:")
      lines += verification.findings.map { "  - \($0)" }
    }
    return AuditReport(text: lines.joined(separator: "\n"), intact: verification.intact)
  }

  /// Archives and removes the audit entries older than the configured retention, as the audit
  /// administrator `operatorName`.
  public static func pruneAudit(
    _ configuration: AppConfiguration, operatorName: String, archive: String
  ) async throws -> String {
    var text = ""
    try await withMigratedApplication(configuration) { app in
      let services = app.services()
      guard let actor = try await Actors(services).operator(username: operatorName, address: "cli") else {
        text = "没有操作员账号“\(operatorName)” / no operator account \"\(operatorName)\""
        return
      }
      do {
        let pruned = try await AuditChainCheck(services).prune(
          keeping: configuration.auditRetention, archive: archive, as: actor)
        guard let through = pruned.through else {
          text =
            "没有超过保存期（\(configuration.auditRetention.days) 天）的记录 / nothing older than \(configuration.auditRetention.days) days"
          try? FileManager.default.removeItem(atPath: archive)
          return
        }
        text = """
          已归档并删除 \(pruned.removed) 条（至第 \(through.sequence) 条）/ archived and removed \(pruned.removed) entries through \(through.sequence)
          归档文件 archive: \(archive)  sha256:\(pruned.archiveDigest)
          """
      } catch UseCaseError.forbidden {
        text = "“\(operatorName)”不是审计管理员 / \"\(operatorName)\" is not an audit administrator"
      }
    }
    return text
  }
}
