import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuSpreadsheet

/// One-stop claims (一站式结算): the medical-insurance bureau's or a hospital's settlement records
/// in, by file (XLSX, CSV in UTF-8 or GBK, JSON lines) or by the HTTP feed, each matched to a
/// member and their cover and made a claim without papers; what cannot go on alone is held in
/// the exceptions queue for staff (docs/settlements.md).
public struct Settlements: UseCase {
  let services: AppServices
  let actor: Actor

  public init(_ services: AppServices, actor: Actor) {
    self.services = services
    self.actor = actor
  }

  var store: FluentSettlementStore { settlementStore }

  /// Records one feed request takes.
  public static let feedLimit = 1_000

  /// A bureau's month is wide (36 columns in the sample) and may hold as many records as a
  /// roster has rows, below title lines: twice the cells (and the inflated sheet), and 25 rows more,
  /// than a roster.
  static func sheetLimits(_ limits: SheetLimits) -> SheetLimits {
    var wider = limits
    wider.rows = limits.rows + 25
    wider.cells = limits.cells * 2
    wider.expandedBytes = limits.expandedBytes * 2
    return wider
  }

  // MARK: Sources

  public func sources() async throws -> [SettlementSource] {
    try actor.require(.viewClaims)
    return try await store.sources()
  }

  /// A new source for a scheme in the actor's reach, kept by the actor's node, read with
  /// `layout` (JSON, docs/settlements.md) or the built-in headers.
  public func createSource(code: String, name: String, scheme: String, layout json: Data?) async throws
    -> SettlementSource
  {
    try actor.require(.manageSchemes)
    var layout = SettlementLayout.standard
    if let json, !json.isEmpty {
      guard json.count <= 64 << 10, let decoded = try? JSONDecoder().decode(SettlementLayout.self, from: json) else {
        throw ValidationFailure([
          FieldError(
            field: "layout", code: "invalid_layout",
            message: LocalizedText(
              zh: "列映射应为 JSON（至多64 KB）：{\"columns\": {字段: [表头…]}, \"values\": {字段: {文字: 代码}}}",
              en:
                "the mapping is JSON (at most 64 KB): {\"columns\": {field: [header…]}, \"values\": {field: {word: code}}}"
            ))
        ])
      }
      layout = decoded
    }
    guard let node = actor.organisation?.id ?? actor.organisations.first(where: { $0.parentID == nil })?.id else {
      throw ValidationFailure([
        FieldError(
          field: "organisation", code: "no_node",
          message: LocalizedText(zh: "没有可归属的组织", en: "no organisation to keep the source"))
      ])
    }
    _ = try await ClaimContexts(services: services, actor: actor).scheme(scheme)
    let source = SettlementSource(
      code: code.trimmingCharacters(in: .whitespacesAndNewlines),
      name: name.trimmingCharacters(in: .whitespacesAndNewlines), organisationID: node, schemeCode: scheme,
      layout: layout)
    let errors = source.validate()
    guard errors.isEmpty else { throw ValidationFailure(errors) }
    try await store.create(source, by: actor.name)
    try await audit.record(
      .dataChange, subject: "settlement-source:\(source.code)", detail: "settlement source for scheme \(scheme)")
    return source
  }

  func source(_ code: String) async throws -> SettlementSource {
    guard let source = try await store.source(code: code) else {
      throw ValidationFailure([
        FieldError(
          field: "source", code: "unknown_source",
          message: LocalizedText(
            zh: "没有编码为“\(code.prefix(40))”的数据来源", en: "no settlement source \"\(code.prefix(40))\""))
      ])
    }
    return source
  }

  // MARK: Receiving

  /// A file as the bureau exported it: XLSX or CSV (by content), or JSON lines when it starts
  /// with `{`. With `dryRun`, everything is decided and nothing kept.
  public func receive(file bytes: Data, fileName: String?, source code: String, dryRun: Bool) async throws
    -> SettlementReceipt
  {
    try actor.require(.intakeClaims)
    let source = try await source(code)
    guard !bytes.isEmpty else { throw RosterImports.emptyFile }
    let file: SettlementFile
    if bytes.first(where: { ![0x20, 0x0A, 0x0D, 0x09, 0xEF, 0xBB, 0xBF].contains($0) }) == UInt8(ascii: "{") {
      guard bytes.count <= services.limits.sheet.fileBytes else {
        throw ValidationFailure([
          FieldError(
            field: "file", code: "too_large",
            message: LocalizedText(
              zh: "文件超过 \(services.limits.sheet.fileBytes >> 20) MB",
              en: "the file is over \(services.limits.sheet.fileBytes >> 20) MB"))
        ])
      }
      file = SettlementReader.read(jsonLines: bytes, layout: source.layout, today: services.today)
    } else {
      let cells = try RosterImports.sheet(bytes, limits: Self.sheetLimits(services.limits.sheet)).rosterCells
      file = SettlementReader.read(cells, layout: source.layout, today: services.today)
    }
    guard file.fileErrors.isEmpty else { throw ValidationFailure(file.fileErrors) }
    let checksum = dryRun ? nil : try await Documents(services).store(bytes)
    let receipt = try await apply(
      file, source: source, channel: "file", fileName: fileName, sha256: checksum, dryRun: dryRun)
    if !dryRun {
      try await audit.record(
        .dataChange, subject: "settlements:\(source.code)",
        detail: "settlement file \(checksum?.prefix(16) ?? ""): \(Self.summary(receipt))")
    }
    return receipt
  }

  /// Keeps an uploaded file by its SHA-256 between the page's dry run and its import.
  public func keep(_ bytes: Data) async throws -> String {
    try actor.require(.intakeClaims)
    return try await Documents(services).keepSheet(
      bytes, empty: LocalizedText(zh: "请上传结算文件（XLSX、CSV 或 JSON lines）", en: "send the settlement file"))
  }

  /// A kept file (``keep(_:)``), tried or imported.
  public func receive(kept file: String, source code: String, dryRun: Bool) async throws -> SettlementReceipt {
    try actor.require(.intakeClaims)
    return try await receive(file: try Documents(services).kept(file), fileName: nil, source: code, dryRun: dryRun)
  }

  /// A feed request: `{"records": [ {...}, ... ]}`, at most ``feedLimit`` records, each keyed
  /// by its settlement ID (sending it again changes nothing; other values are a correction).
  public func feed(_ body: Data, source code: String) async throws -> SettlementReceipt {
    try actor.require(.intakeClaims)
    // The source is the request's resource: one this account cannot see (another
    // federation's, or none) is not found, as any other resource outside its scope.
    guard let source = try await store.source(code: code) else { throw UseCaseError.notFound }
    guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
      let records = object["records"] as? [Any]
    else {
      throw ValidationFailure([
        FieldError(
          field: "records", code: "invalid_body",
          message: LocalizedText(zh: "请求体应为 {\"records\": [结算记录…]}", en: "the body is {\"records\": [settlement…]}"))
      ])
    }
    guard (1...Self.feedLimit).contains(records.count) else {
      throw ValidationFailure([
        FieldError(
          field: "records", code: "invalid_count",
          message: LocalizedText(
            zh: "每次发送1–\(Self.feedLimit)条结算记录", en: "send 1–\(Self.feedLimit) settlements per request"))
      ])
    }
    let file = SettlementReader.read(
      objects: records.enumerated().map { ($0.offset + 1, $0.element) }, layout: source.layout, today: services.today)
    let receipt = try await apply(file, source: source, channel: "feed", fileName: nil, sha256: nil, dryRun: false)
    try await audit.record(
      .dataChange, subject: "settlements:\(source.code)", detail: "settlement feed: \(Self.summary(receipt))")
    return receipt
  }

  func apply(
    _ file: SettlementFile, source: SettlementSource, channel: String, fileName: String?, sha256: String?, dryRun: Bool
  ) async throws -> SettlementReceipt {
    let context = try await ClaimContexts(services: services, actor: actor).context(scheme: source.schemeCode)
    var receipt = try await store.receive(
      file, from: source, channel: channel, fileName: fileName.map { String($0.prefix(200)) }, sha256: sha256,
      context: context, dryRun: dryRun)
    let refused = file.rows.filter { $0.record == nil }.map {
      SettlementOutcome(row: $0.number, settlementId: nil, result: .refused)
    }
    receipt = SettlementReceipt(
      batchID: receipt.batchID, outcomes: (receipt.outcomes + refused).sorted { $0.row < $1.row },
      rowErrors: receipt.rowErrors)
    return receipt
  }

  static func summary(_ receipt: SettlementReceipt) -> String {
    SettlementOutcome.Result.allCases.filter { receipt[$0] > 0 }.map { "\($0.rawValue) \(receipt[$0])" }
      .joined(separator: ", ")
  }

  // MARK: The exceptions queue

  public func queue(exception: SettlementException?, page: PageQuery) async throws -> PagedResult<StoredSettlement> {
    try actor.require(.viewClaims)
    return try await store.queue(exception: exception, page: page)
  }

  /// Share of claims paid without papers, straight-through approvals, days from settlement to payment.
  public func figures() async throws -> OneStopFigures {
    try actor.require(.viewClaims)
    return try await store.figures()
  }

  public func heldCounts() async throws -> [SettlementException: Int] {
    try actor.require(.viewClaims)
    return try await store.heldCounts()
  }

  public func settlement(_ id: StoredSettlement.ID) async throws -> (StoredSettlement, [SettlementEvent]) {
    try actor.require(.viewClaims)
    guard let found = try await store.settlement(id) else { throw UseCaseError.notFound }
    try await audit.record(
      .personalDataView, subject: "settlement:\(id)",
      detail: "settlement \(found.0.record.settlementId): diagnoses, costs")
    return found
  }

  /// The settlement a claim was made from, for the claim's page.
  public func settlement(claim: ClaimRecord.ID) async throws -> StoredSettlement? {
    try actor.require(.viewClaims)
    return try await store.settlement(claim: claim)
  }

  /// Matches a held record again, after the registry or the cover was put right.
  public func rematch(_ id: StoredSettlement.ID) async throws -> SettlementOutcome {
    try actor.require(.intakeClaims)
    guard let (stored, _) = try await store.settlement(id) else { throw UseCaseError.notFound }
    let source = try await source(stored.sourceCode)
    let context = try await ClaimContexts(services: services, actor: actor).context(scheme: source.schemeCode)
    let outcome = try await store.rematch(id, source: source, context: context)
    try await audit.record(
      .dataChange, subject: "settlement:\(id)", detail: "matched again: \(outcome.result.rawValue)")
    return outcome
  }

  /// Closes a held record with a note (a claim made stays, worked on its own page).
  public func resolve(_ id: StoredSettlement.ID, note: String) async throws {
    try actor.require(.intakeClaims)
    // Another organisation's record is not found, whatever the note says.
    guard try await store.settlement(id) != nil else { throw UseCaseError.notFound }
    let note = note.trimmingCharacters(in: .whitespacesAndNewlines)
    guard note.count >= 2, note.count <= 500, PlainText.problem(in: note) == nil else {
      throw ValidationFailure([
        FieldError(
          field: "note", code: "note_required",
          message: LocalizedText(zh: "请写明处理情况（2–500字）", en: "say what was done (2–500 characters)"))
      ])
    }
    try await store.resolve(id, note: note, by: actor.name)
    try await audit.record(.dataChange, subject: "settlement:\(id)", detail: "exception closed: \(note)")
  }
}
