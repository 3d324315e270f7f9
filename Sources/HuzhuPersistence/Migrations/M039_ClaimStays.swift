import Fluent
import Foundation
import HuzhuCore
import SQLKit

/// Each claim's stay (``ClaimIntake/stay``: admission to discharge, or the visit's day) in two
/// columns of its own, with an index by member and the stay's last day: the duplicate check
/// asks for the member's earlier claims whose stays could overlap the new ones, instead of
/// reading (and decoding) every earlier claim's intake, so opening a claim no longer slows
/// with the member's history (issue 29).
///
/// Written with the claim (the bulk insert, the province generator) and when its facts change
/// (``FluentClaimStore/update(_:of:context:)``); `ClaimModel` leaves them out, so that the
/// migrations before this one that read claims through it keep working. Existing claims are
/// filled in here from their intake.
struct M039_ClaimStays: AsyncMigration {
  var name: String { "M039_ClaimStays" }
  static let index = "ix_claims_worker_stay"
  /// Claims read and written per step of the fill.
  static let page = 1_000

  /// All in one transaction (both databases change their schema transactionally): the fill
  /// takes minutes on a province's claims, and a server stopped half-way through must find
  /// the columns still absent, not added but unrecorded (every later start would then fail on
  /// adding them again). One transaction also spares SQLite a commit per updated claim: a
  /// million claims filled in under two minutes, against some twenty-five at a commit each.
  func prepare(on database: any Database) async throws {
    try await database.transaction { database in
      guard let sql = database as? any SQLDatabase else { return }
      // One column per statement: SQLite adds one at a time.
      for column in ["stay_from", "stay_to"] {
        try await sql.raw("ALTER TABLE claims ADD COLUMN \(ident: column) TEXT").run()
      }
      try await Self.fill(on: sql)
      try await sql.raw("CREATE INDEX \(ident: Self.index) ON claims (worker_id, stay_to, stay_from)").run()
    }
  }

  func revert(on database: any Database) async throws {
    guard let sql = database as? any SQLDatabase else { return }
    try await sql.raw("DROP INDEX \(ident: Self.index)").run()
    for column in ["stay_to", "stay_from"] {
      try await sql.raw("ALTER TABLE claims DROP COLUMN \(ident: column)").run()
    }
  }

  /// Every claim's stay from its intake, a page at a time in the order of the claims' ids.
  static func fill(on sql: any SQLDatabase) async throws {
    struct Row: Decodable {
      let id: UUID
      let intake: String
    }
    var after: UUID?
    while true {
      var query = sql.select().columns("id", "intake").from("claims").orderBy("id").limit(Self.page)
      if let after { query = query.where("id", .greaterThan, after) }
      let rows = try await query.all(decoding: Row.self)
      for row in rows {
        guard let stay = try Self.stay(ofIntake: row.intake) else { continue }
        try await sql.update("claims").set("stay_from", to: stay.start.description)
          .set("stay_to", to: stay.end.description).where("id", .equal, row.id).run()
      }
      guard rows.count == Self.page, let last = rows.last else { return }
      after = last.id
    }
  }

  /// The stay of a claim's stored intake (``ClaimIntake/stay``): its dates decoded, not its
  /// figures, diagnoses and papers.
  static func stay(ofIntake text: String) throws -> CoveragePeriod? {
    struct Dates: Decodable {
      struct Event: Decodable { let admissionDate, dischargeDate, visitDate: CalendarDate? }
      let event: Event
    }
    let event = try JSON.value(Dates.self, text, table: ClaimModel.schema, column: "intake").event
    return ClaimIntake.stay(admission: event.admissionDate, discharge: event.dischargeDate, visit: event.visitDate)
  }
}
