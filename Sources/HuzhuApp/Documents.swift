import Crypto
import Foundation
import HuzhuCore
import HuzhuPersistence

/// Files kept by content (scans, rosters between preview and import): stored once under their
/// SHA-256, whoever uploads them how often.
struct Documents: Sendable {
  let services: AppServices

  init(_ services: AppServices) {
    self.services = services
  }

  static func checksum(_ bytes: Data) -> String {
    SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
  }

  /// Stores `bytes` and returns their checksum, the name they are kept under.
  func store(_ bytes: Data) async throws -> String {
    let checksum = Self.checksum(bytes)
    try services.documents.save(bytes, sha256: checksum)
    return checksum
  }
}

extension Documents {
  /// Keeps an uploaded spreadsheet until its import; one past the sheet file limit is refused
  /// before it reaches the disk (nobody would import it, and it would stay there).
  func keepSheet(_ bytes: Data, empty: LocalizedText) async throws -> String {
    guard !bytes.isEmpty else {
      throw ValidationFailure([FieldError(field: "file", code: "empty_body", message: empty)])
    }
    let limit = services.limits.sheet.fileBytes
    guard bytes.count <= limit else {
      throw ValidationFailure([
        FieldError(
          field: "file", code: "too_large",
          message: LocalizedText(
            zh: "文件大小超过 \(limit >> 20) MB 的上限", en: "the file is larger than the limit of \(limit >> 20) MB"))
      ])
    }
    return try await store(bytes)
  }

  /// A spreadsheet kept between its preview and its import; only a 64-hex-digit name ever
  /// reaches the file store.
  func kept(_ file: String) throws -> Data {
    guard file.count == 64, file.allSatisfy(\.isHexDigit), let data = try? services.documents.load(sha256: file) else {
      throw ValidationFailure([
        FieldError(
          field: "file", code: "upload_expired",
          message: LocalizedText(zh: "找不到上传的文件，请重新上传", en: "the uploaded file is gone; upload it again"))
      ])
    }
    return data
  }

  /// Forgets a kept spreadsheet once imported, unless a claim's scan is the same file.
  func forget(_ file: String) async throws {
    if !(try await FluentClaimStore(database: services.database).documentExists(sha256: file)) {
      try? services.documents.remove(sha256: file)
    }
  }
}
