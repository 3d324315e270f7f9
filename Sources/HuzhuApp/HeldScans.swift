import Foundation
import HuzhuCore

/// Scans held while the form they came with is refused, so that nobody chooses them again: each
/// is stored by content and named to the form by a sealed token (its checksum, kind and file
/// name, who held it, until when) that only this installation can make or read. A token that
/// is altered, someone else's, for another kind or out of date names nothing.
///
/// A held scan that never becomes a claim's stays in the file store like a roster previewed and
/// never imported (nothing removes unreferenced files yet).
public struct HeldScans: Sendable {
  /// A scan the form shows as kept: its kind, its name, and the token the form sends back.
  public struct Held: Sendable, Equatable {
    public let kind: String
    public let fileName: String
    public let token: String
  }

  /// How long a refused form's scans stay usable from it.
  public static let lifetime: TimeInterval = 24 * 3600

  let services: AppServices
  /// Who the scans are held for (`account:<name>`, `worker:<id>`): a token of another is void.
  let holder: String

  public init(_ services: AppServices, holder: String) {
    self.services = services
    self.holder = holder
  }

  private struct Sealed: Codable {
    let sha256: String
    let kind: String
    let fileName: String
    let holder: String
    let until: Double
  }

  /// Holds the scans whose format is one a claim takes (the others are the form's errors), by
  /// kind.
  public func hold(_ scans: [Claims.Scan], now: Date) throws -> [String: Held] {
    var held: [String: Held] = [:]
    for scan in scans {
      guard case .success = DocumentFormat.detect(scan.bytes) else { continue }
      let sha256 = Documents.checksum(scan.bytes)
      try services.documents.save(scan.bytes, sha256: sha256)
      let fileName = scan.fileName ?? scan.kind
      let sealed = Sealed(
        sha256: sha256, kind: scan.kind, fileName: fileName, holder: holder,
        until: now.addingTimeInterval(Self.lifetime).timeIntervalSince1970)
      held[scan.kind] = Held(
        kind: scan.kind, fileName: fileName, token: try services.secrets.seal(Array(JSONEncoder().encode(sealed))))
    }
    return held
  }

  /// The scans that `tokens` (by kind) name, each checked: sealed here, for this holder and
  /// this kind, still in time, its file still there and unchanged.
  public func scans(_ tokens: [String: String], now: Date) -> [Claims.Scan] {
    tokens.sorted { $0.key < $1.key }.compactMap { kind, token in
      guard token.count <= 4096, let opened = services.secrets.open(token),
        let sealed = try? JSONDecoder().decode(Sealed.self, from: Data(opened)),
        sealed.holder == holder, sealed.kind == kind, now.timeIntervalSince1970 <= sealed.until,
        let bytes = try? services.documents.load(sha256: sealed.sha256), Documents.checksum(bytes) == sealed.sha256
      else { return nil }
      return Claims.Scan(kind: kind, fileName: sealed.fileName, bytes: bytes)
    }
  }
}
