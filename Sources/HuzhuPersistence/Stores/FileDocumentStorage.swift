import Foundation
import HuzhuCore

/// Scans on disk under the data directory, one file per checksum (`documents/ab/abcdef…`):
/// the same scan uploaded twice is kept once, and a stored file is never overwritten.
public struct FileDocumentStorage: DocumentStorage {
  let root: URL

  public init(directory: String) {
    root = URL(fileURLWithPath: directory, isDirectory: true)
  }

  func url(for sha256: String) throws -> URL {
    guard sha256.count == 64, sha256.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
      throw ValidationFailure([
        FieldError(
          field: "sha256", code: "invalid_checksum", message: LocalizedText(zh: "校验值无效", en: "invalid checksum"))
      ])
    }
    return root.appendingPathComponent(String(sha256.prefix(2)), isDirectory: true).appendingPathComponent(sha256)
  }

  public func save(_ data: Data, sha256: String) throws {
    let file = try url(for: sha256)
    if FileManager.default.fileExists(atPath: file.path) { return }
    try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
    // Written aside and moved into place, so a crash never leaves half a file under the name.
    let partial = file.appendingPathExtension("partial-\(UUID().uuidString)")
    try data.write(to: partial)
    do {
      try FileManager.default.moveItem(at: partial, to: file)
    } catch where FileManager.default.fileExists(atPath: file.path) {
      try? FileManager.default.removeItem(at: partial)
    }
  }

  /// Moves `file` (already checked to hash to `sha256`) into place, keeping a file stored
  /// under that name already (a restore; the same content either way).
  public func place(_ file: URL, sha256: String) throws {
    let destination = try url(for: sha256)
    if FileManager.default.fileExists(atPath: destination.path) { return }
    try FileManager.default.createDirectory(
      at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
    try FileManager.default.moveItem(at: file, to: destination)
  }

  public func load(sha256: String) throws -> Data {
    try Data(contentsOf: try url(for: sha256))
  }

  public func remove(sha256: String) throws {
    let file = try url(for: sha256)
    guard FileManager.default.fileExists(atPath: file.path) else { return }
    try FileManager.default.removeItem(at: file)
  }
}
