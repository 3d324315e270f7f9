import FluentKit
import Foundation

/// A model written by the generator as a literal row rather than through Fluent's `create`:
/// Fluent finds a model's properties by reflection on every instance, which was a third of
/// the generation's time for the province's 400,000 bills, parts, payments and postings.
protocol LiteralRow: Model {
  /// The columns, in the order of ``literalRow(created:)``.
  static var literalColumns: [String] { get }
  /// The model's values, with `created` for its creation timestamp.
  func literalRow(created: LiteralInserter.Value) -> [LiteralInserter.Value]
}

extension LiteralRow {
  /// Refuses a model whose Fluent fields are not exactly the literal columns, so that a field
  /// added to the model cannot be silently left out of generated rows.
  static func checkLiteralColumns() throws {
    let fields = Set(keys.map(\.description))
    guard fields == Set(literalColumns) else {
      throw GeneratorColumnsMismatch(
        table: schema, missing: fields.subtracting(literalColumns).sorted(),
        extra: Set(literalColumns).subtracting(fields).sorted())
    }
  }
}

struct GeneratorColumnsMismatch: Error, CustomStringConvertible {
  let table: String
  let missing: [String]
  let extra: [String]

  var description: String {
    "the generator's rows for \(table) miss \(missing) and have extra \(extra)"
  }
}

extension LiteralInserter {
  /// Inserts the models as literal rows, created `now`.
  func insert<Row: LiteralRow>(_ models: [Row], now: Date) async throws {
    let created = Value.written(literal(.timestamp(now)))
    try await insert(
      into: Row.schema, columns: Row.literalColumns, rows: models.map { $0.literalRow(created: created) })
  }
}

extension LiteralInserter.Value {
  static func optional(_ text: String?) -> Self { text.map { .text($0) } ?? .null }
  static func optional(_ id: UUID?) -> Self { id.map { .uuid($0) } ?? .null }
}

extension BillModel: LiteralRow {
  static let literalColumns = [
    "id", "number", "scheme_code", "product_code", "version_label", "unit_id", "period_start", "period_end",
    "issued_on", "price_per_share", "rounding", "split", "member_count", "total_due", "settled_on", "lock_version",
    "organisation_id", "created_at",
  ]

  func literalRow(created: LiteralInserter.Value) -> [LiteralInserter.Value] {
    [
      .optional(id), .text(number), .text(schemeCode), .text(productCode), .text(versionLabel), .optional(unitID),
      .text(periodStart), .text(periodEnd), .text(issuedOn), .int(pricePerShare), .text(rounding), .text(split),
      .int(Int64(memberCount)), .int(totalDue), .optional(settledOn), .int(lockVersion), .optional(organisationID),
      created,
    ]
  }
}

extension BillPartModel: LiteralRow {
  static let literalColumns = ["id", "bill_id", "payer_type", "payer_name", "amount_due"]

  func literalRow(created: LiteralInserter.Value) -> [LiteralInserter.Value] {
    [.optional(id), .uuid(billID), .text(payerType), .optional(payerName), .int(amountDue)]
  }
}

extension PaymentModel: LiteralRow {
  static let literalColumns = [
    "id", "bill_id", "receipt_number", "payer_type", "payer_name", "amount", "paid_on", "reference", "recorded_by",
    "idempotency_key", "fingerprint", "created_at",
  ]

  func literalRow(created: LiteralInserter.Value) -> [LiteralInserter.Value] {
    [
      .optional(id), .uuid(billID), .text(receiptNumber), .text(payerType), .optional(payerName), .int(amount),
      .text(paidOn), .text(reference), .text(recordedBy), .optional(idempotencyKey), .text(fingerprint),
      created,
    ]
  }
}

extension FundEntryModel: LiteralRow {
  static let literalColumns = [
    "id", "scheme_code", "product_code", "version_label", "posted_on", "kind", "payer_type", "amount", "source_id",
    "memo", "created_at",
  ]

  func literalRow(created: LiteralInserter.Value) -> [LiteralInserter.Value] {
    [
      .optional(id), .text(schemeCode), .text(productCode), .text(versionLabel), .text(postedOn), .text(kind),
      .optional(payerType), .int(amount), .text(sourceID), .text(memo), created,
    ]
  }
}
