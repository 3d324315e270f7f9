import HuzhuApp
import HuzhuCore
import Vapor

/// The request body each kind of route collects before its handler runs; a larger body is
/// refused with 413 while it streams in. Uploads follow the configured ``InputLimits``; the
/// rest are fixed.
enum BodyLimits {
  /// Room for a multipart form's fields and boundaries around its file.
  static let formOverhead = 1 << 20

  /// A roster upload (the file itself through the API, or inside a form).
  static func roster(_ limits: InputLimits) -> ByteCount { .init(value: limits.sheet.fileBytes + formOverhead) }

  /// One scan of a claim document (``DocumentFormat/maximumBytes``).
  static let scan = ByteCount(value: DocumentFormat.maximumBytes + formOverhead)
  /// A claim form with its scans (window intake and the portal).
  static let claimForm: ByteCount = "45mb"
  /// A draft scheme file for the what-if.
  static let schemeDraft: ByteCount = "2mb"
  /// A settlement feed request: 1,000 records of a few kilobytes each.
  static let settlementFeed: ByteCount = "4mb"
  /// A batch of claims through the API: 1,000 intakes of a kilobyte or two each.
  static let claimBatch: ByteCount = "4mb"
  /// Everything else: JSON and forms of fields.
  static let standard: ByteCount = "1mb"

  /// The largest body any route takes: what the cross-site check may collect to read a form.
  static func largest(_ limits: InputLimits) -> Int {
    [roster(limits), scan, claimForm, schemeDraft, settlementFeed, claimBatch, standard].map(\.value).max()
      ?? standard.value
  }
}
