import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuSpreadsheet

/// A unit's roster (花名册): read a file, check every row against the rules and the registry,
/// and commit all rows or none. The page (upload → preview → import), the API and the command
/// line all come here.
///
/// What a row does to someone the registry knows is the core's decision (``RosterRowPlan``):
/// people within the actor's area are updated or moved; anyone employed or kept outside it
/// becomes a transfer request, and the preview says nothing of who or where they are.
public struct RosterImports: UseCase {
  let services: AppServices
  let actor: Actor

  public init(_ services: AppServices, actor: Actor) {
    self.services = services
    self.actor = actor
  }

  /// A roster checked against the registry: what the preview shows and what a commit writes.
  public struct Review: Sendable {
    public let unit: WorkUnit
    public let preview: RosterPreview
    public let commit: RosterCommit
  }

  /// The unit whose roster the actor may keep; ``UseCaseError/notFound`` outside their area.
  public func unit(_ id: WorkUnit.ID) async throws -> WorkUnit {
    try actor.require(.manageUnits)
    guard let unit = try await registryStore.unit(id) else { throw UseCaseError.notFound }
    return unit
  }

  /// A unit by its credit code or id (the command line's way of naming it).
  public func unit(reference: String) async throws -> WorkUnit? {
    try actor.require(.manageUnits)
    if let id = WorkUnit.ID(reference) { return try await registryStore.unit(id) }
    return try await registryStore.unit(creditCode: reference)
  }

  /// Reads `bytes` (XLSX or CSV, told apart by content) and checks every row. Writes nothing.
  public func review(_ bytes: Data, into unit: WorkUnit.ID) async throws -> Review {
    let unit = try await self.unit(unit)
    return try await review(try Self.sheet(bytes, limits: services.limits.sheet), into: unit)
  }

  /// Checks a sheet already read (the command line reads from a path).
  public func review(_ sheet: Sheet, into unit: WorkUnit) async throws -> Review {
    let parsed = RosterReader.preview(sheet.rosterCells)
    let standings = try await registryStore.standings(of: parsed.rows.compactMap(\.idNumber))
    let (preview, commit) = parsed.planned(into: unit.id, standings: standings, scope: actor.scope)
    return Review(unit: unit, preview: preview, commit: commit)
  }

  /// Commits a reviewed roster: all rows or none, and only a roster without errors.
  public func commit(_ review: Review) async throws -> RosterImportResult {
    guard review.preview.canCommit else {
      throw ValidationFailure(
        review.preview.allErrors.isEmpty
          ? [
            FieldError(
              field: "rows", code: "no_rows",
              message: LocalizedText(zh: "名册中没有可提交的职工", en: "the roster has no workers to commit"))
          ] : review.preview.allErrors)
    }
    let commit = review.commit
    let existing = commit.rows.compactMap { row -> Worker.ID? in
      switch row.plan {
      case .update(let id), .transfer(let id): id
      case .create, .requestTransfer: nil
      }
    }
    let before = try await registryStore.workers(existing)
    let result = try await registryStore.importRoster(commit, on: services.today, requestedBy: actor.displayName)
    try await auditChanges(of: commit, result: result, before: before)
    return result
  }

  /// One line for the import, and one per person already registered whose details or unit
  /// changed, with each changed field before and after.
  private func auditChanges(of commit: RosterCommit, result: RosterImportResult, before: [Worker.ID: Worker])
    async throws
  {
    let after = try await registryStore.workers(Array(before.keys))
    var lines = [
      (
        subject: "unit:\(commit.unit)",
        detail:
          "roster import: \(result.created) new, \(result.updated) updated, \(result.transferred) moved here, "
          + "\(result.requested) transfer requests"
      )
    ]
    for row in commit.rows {
      guard let id = row.plan.worker, let was = before[id], let now = after[id] else { continue }
      let changes = FieldChanges.summary(was, now)
      guard changes != FieldChanges.unchanged else { continue }
      lines.append((subject: "worker:\(id)", detail: "roster import into unit:\(commit.unit): \(changes)"))
    }
    try await audit.record(.dataChange, lines)
  }

  /// Checks `bytes` again and commits them: what the API's import does in one request.
  public func commit(_ bytes: Data, into unit: WorkUnit.ID) async throws -> (Review, RosterImportResult) {
    let review = try await review(bytes, into: unit)
    return (review, try await commit(review))
  }

  // MARK: A file kept between the preview and the import (the page's way)

  /// Keeps an uploaded roster by its SHA-256 until it is imported; returns that name.
  public func keep(_ bytes: Data) async throws -> String {
    try actor.require(.manageUnits)
    return try await Documents(services).keepSheet(bytes, empty: Self.emptyFile.errors[0].message)
  }

  /// The kept roster `file`.
  public func kept(_ file: String) throws -> Data { try Documents(services).kept(file) }

  /// Commits the kept roster `file`, then forgets it: the people are in the registry now.
  public func commit(kept file: String, into unit: WorkUnit.ID) async throws -> (Review, RosterImportResult) {
    let done = try await commit(try kept(file), into: unit)
    try await Documents(services).forget(file)
    return done
  }

  // MARK: Reading

  static let emptyFile = ValidationFailure([
    FieldError(
      field: "file", code: "empty_body",
      message: LocalizedText(zh: "请上传花名册文件（XLSX 或 CSV）", en: "send the roster file (XLSX or CSV)"))
  ])

  /// The first sheet of an XLSX or CSV file; a file no reader takes is a field error.
  static func sheet(_ bytes: Data, limits: SheetLimits) throws -> Sheet {
    guard !bytes.isEmpty else { throw emptyFile }
    do {
      return try SheetReader.read(bytes, limits: limits)
    } catch {
      throw ValidationFailure([
        FieldError(
          field: "file", code: "unreadable_spreadsheet",
          message: LocalizedText(zh: error.messageZh, en: error.messageEn))
      ])
    }
  }
}
