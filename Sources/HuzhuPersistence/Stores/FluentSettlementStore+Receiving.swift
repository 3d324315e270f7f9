import Fluent
import Foundation
import HuzhuCore
import SQLKit

extension FluentSettlementStore {
  /// One file's or request's work, inside its transaction: new records matched and their
  /// claims opened in one batch (a few statements per hundreds of records), corrections and
  /// cancellations applied one claim at a time through the claim store (they are rare).
  struct Receiving {
    let sql: any SQLDatabase
    let database: any Database
    let scope: AccessScope
    let source: SettlementSource
    let context: ClaimContext

    var claims: FluentClaimStore { FluentClaimStore(database: database, scope: scope) }

    struct Existing: Decodable {
      let id: UUID
      let settlement_id: String
      let record: String
      let status: String
      let claim_id: UUID?
    }

    /// A record to match: new, or kept before without a claim and now sent again or matched again.
    struct Pending {
      let row: Int
      let record: SettlementRecord
      let original: [String: String]
      /// The stored row it replaces, when it was kept before.
      let replacing: UUID?
      /// The stored values before, for the history.
      let previous: String?
    }

    /// What the stored row of a matched record becomes.
    struct Written {
      let pending: Pending
      var status: SettlementStatus
      var exception: SettlementException?
      var detail: LocalizedText?
      var workerID: UUID?
      var claim: OpenedClaim?
    }

    /// The claim a record became: what its row and outcome name (not the whole claim, which a
    /// month's file would otherwise hold twice more while its rows are written).
    struct OpenedClaim {
      let id: UUID
      let number: String
      let approved: Bool
    }

    func receive(_ file: SettlementFile, channel: String, fileName: String?, sha256: String?) async throws
      -> SettlementReceipt
    {
      // One receipt per source at a time: two pushes of the same record cannot both insert it.
      try await sql.update(FluentSettlementStore.sources).set("name", to: SQLIdentifier("name"))
        .where("id", .equal, source.id.rawValue).run()
      let batch = UUID.timeOrdered()
      try await sql.insert(into: FluentSettlementStore.batches)
        .columns(
          "id", "source_id", "organisation_id", "channel", "file_name", "sha256", "received_by", "received_at",
          "counts",
          "row_errors"
        )
        .values(
          SQLBind(batch), SQLBind(source.id.rawValue), SQLBind(source.organisationID.rawValue), SQLBind(channel),
          SQLBind(fileName), SQLBind(sha256), SQLBind(context.actor.name), SQLBind(Date()), SQLBind("{}"),
          SQLBind(try JSON.text(Array(file.rowErrors.prefix(500))))
        ).run()

      let incoming = file.records
      var keys = Set(incoming.map(\.record.settlementId))
      for item in incoming { if let original = item.record.originalSettlementId { keys.insert(original) } }
      var existing: [String: Existing] = [:]
      for chunk in Array(keys).chunks(of: FluentClaimStore.bulkChunk) {
        for row in try await sql.select().columns("id", "settlement_id", "record", "status", "claim_id")
          .from(FluentSettlementStore.records).where("source_id", .equal, source.id.rawValue)
          .where("settlement_id", .in, chunk).all(decoding: Existing.self)
        {
          existing[row.settlement_id] = row
        }
      }
      Phases.lap("stored records read")
      // Originals that a reversal in this same file cancels: kept as cancelled, never claimed.
      let cancelledHere = Set(
        incoming.filter { $0.record.reversal && existing[$0.record.settlementId] == nil }.compactMap {
          $0.record.originalSettlementId
        })

      var outcomes: [SettlementOutcome] = []
      var pending: [Pending] = []
      var plain: [(Pending, SettlementStatus, SettlementException?, LocalizedText?)] = []
      for item in incoming {
        let record = item.record
        let before = existing[record.settlementId]
        let previous = try before.map {
          try JSON.value(SettlementRecord.self, $0.record, table: FluentSettlementStore.records, column: "record")
        }
        let here = Pending(
          row: item.row, record: record, original: item.original, replacing: before?.id, previous: before?.record)
        switch SettlementArrival.classify(record, previous: previous) {
        case .unchanged:
          outcomes.append(.init(row: item.row, settlementId: record.settlementId, result: .unchanged))
        case .voidedOnArrival:
          plain.append((here, .voided, nil, nil))
          outcomes.append(.init(row: item.row, settlementId: record.settlementId, result: .voided))
        case .new where cancelledHere.contains(record.settlementId):
          plain.append((here, .cancelled, nil, nil))
          outcomes.append(.init(row: item.row, settlementId: record.settlementId, result: .cancelled))
        case .new:
          pending.append(here)
        case .corrected:
          outcomes.append(try await correct(before!, with: here, batch: batch))
        case .cancels(let target):
          if record.reversal {
            // The reversal row itself is kept; what it does is done to its original.
            if let original = existing[target] {
              plain.append((here, .reversal, nil, nil))
              outcomes.append(try await cancel(original, by: here, batch: batch))
            } else if cancelledHere.contains(target) {
              plain.append((here, .reversal, nil, nil))
              outcomes.append(.init(row: item.row, settlementId: record.settlementId, result: .reversal))
            } else {
              let detail = LocalizedText(
                zh: "原结算ID“\(target)”未收到过", en: "the original settlement \"\(target)\" was never received")
              plain.append((here, .held, .unknownOriginal, detail))
              outcomes.append(
                .init(row: item.row, settlementId: record.settlementId, result: .held, exception: .unknownOriginal))
            }
          } else {
            // Voided in place: the stored record takes the new values, then is cancelled.
            try await overwrite(before!.id, with: here, batch: batch, action: "voided")
            outcomes.append(try await cancel(before!, by: here, batch: batch))
          }
        }
      }
      Phases.lap("records classified")
      let (matched, matchedOutcomes) = try await match(pending)
      outcomes += matchedOutcomes
      try await write(matched, plain: plain, batch: batch)
      try await sql.update(FluentSettlementStore.batches)
        .set(
          "counts",
          to: try JSON.text(
            Dictionary(
              uniqueKeysWithValues: outcomes.reduce(into: [String: Int]()) {
                $0[$1.result.rawValue, default: 0] += 1
              }.map { ($0.key, $0.value) }))
        )
        .where("id", .equal, batch).run()
      return SettlementReceipt(
        batchID: batch, outcomes: outcomes.sorted { $0.row < $1.row }, rowErrors: file.rowErrors)
    }

    /// Matches records to members and cover and opens their claims in one batch.
    func match(_ pending: [Pending]) async throws -> ([Written], [SettlementOutcome]) {
      guard !pending.isEmpty else { return ([], []) }
      // By ID number within the scope, and then as the claim path reads them (by worker).
      var people: [String: PersonRow] = [:]
      var known = KnownMembers()
      for piece in KeyLookup.pieces(Array(Set(pending.map(\.record.idNumber))), on: sql) {
        for person in try await PersonRow.select(from: sql, joining: .left)
          .where(KeyLookup.oneOf(SQLColumn("id_number", table: "w"), piece, on: sql)).all(decoding: PersonRow.self)
        where scope.shows(unit: person.unit_id, organisation: person.visibleThrough) {
          people[person.id_number] = person
          known.people[person.id] = person
        }
      }
      Phases.lap("members read")
      for piece in KeyLookup.pieces(Array(known.people.keys), on: sql) {
        for enrollment in try await EnrollmentRow.active(workers: piece, scheme: source.schemeCode, on: database) {
          known.cover[enrollment.workerID.rawValue, default: []].append(enrollment)
        }
      }
      Phases.lap("cover read")
      var written: [Written] = []
      var requests: [ClaimRequest] = []
      var requestOf: [Int] = []  // written index of each request
      for item in pending {
        let person = people[item.record.idNumber]
        switch SettlementTriage.match(
          item.record, member: person.map { (.init($0.id), $0.name) },
          holdsCover: person.map { known.cover[$0.id] != nil } ?? false)
        {
        case .failure(let exception):
          written.append(
            Written(
              pending: item, status: .held, exception: exception, detail: nil,
              workerID: exception == .notMember ? nil : person?.id))
        case .success(let worker):
          requestOf.append(written.count)
          written.append(Written(pending: item, status: .claimed, workerID: worker.rawValue))
          requests.append(
            ClaimRequest(
              workerID: worker,
              intake: SettlementTriage.intake(
                item.record, source: source.code, supplies: context.scheme.claimsPolicy.oneStop.supplies,
                today: context.today),
              channel: .settlement))
        }
      }
      let policy = context.scheme.claimsPolicy.oneStop
      let opened = try await FluentClaimStore.open(
        requests, scope: scope, context: context, on: database, known: known,
        submitting: { claim, index in
          SettlementTriage.hold(claim, record: written[requestOf[index]].pending.record) == nil
        },
        approving: policy.straightThroughUpTo == nil
          ? nil
          : { claim, index in
            SettlementTriage.goesStraightThrough(
              claim, policy: policy, settlementId: written[requestOf[index]].pending.record.settlementId)
          })
      for (index, claim) in opened.enumerated() {
        let position = requestOf[index]
        written[position].claim = OpenedClaim(
          id: claim.id.rawValue, number: claim.number, approved: claim.state == .approved)
        if let (exception, detail) = SettlementTriage.hold(claim, record: written[position].pending.record) {
          written[position].status = .held
          written[position].exception = exception
          written[position].detail = detail
        }
      }
      let outcomes = written.map {
        SettlementOutcome(
          row: $0.pending.row, settlementId: $0.pending.record.settlementId,
          result: $0.status == .held ? .held : $0.claim?.approved == true ? .approved : .claimed,
          claimNumber: $0.claim?.number, exception: $0.exception)
      }
      return (written, outcomes)
    }

    /// Stores matched and plain records: new rows in bulk, replaced rows updated.
    func write(
      _ matched: [Written], plain: [(Pending, SettlementStatus, SettlementException?, LocalizedText?)], batch: UUID
    ) async throws {
      let others = plain.map {
        Written(pending: $0.0, status: $0.1, exception: $0.2, detail: $0.3, workerID: nil, claim: nil)
      }
      // By position in `matched` then `others`, not copied: a month's file holds 100,000.
      func item(_ position: Int) -> Written {
        position < matched.count ? matched[position] : others[position - matched.count]
      }
      let now = Date()
      var events: [(record: UUID, action: String, note: String?, previous: String?)] = []
      var inserts: [(id: UUID, position: Int)] = []
      for position in 0..<(matched.count + others.count) {
        let item = item(position)
        if let id = item.pending.replacing {
          try await sql.update(FluentSettlementStore.records)
            .set("record", to: try JSON.text(item.pending.record)).set(
              "original", to: try JSON.text(item.pending.original)
            )
            .set("status", to: item.status.rawValue).set("exception", to: item.exception?.rawValue)
            .set("exception_detail", to: try item.detail.map(JSON.text)).set("worker_id", to: item.workerID)
            .set("claim_id", to: item.claim?.id).set("batch_id", to: batch).set("updated_at", to: now)
            .where("id", .equal, id).run()
          events.append((id, "matched", item.claim?.number, item.pending.previous))
        } else {
          let id = UUID.timeOrdered()
          inserts.append((id, position))
          events.append((id, "received", item.claim?.number, nil))
        }
      }
      Phases.lap("claims opened")
      try await StatementQueue.with { queue in
        var rows = BulkRows(
          FluentSettlementStore.records,
          columns: [
            "id", "source_id", "organisation_id", "settlement_id", "visit_id", "id_number", "name", "settled_on",
            "record", "original", "batch_id", "worker_id", "claim_id", "status", "exception", "exception_detail",
            "note", "received_at", "updated_at",
          ])
        let perStatement = rows.rowsPerStatement(postgres: sql.dialect.name == "postgresql")
        for chunk in inserts.chunks(of: perStatement) {
          // The JSON columns on both cores while the database stores the statement before.
          let made = chunk.concurrentMap { (id, position) in
            Result { () throws -> [BulkRows.Value] in
              let item = item(position)
              let record = item.pending.record
              return [
                .uuid(id), .uuid(source.id.rawValue), .uuid(source.organisationID.rawValue),
                .text(record.settlementId), .nullable(record.visitId), .text(record.idNumber), .text(record.name),
                .text(record.settledOn.description), .text(try JSON.text(record)),
                .text(try JSON.text(item.pending.original)), .uuid(batch), .nullable(item.workerID),
                .nullable(item.claim?.id), .text(item.status.rawValue), .nullable(item.exception?.rawValue),
                .nullable(try item.detail.map(JSON.text)), .null, .timestamp(now), .timestamp(now),
              ]
            }
          }
          for row in made { rows.append(row: try row.get()) }
          try await rows.write(on: sql, queue: queue)
          rows.removeAll()
        }
      }
      Phases.lap("settlement rows written")
      try await FluentSettlementStore.log(events, batch: batch, actor: context.actor.name, on: sql)
      Phases.lap("settlement events written")
    }

    // MARK: Corrections and cancellations

    /// A settlement sent again with other values.
    func correct(_ before: Existing, with item: Pending, batch: UUID) async throws -> SettlementOutcome {
      guard let claimID = before.claim_id.map(ClaimRecord.ID.init) else {
        // No claim was made: match the corrected values afresh.
        let (matched, outcomes) = try await match([item])
        try await write(matched, plain: [], batch: batch)
        return outcomes[0]
      }
      let claim = try await claims.claim(claimID)!
      switch SettlementCorrection.plan(for: claim.state, cancelling: false) {
      case .updateClaim, .reopenClaim:
        if claim.state == .reviewed || claim.state == .approved {
          _ = try await claims.perform(
            .reopen(reason: "医保结算更正（结算ID \(item.record.settlementId)）"), on: claimID, context: context)
        }
        var intake = SettlementTriage.intake(
          item.record, source: source.code, supplies: context.scheme.claimsPolicy.oneStop.supplies,
          today: claim.intake.event.claimDate)
        intake.event.claimDate = claim.intake.event.claimDate
        var updated = try await claims.update(intake, of: claimID, context: context)
        let hold = SettlementTriage.hold(updated, record: item.record)
        // A claim held as a draft goes on once the corrected settlement holds it back no more.
        if hold == nil, updated.state == .draft {
          updated = try await claims.perform(.submit, on: claimID, context: context).record
        }
        try await overwrite(
          before.id, with: item, batch: batch, action: "corrected", status: hold == nil ? .claimed : .held,
          exception: hold?.0, detail: hold?.1)
        return .init(
          row: item.row, settlementId: item.record.settlementId, result: .updated, claimNumber: updated.number,
          exception: hold?.0)
      case .recovery:
        return try await recovery(before, claim: claim, item: item, batch: batch, cancelling: false)
      case .staffDecides, .withdrawClaim:
        let detail = LocalizedText(
          zh: "申请 \(claim.number) 已不予给付，结算随后被更正", en: "claim \(claim.number) was rejected before the correction")
        try await overwrite(
          before.id, with: item, batch: batch, action: "corrected", status: .held, exception: .correctionAfterDecision,
          detail: detail)
        return .init(
          row: item.row, settlementId: item.record.settlementId, result: .held, claimNumber: claim.number,
          exception: .correctionAfterDecision)
      }
    }

    /// The bureau cancelled `target` (by a reversal row `item`, or voiding it in place).
    func cancel(_ target: Existing, by item: Pending, batch: UUID) async throws -> SettlementOutcome {
      let reversalRow = item.record.reversal
      func done(_ claimNumber: String?) -> SettlementOutcome {
        .init(
          row: item.row, settlementId: item.record.settlementId, result: reversalRow ? .reversal : .cancelled,
          claimNumber: claimNumber)
      }
      guard let claimID = target.claim_id.map(ClaimRecord.ID.init) else {
        try await setStatus(target.id, .cancelled, action: "cancelled", note: item.record.settlementId, batch: batch)
        return done(nil)
      }
      let claim = try await claims.claim(claimID)!
      switch SettlementCorrection.plan(for: claim.state, cancelling: true) {
      case .recovery:
        return try await recovery(target, claim: claim, item: item, batch: batch, cancelling: true)
      default:
        _ = try await claims.perform(
          .withdraw(reason: "结算ID \(target.settlement_id) 已由医保经办机构撤销"), on: claimID, context: context)
        try await setStatus(target.id, .cancelled, action: "cancelled", note: claim.number, batch: batch)
        return done(claim.number)
      }
    }

    /// A change after the money left: the record is held for a recovery, the claim untouched.
    func recovery(_ target: Existing, claim: ClaimRecord, item: Pending, batch: UUID, cancelling: Bool) async throws
      -> SettlementOutcome
    {
      let detail = LocalizedText(
        zh:
          "申请 \(claim.number) \(claim.state.label.zh) \(claim.payable.formatted)，结算随后被\(cancelling ? "撤销" : "更正")：请立案追回或核定差额",
        en:
          "claim \(claim.number) is \(claim.state.label.en) (\(claim.payable.formatted)); the settlement was then \(cancelling ? "cancelled" : "corrected"): open a recovery or settle the difference"
      )
      if cancelling && item.record.reversal {
        try await setStatus(
          target.id, .held, action: "cancelled", note: item.record.settlementId, batch: batch, exception: .recoveryDue,
          detail: detail)
      } else {
        try await overwrite(
          target.id, with: item, batch: batch, action: cancelling ? "voided" : "corrected", status: .held,
          exception: .recoveryDue, detail: detail)
      }
      return .init(
        row: item.row, settlementId: item.record.settlementId, result: .recoveryDue, claimNumber: claim.number,
        exception: .recoveryDue)
    }

    func overwrite(
      _ id: UUID, with item: Pending, batch: UUID, action: String, status: SettlementStatus? = nil,
      exception: SettlementException? = nil, detail: LocalizedText? = nil
    ) async throws {
      var update = sql.update(FluentSettlementStore.records)
        .set("record", to: try JSON.text(item.record)).set("original", to: try JSON.text(item.original))
        .set("batch_id", to: batch).set("updated_at", to: Date())
      if let status {
        update = update.set("status", to: status.rawValue).set("exception", to: exception?.rawValue)
          .set("exception_detail", to: try detail.map(JSON.text))
      }
      try await update.where("id", .equal, id).run()
      try await FluentSettlementStore.log(
        [(id, action, nil, item.previous)], batch: batch, actor: context.actor.name, on: sql)
    }

    func setStatus(
      _ id: UUID, _ status: SettlementStatus, action: String, note: String?, batch: UUID,
      exception: SettlementException? = nil, detail: LocalizedText? = nil
    ) async throws {
      try await sql.update(FluentSettlementStore.records).set("status", to: status.rawValue)
        .set("exception", to: exception?.rawValue).set("exception_detail", to: try detail.map(JSON.text))
        .set("updated_at", to: Date()).where("id", .equal, id).run()
      try await FluentSettlementStore.log([(id, action, note, nil)], batch: batch, actor: context.actor.name, on: sql)
    }

    // MARK: Matching again

    func rematch(_ id: StoredSettlement.ID) async throws -> SettlementOutcome {
      guard let row = try await FluentSettlementStore.row(id, scope: scope, on: sql),
        row.source_id == source.id.rawValue
      else {
        throw ValidationFailure([
          FieldError(
            field: "id", code: "unknown_settlement", message: LocalizedText(zh: "结算记录不存在", en: "no such settlement"))
        ])
      }
      guard row.status == SettlementStatus.held.rawValue, row.claim_id == nil else {
        throw ValidationFailure([
          FieldError(
            field: "id", code: "not_rematchable",
            message: LocalizedText(
              zh: "只有尚未生成申请的待处理记录可以重新匹配", en: "only held settlements without a claim are matched again"))
        ])
      }
      let record = try row.decodedRecord()
      let original = try JSON.value(
        [String: String].self, row.original, table: FluentSettlementStore.records, column: "original")
      let item = Pending(row: 1, record: record, original: original, replacing: row.id, previous: nil)
      let (matched, outcomes) = try await match([item])
      let batch = try await sql.select().column("batch_id").from(FluentSettlementStore.records).where(
        "id", .equal, row.id
      )
      .first(decoding: BatchOf.self)!.batch_id
      try await write(matched, plain: [], batch: batch)
      return outcomes[0]
    }

    struct BatchOf: Decodable { let batch_id: UUID }
  }
}
