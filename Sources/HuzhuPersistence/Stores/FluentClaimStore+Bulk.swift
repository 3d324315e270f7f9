import Fluent
import Foundation
import HuzhuCore
import SQLKit

extension FluentClaimStore {
  /// Ids or numbers per `IN` list, and rows per multi-row `INSERT`.
  static let bulkChunk = 1_000
  static let insertChunk = 500

  public func open(
    _ intake: ClaimIntake, for worker: Worker.ID, channel: ClaimChannel, expedited: Bool, context: ClaimContext
  ) async throws -> ClaimRecord {
    try await open(
      [ClaimRequest(workerID: worker, intake: intake, channel: channel, expedited: expedited)],
      submitWhenComplete: false, context: context
    )[0]
  }

  public func open(_ requests: [ClaimRequest], submitWhenComplete: Bool, context: ClaimContext) async throws
    -> [ClaimRecord]
  {
    guard !requests.isEmpty else { return [] }
    var errors: [FieldError] = []
    for (index, request) in requests.enumerated() {
      errors += request.intake.validate(today: context.today).map { $0.inClaim(index, of: requests.count) }
    }
    guard errors.isEmpty else { throw ValidationFailure(errors) }
    return try await database.writeTransaction { transaction in
      try await Self.open(requests, scope: scope, context: context, on: transaction) { _, _ in submitWhenComplete }
    }
  }

  /// The batch's claims opened inside `transaction` (checked intakes): each calculated, flagged
  /// and, when `submitting` says so for the claim (and its index) and its documents are
  /// complete, submitted with its clock started; then, when `approving` says so for a submitted
  /// claim, approved by the scheme's one-stop rule (``ClaimActor/straightThrough(at:)``), its
  /// share of the caps taken before the member's next claim in the batch is judged.
  ///
  /// `known`: the members and their cover in the scheme, when the caller has read them already.
  static func open(
    _ requests: [ClaimRequest], scope: AccessScope, context: ClaimContext, on transaction: any Database,
    known: KnownMembers? = nil, submitting: (ClaimRecord, Int) -> Bool, approving: ((ClaimRecord, Int) -> Bool)? = nil
  ) async throws -> [ClaimRecord] {
    guard !requests.isEmpty else { return [] }
    func rowError(_ error: FieldError, _ index: Int) -> FieldError {
      error.inClaim(index, of: requests.count)
    }
    var errors: [FieldError] = []
    guard let sql = transaction as? any SQLDatabase else { preconditionFailure("Huzhu runs on SQL databases") }
    let workerIDs = Array(Set(requests.map(\.workerID.rawValue)))
    if approving != nil {
      // Approvals change the cap ledger: the members are locked before it is read, as a
      // person's approval locks its member (one upsert per thousand members).
      for chunk in workerIDs.sorted().chunks(of: Self.bulkChunk) {
        var upsert = sql.insert(into: "member_locks").columns("worker_id", "version")
        for id in chunk { upsert = upsert.values(SQLBind(id), SQLLiteral.numeric("1")) }
        try await upsert.onConflict(with: ["worker_id"]) {
          $0.set(
            "version",
            to: SQLBinaryExpression(SQLColumn("version", table: "member_locks"), .add, SQLLiteral.numeric("1")))
        }.run()
      }
    }
    Phases.lap("members locked")
    var people = known?.people ?? [:]
    var cover = known?.cover ?? [:]
    var ledgerRows: [UUID: [LedgerRow]] = [:]
    var earlier: [UUID: [(number: String, stay: CoveragePeriod?)]] = [:]
    // The days the batch's stays span: only earlier stays reaching into them can overlap one.
    let stays = requests.compactMap(\.intake.stay).reduce(nil) { (span: CoveragePeriod?, stay) in
      span.map { CoveragePeriod(start: min($0.start, stay.start), end: max($0.end, stay.end)) } ?? stay
    }
    for piece in KeyLookup.pieces(workerIDs, on: sql) {
      if known == nil {
        for person in try await PersonRow.current(piece, on: transaction) { people[person.id] = person }
        for enrollment in try await EnrollmentRow.active(workers: piece, scheme: context.scheme.code, on: transaction) {
          cover[enrollment.workerID.rawValue, default: []].append(enrollment)
        }
      }
      for row in try await sql.select().columns(
        "worker_id", "product_code", "period_start", "benefit_code", "history"
      )
      .from(BenefitLedgerModel.schema).where(KeyLookup.oneOf(SQLIdentifier("worker_id"), piece, on: sql))
      .all(decoding: LedgerRow.self) {
        ledgerRows[row.worker_id, default: []].append(row)
      }
      for row in try await EarlierClaimRow.overlapping(stays, workers: piece, on: sql) {
        earlier[row.worker_id, default: []].append((row.number, try row.stay()))
      }
    }
    Phases.lap("ledgers and earlier claims read")
    // Papers anyone claimed before, by number.
    var papersSeen: [String: [(number: String, intake: ClaimIntake)]] = [:]
    let numbers = Array(Set(requests.flatMap { $0.intake.paperNumbers.map(\.number) }))
    for piece in KeyLookup.pieces(numbers, on: sql) {
      let rows = try await sql.select()
        .column(SQLColumn("number", table: "p"), as: "paper")
        .column(SQLColumn("number", table: "c")).column(SQLColumn("intake", table: "c"))
        .from(SQLAlias(SQLIdentifier(ClaimPaperModel.schema), as: SQLIdentifier("p")))
        .join(
          SQLAlias(SQLIdentifier(ClaimModel.schema), as: SQLIdentifier("c")), method: SQLJoinMethod.inner,
          on: SQLRaw("c.id = p.claim_id")
        )
        .where(KeyLookup.oneOf(SQLColumn("number", table: "p"), piece, on: sql))
        .all(decoding: PaperRow.self)
      for row in rows { papersSeen[row.paper, default: []].append((row.number, try row.decoded())) }
    }

    // Claims paid before Huzhu: the members' stays and anyone's settlement sheets.
    var takenOver: [(worker: UUID, claim: TakenOverClaim)] = []
    let sheets = Array(
      Set(requests.flatMap { $0.intake.paperNumbers.filter { $0.kind == "settlement_sheet" }.map(\.number) }))
    for piece in KeyLookup.pieces(workerIDs, on: sql) {
      takenOver += try await FluentEnrollmentStore.takenOverClaims(workers: piece, sheets: [], on: transaction)
    }
    for piece in KeyLookup.pieces(sheets, on: sql) {
      takenOver += try await FluentEnrollmentStore.takenOverClaims(workers: [], sheets: piece, on: transaction)
    }
    let takenOverByWorker = Dictionary(grouping: takenOver, by: \.worker)
    let takenOverBySheet = Dictionary(grouping: takenOver.filter { $0.claim.settlementSheet != nil }) {
      $0.claim.settlementSheet!
    }

    Phases.lap("papers and taken-over claims read")
    let year = context.today.year
    let sequence = try await Sequences.next(
      DocumentKind.claim.sequenceName(scheme: context.scheme.code, year: year), count: requests.count,
      on: transaction)
    let claimNumbers = requests.indices.map {
      DocumentNumbers.format(.claim, scheme: context.scheme.code, year: year, sequence: sequence.lowerBound + $0)
    }
    // Made here, in the requests' order: time-ordered ids made on both cores at once would
    // reach the indexes out of order, which costs the database a third more to store.
    let claimIDs = requests.indices.map { _ in ClaimRecord.ID() }
    // What each claim is checked against for duplicates: what was claimed before, and the
    // batch's claims before it, as if each had been opened before the next (none of it depends
    // on a claim's calculation, so it is known before any is calculated).
    var memberStaysOf: [[(number: String, stay: CoveragePeriod?)]] = []
    var seenOf: [[(number: String, intake: ClaimIntake)]] = []
    memberStaysOf.reserveCapacity(requests.count)
    seenOf.reserveCapacity(requests.count)
    for (index, request) in requests.enumerated() {
      let id = request.workerID.rawValue
      memberStaysOf.append(earlier[id] ?? [])
      seenOf.append(request.intake.paperNumbers.flatMap { papersSeen[$0.number] ?? [] })
      earlier[id, default: []].append((claimNumbers[index], request.intake.stay))
      for paper in request.intake.paperNumbers {
        papersSeen[paper.number, default: []].append((claimNumbers[index], request.intake))
      }
    }
    // Each member's claims in order on one core (an approval takes from the caps the member's
    // next claim is judged against), the members on both cores.
    let now = Date()
    let groups = Array(Dictionary(grouping: requests.indices) { requests[$0].workerID.rawValue }.values)
    let decided = groups.concurrentMap { indices in
      var ledger: CapLedger?
      var results: [(index: Int, result: Result<Opened, any Error>)] = []
      for index in indices {
        let result = Result { () throws -> Opened in
          try Self.decide(
            requests[index], index: index, id: claimIDs[index], number: claimNumbers[index],
            person: people[requests[index].workerID.rawValue],
            enrollments: cover[requests[index].workerID.rawValue] ?? [], ledger: &ledger,
            ledgerRows: ledgerRows, memberStays: memberStaysOf[index], seen: seenOf[index],
            takenOverByWorker: takenOverByWorker, takenOverBySheet: takenOverBySheet, scope: scope, context: context,
            now: now, rowError: rowError, submitting: submitting, approving: approving)
        }
        results.append((index, result))
      }
      return (results: results, ledger: ledger)
    }
    // Back in the requests' order.
    var opened = [Opened?](repeating: nil, count: requests.count)
    var approvedLedgers: [UUID: CapLedger] = [:]
    for group in decided {
      for (index, result) in group.results { opened[index] = try result.get() }
      if let ledger = group.ledger, let first = group.results.first {
        approvedLedgers[requests[first.index].workerID.rawValue] = ledger
      }
    }
    var records: [ClaimRecord] = []
    var history: [(ClaimRecord.ID, ClaimHistoryEntry)] = []
    var outbox: [OutgoingMessage] = []
    var documents: [ClaimDocument] = []
    for case let item? in opened {
      switch item {
      case .refused(let error):
        errors.append(error)
      case .claim(let record, let entries, let files, let message):
        records.append(record)
        history += entries.map { (record.id, $0) }
        documents += files
        if let message { outbox.append(message) }
      }
    }
    guard errors.isEmpty else { throw ValidationFailure(errors) }
    Phases.lap("claims calculated")
    try await Self.insert(records, documents: documents, history: history, outbox: outbox, on: sql)
    Phases.lap("claim rows written")
    // What the approvals took from the caps, saved member by member.
    for chunk in Array(approvedLedgers.keys).chunks(of: Self.bulkChunk) {
      let rows = Dictionary(
        grouping: try await BenefitLedgerModel.query(on: transaction).filter(\.$workerID ~~ chunk).all(), by: \.workerID
      )
      var new: [BenefitLedgerModel] = []
      for id in chunk {
        try await save(
          approvedLedgers[id]!, previous: rows[id] ?? [], worker: .init(id), scheme: context.scheme.code,
          enrollments: cover[id] ?? [], on: transaction, creating: &new)
      }
      for rows in new.chunks(of: Self.insertChunk) { try await rows.create(on: transaction) }
    }
    Phases.lap("ledgers saved")
    return records
  }

  /// A claim of a batch, or why it cannot be opened.
  enum Opened {
    case claim(ClaimRecord, history: [ClaimHistoryEntry], documents: [ClaimDocument], message: OutgoingMessage?)
    case refused(FieldError)
  }

  /// One request of a batch opened: checked against the scope and the cover, calculated,
  /// flagged against `memberClaims` and `seen` (``open(_:scope:context:on:known:submitting:approving:)``
  /// works them out), submitted and approved as `submitting` and `approving` say. `ledger`: the
  /// member's cap ledger as the batch's approvals before this one left it, nil while none did;
  /// an approval here updates it.
  static func decide(
    _ request: ClaimRequest, index: Int, id claimID: ClaimRecord.ID, number: String, person: PersonRow?,
    enrollments: [Enrollment],
    ledger approved: inout CapLedger?, ledgerRows: [UUID: [LedgerRow]],
    memberStays: [(number: String, stay: CoveragePeriod?)], seen: [(number: String, intake: ClaimIntake)],
    takenOverByWorker: [UUID: [(worker: UUID, claim: TakenOverClaim)]],
    takenOverBySheet: [String: [(worker: UUID, claim: TakenOverClaim)]], scope: AccessScope, context: ClaimContext,
    now: Date, rowError: (FieldError, Int) -> FieldError, submitting: (ClaimRecord, Int) -> Bool,
    approving: ((ClaimRecord, Int) -> Bool)?
  ) throws -> Opened {
    let id = request.workerID.rawValue
    // Someone outside the scope is as unknown as someone who does not exist.
    // A person employed by nobody and kept by no node (someone who left their unit before
    // individual records existed) is claimed for only from outside the web (the CLI).
    let organisation = person.flatMap {
      $0.visibleThrough ?? (scope.isUnrestricted ? context.actor.organisationID?.rawValue : nil)
    }
    guard let person, scope.shows(unit: person.unit_id, organisation: organisation) else {
      return .refused(
        rowError(
          FieldError(
            field: "workerId", code: "unknown_worker", message: LocalizedText(zh: "职工不存在", en: "no such worker")),
          index))
    }
    guard !enrollments.isEmpty else {
      return .refused(
        rowError(
          FieldError(
            field: "workerId", code: "no_cover",
            message: LocalizedText(
              zh: "该职工没有已缴费的“\(context.scheme.name)”参保记录", en: "the worker holds no paid cover in this scheme")),
          index))
    }
    let worker = try person.worker()
    let ledger =
      try approved
      ?? Self.capLedger(
        (ledgerRows[id] ?? []).map {
          (product: $0.product_code, periodStart: $0.period_start, benefit: $0.benefit_code, history: $0.history)
        }, covering: enrollments)
    var record = ClaimRecord(
      id: claimID, number: number, workerID: request.workerID, schemeCode: context.scheme.code,
      channel: request.channel,
      intake: request.intake, progress: ClaimProgress(requiredLevels: []), expedited: request.expedited,
      createdBy: context.actor.name, createdOn: context.today)
    record.unitID = person.unit_id.map { .init($0) }
    record.organisationID = organisation.map { .init($0) }
    try ClaimAssessment.assess(
      &record, worker: worker, enrollments: enrollments, ledger: ledger,
      suppliedDocuments: Set(request.documents.map(\.kind)), scheme: context.scheme)
    record.duplicates = DuplicateFlag.flags(
      for: request.intake, memberStays: memberStays, papersSeen: seen,
      takenOver: {
        let ownSheets = request.intake.paperNumbers.filter { $0.kind == "settlement_sheet" }.map(\.number)
        let relevant = (takenOverByWorker[id] ?? []) + ownSheets.flatMap { takenOverBySheet[$0] ?? [] }
        return FluentEnrollmentStore.takenOver(relevant, for: id, sheets: Set(ownSheets))
      }())
    var history = [
      ClaimHistoryEntry(
        at: now, actor: context.actor.name, address: context.address, action: "open", from: nil, to: .draft, note: nil)
    ]
    let documents = request.documents.map { document in
      ClaimDocument(
        claimID: record.id, kind: document.kind, fileName: document.fileName, format: document.format,
        size: document.size, sha256: document.sha256, uploadedBy: context.actor.name, uploadedAt: now)
    }
    var message: OutgoingMessage?
    if submitting(record, index),
      case .success(.moved) = ClaimWorkflow.apply(.submit, to: &record.progress, by: context.actor)
    {
      record.documentsCompleteOn = context.today
      Self.startClock(&record, context: context)
      // Opened and submitted in the same instant: one entry (a row fewer per claim of a
      // settlement file, whose claims were never drafts anyone could work on).
      history = [
        ClaimHistoryEntry(
          at: now, actor: context.actor.name, address: context.address, action: "open_submit", from: nil,
          to: .submitted, note: nil)
      ]
      let straightThrough = ClaimActor.straightThrough(at: context.actor.organisationKind)
      if let approving, approving(record, index),
        ClaimWorkflow.approveStraightThrough(&record.progress, by: straightThrough), let document = record.explanation
      {
        let explanation = Explanation(document)
        record.approvedTotal = record.adjustment?.amount ?? explanation.total
        var updated = ledger
        updated.record(
          explanation, paying: BenefitAmount.split(explanation, total: record.adjustment?.amount),
          event: record.intake.event)
        approved = updated
        for (action, from, to) in [
          ("review", ClaimState.submitted, ClaimState.reviewed), ("approve", .reviewed, .approved),
        ] {
          history.append(
            ClaimHistoryEntry(
              at: now, actor: straightThrough.name, address: context.address, action: action, from: from, to: to,
              note: action == "approve" ? "一站式结算：按方案规则自动审批" : nil))
        }
        message = .notice(
          .settled, claimNumber: record.number, amount: record.payable, note: record.intake.hospital,
          dueOn: record.dueOn, phone: person.phone, organisationID: record.organisationID, claimID: record.id,
          workerID: record.workerID, at: now)
      } else {
        message = .notice(
          .submitted, claimNumber: record.number, amount: nil, note: nil, dueOn: record.dueOn, phone: person.phone,
          organisationID: record.organisationID, claimID: record.id, workerID: record.workerID, at: now)
      }
    }
    return .claim(record, history: history, documents: documents, message: message)
  }

  /// Everything a batch of new claims writes, as multi-row INSERTs.
  static func insert(
    _ records: [ClaimRecord], documents: [ClaimDocument], history: [(ClaimRecord.ID, ClaimHistoryEntry)],
    outbox: [OutgoingMessage], on sql: any SQLDatabase
  ) async throws {
    try await StatementQueue.with { queue in
      try await insert(records, documents: documents, history: history, outbox: outbox, on: sql, queue: queue)
    }
  }

  /// The same, each statement queued on `queue` as soon as it is made.
  static func insert(
    _ records: [ClaimRecord], documents: [ClaimDocument], history: [(ClaimRecord.ID, ClaimHistoryEntry)],
    outbox: [OutgoingMessage], on sql: any SQLDatabase, queue: StatementQueue
  ) async throws {
    let now = Date()
    var claims = BulkRows(
      ClaimModel.schema,
      columns: [
        "id", "number", "worker_id", "scheme_code", "channel", "intake", "state", "progress", "explanation",
        "calculated_total", "adjustment", "approved_total", "duplicates", "documents_complete_on", "due_on",
        "deadline_problem", "expedited", "created_by", "created_on", "paid_on", "batch_id", "lock_version",
        "created_at", "organisation_id", "unit_id", "stay_from", "stay_to",
      ], capacity: insertChunk)
    // Written a statement's worth at a time, so that the database stores these while Swift
    // encodes the next on both cores (the JSON columns are most of a claim's cost).
    for chunk in records.chunks(of: claims.rowsPerStatement(postgres: sql.dialect.name == "postgresql")) {
      for row in chunk.concurrentMap({ record in Result { try Self.row(record, createdAt: now) } }) {
        claims.append(row: try row.get())
      }
      try await claims.write(on: sql, queue: queue)
      claims.removeAll()
    }
    var papers = BulkRows(ClaimPaperModel.schema, columns: ["id", "claim_id", "kind", "number"])
    for record in records {
      for paper in record.intake.paperNumbers {
        papers.append(.uuid(UUID.timeOrdered()), .uuid(record.id.rawValue), .text(paper.kind), .text(paper.number))
      }
    }
    try await papers.write(on: sql, queue: queue)
    var files = BulkRows(
      ClaimDocumentModel.schema,
      columns: ["id", "claim_id", "kind", "file_name", "format", "size", "sha256", "uploaded_by", "uploaded_at"])
    for document in documents {
      files.append(
        .uuid(document.id.rawValue), .uuid(document.claimID.rawValue), .text(document.kind),
        .text(document.fileName), .text(document.format.rawValue), .int(Int64(document.size)),
        .text(document.sha256), .text(document.uploadedBy), .timestamp(document.uploadedAt))
    }
    try await files.write(on: sql, queue: queue)
    var entries = BulkRows(
      ClaimHistoryModel.schema,
      columns: ["id", "claim_id", "at", "actor", "address", "action", "from_state", "to_state", "note"])
    for (claim, entry) in history {
      entries.append(
        .uuid(UUID.timeOrdered()), .uuid(claim.rawValue), .timestamp(entry.at), .text(entry.actor),
        .nullable(entry.address), .text(entry.action), .nullable(entry.from?.rawValue), .text(entry.to.rawValue),
        .nullable(entry.note))
    }
    try await entries.write(on: sql, queue: queue)
    try await FluentMessageStore.rows(outbox).write(on: sql, queue: queue)
  }
}

extension FluentClaimStore {
  /// A new claim's values, in the order of ``insert(_:documents:history:outbox:on:queue:)``'s columns.
  static func row(_ record: ClaimRecord, createdAt: Date) throws -> [BulkRows.Value] {
    let stay = record.intake.stay
    return [
      .uuid(record.id.rawValue), .text(record.number), .uuid(record.workerID.rawValue), .text(record.schemeCode),
      .text(record.channel.rawValue), .text(try JSON.text(record.intake)), .text(record.state.rawValue),
      .text(try JSON.text(record.progress)), .nullable(try record.explanation.map(JSON.text)),
      .nullable(record.calculatedTotal?.fen), .nullable(try record.adjustment.map(JSON.text)),
      .nullable(record.approvedTotal?.fen), .text(try JSON.text(record.duplicates)),
      .nullable(record.documentsCompleteOn?.description), .nullable(record.dueOn?.description),
      .nullable(try record.deadlineProblem.map(JSON.text)), .bool(record.expedited), .text(record.createdBy),
      .text(record.createdOn.description), .nullable(record.paidOn?.description), .null, .int(0),
      .timestamp(createdAt), .nullable(record.organisationID?.rawValue), .nullable(record.unitID?.rawValue),
      .nullable(stay?.start.description), .nullable(stay?.end.description),
    ]
  }
}

/// Members a bulk open has read already: each with their current employment, and their
/// active enrollments in the scheme.
struct KnownMembers {
  var people: [UUID: PersonRow] = [:]
  var cover: [UUID: [Enrollment]] = [:]
}

struct LedgerRow: Decodable {
  let worker_id: UUID
  let product_code: String
  let period_start: String
  let benefit_code: String
  let history: String
}

/// A member's earlier claim as the duplicate check reads it: its number and stay.
struct EarlierClaimRow: Decodable {
  let worker_id: UUID
  let number: String
  let stay_from: String
  let stay_to: String

  func stay() throws -> CoveragePeriod? {
    guard let start = CalendarDate(stay_from), let end = CalendarDate(stay_to) else {
      throw CorruptRow(table: ClaimModel.schema, column: "stay_from")
    }
    return CoveragePeriod(start: start, end: end)
  }

  /// The claims of `workers` (other than `except`, and not refused) whose stays overlap
  /// `span`, by the index of members' stays (``M039_ClaimStays``): as many as could be
  /// duplicates of a new stay, however long the members' histories. None without a span.
  static func overlapping(_ span: CoveragePeriod?, workers: [UUID], except: UUID? = nil, on sql: any SQLDatabase)
    async throws -> [EarlierClaimRow]
  {
    guard let span, !workers.isEmpty else { return [] }
    var query = sql.select().columns("worker_id", "number", "stay_from", "stay_to").from(ClaimModel.schema)
      .where(KeyLookup.oneOf(SQLIdentifier("worker_id"), workers, on: sql))
      .where("stay_to", .greaterThanOrEqual, span.start.description)
      .where("stay_from", .lessThanOrEqual, span.end.description)
      .where("state", .notEqual, ClaimState.rejected.rawValue)
    if let except { query = query.where("id", .notEqual, except) }
    return try await query.all(decoding: EarlierClaimRow.self)
  }
}

struct PaperRow: Decodable {
  let paper: String
  let number: String
  let intake: String

  func decoded() throws -> ClaimIntake {
    try JSON.value(ClaimIntake.self, intake, table: ClaimModel.schema, column: "intake")
  }
}

extension Array {
  /// Consecutive pieces of at most `size` elements.
  func chunks(of size: Int) -> [[Element]] {
    stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
  }
}
