import Fluent
import Foundation
import HuzhuCore
import SQLKit

/// The ledger's own entries and closed periods. The rules are the core's
/// (``FundLedgerRules``); this store gathers the facts inside the transaction that writes.
///
/// A close and a posting never interleave: on PostgreSQL the close locks the ledger against
/// inserts before it sums the period (an insert already under way finishes first and is
/// summed, one arriving later waits and is then refused by the closed-period trigger); on
/// SQLite the write transaction holds the only write lock.
public struct FluentFundStore: Sendable {
  let database: any Database

  public init(database: any Database) {
    self.database = database
  }

  public func closes(scheme: String) async throws -> [FundPeriodClose] {
    try await closes(schemes: [scheme])
  }

  /// The closed periods of `schemes`, in one query.
  public func closes(schemes: [String]) async throws -> [FundPeriodClose] {
    guard !schemes.isEmpty else { return [] }
    return try await FundPeriodCloseModel.query(on: database).filter(\.$schemeCode ~~ schemes).sort(\.$closedOn)
      .all().map { try $0.domain() }
  }

  /// Each product's balance in one period of a scheme.
  static func balances(scheme: String, version: String, on database: any Database) async throws -> [String: Money] {
    guard let sql = database as? any SQLDatabase else { preconditionFailure("Huzhu runs on SQL databases") }
    struct Row: Decodable {
      let product_code: String
      let total: Int64
    }
    let rows = try await sql.select().column("product_code")
      .column(SQLRaw("CAST(SUM(amount) AS BIGINT)"), as: "total")
      .from(FundEntryModel.schema).where("scheme_code", .equal, scheme).where("version_label", .equal, version)
      .groupBy("product_code").all(decoding: Row.self)
    return Dictionary(uniqueKeysWithValues: rows.map { ($0.product_code, Money(fen: $0.total)) })
  }

  /// Claims of a period lodged and not yet paid or rejected: the period's versions are read
  /// from each claim's explanation.
  static func unsettledClaims(scheme: String, version: String, on database: any Database) async throws -> Int {
    let lodged: [ClaimState] = [.submitted, .returned, .reviewed, .approved, .inPayment]
    let rows = try await ClaimModel.query(on: database).filter(\.$schemeCode == scheme)
      .filter(\.$state ~~ lodged.map(\.rawValue)).all()
    return try rows.filter { row in
      try row.domain().explanation?.outcomes.contains { $0.version == version } ?? false
    }.count
  }

  /// The closed periods of a scheme, read inside the transaction that posts.
  static func closedVersions(scheme: String, on database: any Database) async throws -> Set<String> {
    Set(try await FundPeriodCloseModel.query(on: database).filter(\.$schemeCode == scheme).all().map(\.versionLabel))
  }

  /// Refuses money into a closed period with the rule's own words (the trigger is the
  /// backstop for a close racing this transaction).
  static func refuseClosed(scheme: String, versions: Set<String>, on database: any Database) async throws {
    guard !versions.isEmpty else { return }
    let closed = try await FundPeriodCloseModel.query(on: database).filter(\.$schemeCode == scheme)
      .filter(\.$versionLabel ~~ Array(versions)).first()
    if let closed {
      throw ValidationFailure([FundLedgerRules.closedPeriod(scheme: scheme, version: closed.versionLabel)])
    }
  }

  /// Posts a product's opening balance for a period, once.
  public func postOpeningBalance(
    _ amount: Money, scheme: CompiledScheme, product: String, version: String, reference: String,
    postedOn: CalendarDate
  ) async throws -> FundEntry {
    let duplicate = ValidationFailure([
      FieldError(
        field: "product", code: "opening_balance_exists",
        message: LocalizedText(zh: "期初结余刚刚已登记", en: "the opening balance was just posted"))
    ])
    return try await mappingConstraintFailure(to: duplicate) {
      try await database.writeTransaction { transaction in
        let closed =
          try await FundPeriodCloseModel.query(on: transaction).filter(\.$schemeCode == scheme.code)
          .filter(\.$versionLabel == version).count() > 0
        let opened =
          try await FundEntryModel.query(on: transaction).filter(\.$kind == FundEntryKind.openingBalance.rawValue)
          .filter(
            \.$sourceID == FundLedgerRules.openingSource(scheme: scheme.code, product: product, version: version)
          ).count() > 0
        let entry = try FundLedgerRules.openingBalance(
          amount, scheme: scheme, product: product, version: version, reference: reference, postedOn: postedOn,
          closed: closed, alreadyOpened: opened)
        try await FundEntryModel(entry).create(on: transaction)
        return entry
      }
    }
  }

  /// What a close of `version` would post, without posting it: the entries, or every reason
  /// it would be refused.
  public func previewClose(scheme: CompiledScheme, version: String, reference: String, closedOn: CalendarDate)
    async throws -> (close: FundPeriodClose, entries: [FundEntry])
  {
    try await plan(
      scheme: scheme, version: version, reference: reference, closedOn: closedOn, closedBy: "", on: database)
  }

  /// Closes a period: its balance per product carried to the product's next version, the
  /// period shut to every later entry.
  public func close(
    scheme: CompiledScheme, version: String, reference: String, closedOn: CalendarDate, closedBy: String
  ) async throws -> (close: FundPeriodClose, entries: [FundEntry]) {
    try await mappingConstraintFailure(
      to: ValidationFailure([FundLedgerRules.closedPeriod(scheme: scheme.code, version: version)])
    ) {
      try await database.writeTransaction { transaction in
        guard let sql = transaction as? any SQLDatabase else { preconditionFailure("Huzhu runs on SQL databases") }
        if sql.dialect.name != "sqlite" {
          try await sql.raw("LOCK TABLE fund_entries IN SHARE ROW EXCLUSIVE MODE").run()
        }
        let planned = try await plan(
          scheme: scheme, version: version, reference: reference, closedOn: closedOn, closedBy: closedBy,
          on: transaction)
        for entry in planned.entries {
          try await FundEntryModel(entry).create(on: transaction)
        }
        try await FundPeriodCloseModel(planned.close).create(on: transaction)
        return planned
      }
    }
  }

  private func plan(
    scheme: CompiledScheme, version: String, reference: String, closedOn: CalendarDate, closedBy: String,
    on database: any Database
  ) async throws -> (close: FundPeriodClose, entries: [FundEntry]) {
    let closed = try await FundPeriodCloseModel.query(on: database).filter(\.$schemeCode == scheme.code).all()
    return try FundLedgerRules.close(
      scheme: scheme, version: version,
      balances: try await Self.balances(scheme: scheme.code, version: version, on: database),
      unsettledClaims: try await Self.unsettledClaims(scheme: scheme.code, version: version, on: database),
      reference: reference, closedOn: closedOn, closedBy: closedBy, closed: Set(closed.map(\.versionLabel)))
  }
}

final class FundPeriodCloseModel: Model, @unchecked Sendable {
  static let schema = M023_FundPeriods.closes

  @ID(key: .id) var id: UUID?
  @Field(key: "scheme_code") var schemeCode: String
  @Field(key: "version_label") var versionLabel: String
  @Field(key: "closed_on") var closedOn: String
  @Field(key: "closed_by") var closedBy: String
  @Field(key: "reference") var reference: String
  @Timestamp(key: "created_at", on: .create) var createdAt: Date?

  init() {}

  init(_ close: FundPeriodClose) {
    id = UUID()
    schemeCode = close.schemeCode
    versionLabel = close.versionLabel
    closedOn = close.closedOn.description
    closedBy = close.closedBy
    reference = close.reference
  }

  func domain() throws -> FundPeriodClose {
    FundPeriodClose(
      schemeCode: schemeCode, versionLabel: versionLabel, closedOn: try date(closedOn, column: "closed_on"),
      closedBy: closedBy, reference: reference)
  }
}
