import Dispatch
import Foundation
import Synchronization

/// One decided claim as the simulator replays it: the member as the claim was judged, their
/// paid cover in the scheme, the event, and how it was decided (what was paid, or the rule
/// it was refused by). Only facts: the what-if reads a year of a province's claims, so
/// nothing here is a whole record.
public struct SimulationCase: Sendable, Equatable {
  public let claimNumber: String
  public let memberID: Worker.ID
  public let unitID: WorkUnit.ID?
  /// Birth, gender, insurance and categories; the cover in force is chosen from `cover`.
  public let member: MemberFacts
  public let cover: [HeldCover]
  public let event: ClaimEvent
  /// The day it was paid, or refused.
  public let decidedOn: CalendarDate
  /// What was paid (zero for a refusal).
  public let paid: Money
  /// Why it was refused, when it was: always a reason the rules decide
  /// (``RejectionReason/isDecidedByRules``); claims refused for anything else are not replayed.
  public let refusal: RejectionReason?
  /// The cover the claim is judged under: the part of `cover` in force on the event's day,
  /// with the membership years counted. It depends on the case alone, so it is worked out
  /// once, not in every what-if; and the usual single cover is held in the case itself: the
  /// replay visits a million cases, and reaching each one's cover array on the heap was a
  /// tenth of its time.
  let judgedCover: JudgedCover

  enum JudgedCover: Sendable, Equatable {
    case one(HeldCover)
    case many([HeldCover])

    init(_ cover: [HeldCover], on day: CalendarDate) {
      let judged = ClaimCaseBuilder.withMembership(ClaimCaseBuilder.coverInForce(cover, on: day), among: cover)
      self = judged.count == 1 ? .one(judged[0]) : .many(judged)
    }
  }

  public init(
    claimNumber: String, memberID: Worker.ID, unitID: WorkUnit.ID?, member: MemberFacts, cover: [HeldCover],
    event: ClaimEvent, decidedOn: CalendarDate, paid: Money, refusal: RejectionReason? = nil
  ) {
    self.claimNumber = claimNumber
    self.memberID = memberID
    self.unitID = unitID
    self.member = member
    self.cover = cover
    self.event = event
    self.decidedOn = decidedOn
    self.paid = paid
    self.refusal = refusal
    judgedCover = JudgedCover(cover, on: event.eventDate ?? event.claimDate)
  }

  /// The case of a worker's claim from the records.
  public init(
    claimNumber: String, worker: Worker, enrollments: [Enrollment], intake: ClaimIntake, decidedOn: CalendarDate,
    paid: Money, refusal: RejectionReason? = nil
  ) {
    self.init(
      claimNumber: claimNumber, memberID: worker.id, unitID: worker.unitID,
      member: MemberFacts(worker),
      cover: enrollments.compactMap(\.heldCover), event: intake.event, decidedOn: decidedOn, paid: paid,
      refusal: refusal)
  }
}

/// "Can we raise the 30% to 40%?", "what if we lowered the deductible?": every claim decided
/// in a period (paid, paid nothing, or refused by a rule) judged again under the current
/// rules and under the changed ones, in the order they were decided, each member with their
/// own cap ledger, so caps and claim-count limits bite as they would have. Nothing is written
/// anywhere; the answer is the difference, the refused claims that would now pay, and what it
/// does to the fund.
///
/// A refused claim counts as the rules decided it: when the current rules pay it nothing, it
/// pays what the changed rules give. When the current rules would pay it, it was refused on
/// facts the rules do not hold (a person's judgement), and it stays refused under both
/// (``Result/refusalsStanding``). Neither set of rules puts a refusal in the member's ledger
/// unless it would now pay, as refused claims never were.
public enum WhatIf {
  /// The most one claim may pay under either set of rules for the replay to count it: a
  /// billion yuan, beyond any benefit. A draft's nonsense (a lump sum of fifteen digits, caps
  /// lifted) is a problem to report, and the totals of a province's years never pass 64 bits.
  public static let largestClaim = Money(fen: 100_000_000_000)

  public struct Line: Sendable, Equatable {
    public internal(set) var key: String
    public var label: String
    public var claims = 0
    public var actual = Money.zero
    public var before = Money.zero
    public var after = Money.zero
    /// A unit's line: the unit (nil on a product's line and on the line of members on their own).
    public var unitID: WorkUnit.ID? = nil
    public var difference: Money { after - before }

    mutating func add(_ other: Line) {
      claims += other.claims
      actual += other.actual
      before += other.before
      after += other.after
    }
  }

  public struct Result: Sendable, Equatable {
    /// Claims replayed, refused ones included.
    public let claims: Int
    /// Of them, claims refused by a rule.
    public let refused: Int
    /// Refused claims the changed rules would pay, and what they would pay.
    public let refusedNowPaying: Int
    public let refusedNowPayingAmount: Money
    /// Refused claims the current rules would pay: refused on other facts, they stay refused.
    public let refusalsStanding: Int
    /// Claims that paid under the current rules and would pay nothing under the changed ones.
    public let paidNowNothing: Int
    /// What was paid (after any reviewer's adjustment).
    public let actual: Money
    /// The same claims calculated again under the current rules, and under the changed ones.
    public let before: Money
    public let after: Money
    public let byProduct: [Line]
    /// Units with a difference, the largest first; keyed by the unit's ID ('' for members on
    /// their own), labelled by ``labellingUnits(_:)``.
    public internal(set) var byUnit: [Line]
    /// Members whose total would change.
    public let membersAffected: Int
    public let members: Int
    /// Money in over the same period and the persons it covered, for the ratios.
    public internal(set) var collected: Money
    public internal(set) var insuredPersons: Int
    /// The fund's balance now, and as it would stand had the changed rules paid these claims.
    public internal(set) var fundBalance: Money
    /// What the changed contributions would have brought in more (less, when negative) from
    /// the same members (``ContributionProjection``).
    public internal(set) var contributionChange: Money = .zero
    /// Claims the engine could not judge (a product the draft lacks…), with the reason.
    public let problems: [String]

    public var difference: Money { after - before }
    public var fundBalanceAfter: Money { fundBalance - difference + contributionChange }
    /// Money in had the changed contributions applied.
    public var collectedAfter: Money { collected + contributionChange }
    public var lossRatioBefore: Share { Share(before, of: collected) }
    public var lossRatioAfter: Share { Share(after, of: collectedAfter) }
    /// What the changed rules pay beyond what the changed contributions bring in (zero when
    /// they bring in enough): the money needed to break even.
    public var shortfall: Money { max(.zero, after - collectedAfter) }
    /// How many members, each paying what a member pays under the changed contributions,
    /// would pay for the changed rules' claims (rounded up); nil when nothing would be
    /// collected per member, or the count passes any real membership.
    public var membersToBreakEven: Int? {
      guard insuredPersons > 0, collectedAfter.fen > 0, after.fen >= 0 else { return nil }
      // after × persons ÷ collected, rounded up, in 128 bits: a province's claims times its
      // members passes 64.
      let product = after.fen.multipliedFullWidth(by: Int64(insuredPersons))
      let divisor = collectedAfter.fen
      // Past two billion members is no answer; below it the division cannot overflow.
      let limit = divisor.multipliedFullWidth(by: Int64(Int32.max))
      guard (product.high, product.low) < (limit.high, limit.low) else { return nil }
      let (quotient, remainder) = divisor.dividingFullWidth(product)
      return Int(quotient) + (remainder > 0 ? 1 : 0)
    }
    /// The contribution per insured person that would just pay the changed rules' claims
    /// (rounded up to the fen: a break-even price never falls short).
    public var breakEvenPerPerson: Money {
      guard insuredPersons > 0 else { return .zero }
      let persons = Int64(insuredPersons)
      return Money(fen: (after.fen + persons - 1) / persons)
    }
    public var collectedPerPerson: Money {
      guard insuredPersons > 0 else { return .zero }
      return Money(fen: collected.fen / Int64(insuredPersons))
    }

    /// The same replay against other money figures (read while the claims replayed).
    public func with(collected: Money, insuredPersons: Int, fundBalance: Money, contributionChange: Money = .zero)
      -> Result
    {
      var result = self
      result.collected = collected
      result.insuredPersons = insuredPersons
      result.fundBalance = fundBalance
      result.contributionChange = contributionChange
      return result
    }

    /// The units' lines named (the replay carries IDs only; names are read once, after).
    public func labellingUnits(_ names: [WorkUnit.ID: String]) -> Result {
      var result = self
      result.byUnit = byUnit.map { line in
        var line = line
        if let id = line.unitID, let name = names[id] { line.label = name }
        return line
      }
      return result
    }
  }

  public static func run(
    _ cases: [SimulationCase], current: CompiledScheme, changed: CompiledScheme, collected: Money, insuredPersons: Int,
    fundBalance: Money, names: [String: String] = [:], shards: Int? = nil
  ) -> Result {
    // Members are independent (caps and counts are per member), so their claims replay in
    // shards by member, one per core; within a member, payment order is kept. Shards hold
    // positions in `cases`, not copies: a province's year is 300,000 cases, and copying them
    // into shards and sorting the copies cost more than judging them.
    // Positions number cases in 32 bits: four billion cases would not fit in memory anyway.
    precondition(cases.count <= Int(UInt32.max), "more cases than a replay numbers")
    let shardCount = max(1, shards ?? min(ProcessInfo.processInfo.activeProcessorCount, cases.count / 2_000))
    var shards = Array(repeating: [Tally.Position](), count: shardCount)
    for shard in shards.indices { shards[shard].reserveCapacity(cases.count / shardCount + 1) }
    // Cases are read through a buffer pointer here and in the replay: an array's element
    // read copies the whole case (its event, member and cover) before taking one field of it,
    // and those copies were a fifth of the replay.
    cases.withUnsafeBufferPointer { cases in
      for index in cases.indices {
        let position = Tally.Position(index, member: cases[index].memberID, decidedOn: cases[index].decidedOn)
        shards[position.shard(of: shardCount)].append(position)
      }
    }
    let tallies = Mutex([Tally](repeating: Tally(), count: shardCount))
    let work = shards
    DispatchQueue.concurrentPerform(iterations: shardCount) { index in
      // Each core judges with rules of its own: every judgement retains and releases the
      // compiled products, versions and benefits, and cores sharing those objects spent most
      // of the replay passing their reference counts' cache lines to each other.
      let (current, changed) = index == 0 ? (current, changed) : (current.copy(), changed.copy())
      let tally = Tally(replaying: work[index], of: cases, current: current, changed: changed, names: names)
      tallies.withLock { $0[index] = tally }
    }
    var total = Tally()
    for tally in tallies.withLock({ $0 }) { total.add(tally) }
    return Result(
      claims: total.claims, refused: total.refused, refusedNowPaying: total.refusedNowPaying,
      refusedNowPayingAmount: total.refusedNowPayingAmount, refusalsStanding: total.refusalsStanding,
      paidNowNothing: total.paidNowNothing, actual: total.actual, before: total.before, after: total.after,
      byProduct: total.products.sorted { $0.key < $1.key },
      byUnit: total.units.map { unit, line in
        Line(
          key: unit?.description ?? "", label: "—", claims: line.claims, actual: line.actual,
          before: line.before, after: line.after, unitID: unit)
      }.filter { $0.difference != .zero }.sorted {
        ($0.difference.fen.magnitude, $1.key) > ($1.difference.fen.magnitude, $0.key)
      },
      membersAffected: total.membersAffected, members: total.members, collected: collected,
      insuredPersons: insuredPersons, fundBalance: fundBalance, problems: total.problems.sorted())
  }

  /// The sums of one shard of members' claims.
  struct Tally: Sendable {
    var claims = 0
    var refused = 0
    var refusedNowPaying = 0
    var refusedNowPayingAmount = Money.zero
    var refusalsStanding = 0
    var paidNowNothing = 0
    var actual = Money.zero
    var before = Money.zero
    var after = Money.zero
    /// By product, in the order first met: a scheme has a handful, searched faster than hashed.
    var products: [Line] = []
    /// By unit ID (nil: members on their own); keys and labels are made once, at the end.
    var units: [WorkUnit.ID?: Line] = [:]
    /// Members replayed, and those whose total would change (shards never share a member,
    /// so the counts add up).
    var members = 0
    var membersAffected = 0
    var problems: [String] = []

    init() {}

    /// Where a claim stands in the replay's order: by member, then in payment order. Sixteen
    /// bytes, sorted by a mix of the member's ID: a shard of half a million is sorted by
    /// moving these, and moving the 32 bytes of the ID, day and index was a sixth of the
    /// replay. Two members whose IDs mix alike (one pair in some ten billion) are told apart
    /// by their IDs, so each member's claims stay together.
    struct Position {
      /// The member's ID mixed (MurmurHash3's 64-bit finaliser over both halves): time-ordered
      /// IDs (version 7, as the province generator makes) share their first half over
      /// millions of members, and sharding by it alone put every claim in one shard.
      let mixed: UInt64
      let decidedOn: CalendarDate
      let index: UInt32

      init(_ index: Int, member: Worker.ID, decidedOn: CalendarDate) {
        let halves = Self.halves(member)
        var mixed = halves.0 ^ halves.1
        mixed ^= mixed >> 33
        mixed &*= 0xFF51_AFD7_ED55_8CCD
        mixed ^= mixed >> 33
        mixed &*= 0xC4CE_B9FE_1A85_EC53
        mixed ^= mixed >> 33
        self.mixed = mixed
        self.decidedOn = decidedOn
        self.index = UInt32(index)
      }

      static func halves(_ member: Worker.ID) -> (UInt64, UInt64) {
        withUnsafeBytes(of: member.rawValue.uuid) { $0.loadUnaligned(as: (UInt64, UInt64).self) }
      }

      func sameMember(as other: Position, in cases: UnsafeBufferPointer<SimulationCase>) -> Bool {
        mixed == other.mixed && cases[Int(index)].memberID == cases[Int(other.index)].memberID
      }

      /// The member's shard.
      func shard(of count: Int) -> Int { Int(mixed % UInt64(count)) }

      /// The shard's claims member by member, each member's in the order they were decided
      /// (on the same day, by their numbers).
      ///
      /// The mixes are spread evenly, so the positions are first dealt into as many buckets as
      /// there are positions by their mix's top bits (two passes, no comparisons), and only a
      /// bucket holding more than one is sorted: comparison sorting the whole shard was a
      /// tenth of the replay.
      static func ordered(_ shard: [Position], in cases: UnsafeBufferPointer<SimulationCase>) -> [Position] {
        guard shard.count > 1 else { return shard }
        let bits = Int.bitWidth - (shard.count - 1).leadingZeroBitCount
        func bucket(_ position: Position) -> Int {
          Int(truncatingIfNeeded: position.mixed >> UInt64(UInt64.bitWidth - bits))
        }
        // Where each bucket starts (the count of the buckets before it), then the positions
        // dealt to their places.
        var starts = [UInt32](repeating: 0, count: (1 << bits) + 1)
        for position in shard { starts[bucket(position) + 1] += 1 }
        for index in 1..<starts.count { starts[index] += starts[index - 1] }
        var next = starts
        var ordered = [Position](unsafeUninitializedCapacity: shard.count) { buffer, count in
          for position in shard {
            let place = bucket(position)
            (buffer.baseAddress! + Int(next[place])).initialize(to: position)
            next[place] += 1
          }
          count = shard.count
        }
        ordered.withUnsafeMutableBufferPointer { ordered in
          for index in 0..<(starts.count - 1) where starts[index + 1] - starts[index] > 1 {
            ordered[Int(starts[index])..<Int(starts[index + 1])].sort { lhs, rhs in
              if lhs.mixed != rhs.mixed { return lhs.mixed < rhs.mixed }
              let (left, right) = (cases[Int(lhs.index)].memberID, cases[Int(rhs.index)].memberID)
              if left != right { return halves(left) < halves(right) }
              if lhs.decidedOn != rhs.decidedOn { return lhs.decidedOn < rhs.decidedOn }
              return cases[Int(lhs.index)].claimNumber < cases[Int(rhs.index)].claimNumber
            }
          }
        }
        return ordered
      }
    }

    /// One member's claims, in payment order, each judged under both sets of rules against
    /// what the member's earlier claims paid under the same set. Only a member with more
    /// claims to come keeps cap ledgers: most members of a year have one claim, and building
    /// and freeing ledgers nobody reads was a third of the replay. Judgements go into buffers
    /// reused for every claim of the shard, without explanations: building a million of
    /// them was most of the replay's time.
    init(
      replaying shard: [Position], of cases: [SimulationCase], current: CompiledScheme, changed: CompiledScheme,
      names: [String: String]
    ) {
      self.init()
      var slots = ProductSlots(current: current, changed: changed, names: names)
      cases.withUnsafeBufferPointer { cases in
        let ordered = Position.ordered(shard, in: cases)
        var buffers = Buffers()
        var first = 0
        while first < ordered.count {
          var end = first + 1
          while end < ordered.count && ordered[end].sameMember(as: ordered[first], in: cases) { end += 1 }
          replayMember(
            ordered[first..<end], of: cases, current: current, changed: changed, buffers: &buffers, slots: &slots)
          first = end
        }
      }
      products = slots.lines.filter { $0.claims > 0 }
    }

    /// The products' lines while a shard replays, by the product's place in the current
    /// rules (a product only the changed rules have gets a place after them): a claim's
    /// judgements are tallied by number, without comparing or hashing a code.
    struct ProductSlots {
      var lines: [Line]
      /// For each of the changed rules' products, its line.
      let changedSlot: [Int]

      init(current: CompiledScheme, changed: CompiledScheme, names: [String: String]) {
        var lines = current.products.map { Line(key: $0.code, label: names[$0.code] ?? $0.code) }
        changedSlot = changed.products.map { product in
          if let slot = current.products.firstIndex(where: { $0.code == product.code }) { return slot }
          lines.append(Line(key: product.code, label: names[product.code] ?? product.code))
          return lines.count - 1
        }
        self.lines = lines
      }

      /// A product's line counts the claim once, whether it paid under one set of rules or both.
      mutating func add(was: [Adjudicator.Judged], would: [Adjudicator.Judged]) {
        for (offset, item) in was.enumerated()
        where !was[..<offset].contains(where: { $0.productPosition == item.productPosition }) {
          add(slot: item.productPosition, was: was, would: would)
        }
        for (offset, item) in would.enumerated() {
          let slot = changedSlot[item.productPosition]
          guard !would[..<offset].contains(where: { changedSlot[$0.productPosition] == slot }),
            !was.contains(where: { $0.productPosition == slot })
          else { continue }
          add(slot: slot, was: was, would: would)
        }
      }

      private mutating func add(slot: Int, was: [Adjudicator.Judged], would: [Adjudicator.Judged]) {
        var line = Line(key: "", label: "", claims: 1)
        for item in was where item.productPosition == slot { line.before += item.total }
        for item in would where changedSlot[item.productPosition] == slot { line.after += item.total }
        lines[slot].add(line)
      }
    }

    /// The line buffer and the two sets of judgements, kept between claims.
    struct Buffers {
      var lines: [ExplanationLine] = []
      var was: [Adjudicator.Judged] = []
      var would: [Adjudicator.Judged] = []

      init() {
        lines.reserveCapacity(16)
        was.reserveCapacity(8)
        would.reserveCapacity(8)
      }
    }

    mutating func replayMember(
      _ claims: ArraySlice<Position>, of cases: UnsafeBufferPointer<SimulationCase>, current: CompiledScheme,
      changed: CompiledScheme,
      buffers: inout Buffers, slots: inout ProductSlots
    ) {
      var ledgers = (before: ReplayLedger(), after: ReplayLedger())
      var difference = Money.zero
      var judged = false
      var memberUnit: (id: WorkUnit.ID?, line: Line) = (nil, Line(key: "", label: ""))
      for position in claims.indices {
        let index = Int(claims[position].index)
        let keepsLedger = position < claims.endIndex - 1
        // The event is read in place (through the buffer), never copied out: it is the case's
        // largest part, and copying it for each claim was a twentieth of the replay.
        do {
          switch cases[index].judgedCover {
          case .one(let held):
            try Self.judge(
              index, of: cases, under: CollectionOfOne(held), ledgers: ledgers, current: current, changed: changed,
              buffers: &buffers)
          case .many(let cover):
            try Self.judge(
              index, of: cases, under: cover, ledgers: ledgers, current: current, changed: changed, buffers: &buffers)
          }
        } catch {
          problems.append("\(cases[index].claimNumber): " + error.errors.map(\.message.zh).joined(separator: "；"))
          continue
        }
        guard buffers.was.allWithin(WhatIf.largestClaim), buffers.would.allWithin(WhatIf.largestClaim) else {
          problems.append("\(cases[index].claimNumber): 给付金额超出可测算的范围（单笔10亿元）")
          continue
        }
        judged = true
        var wasTotal = buffers.was.total
        var wouldTotal = buffers.would.total
        var counted = true
        let paid = cases[index].paid
        let refusal = cases[index].refusal
        if refusal != nil {
          refused += 1
          if !wasTotal.isZero {
            // Refused although the rules pay it: on facts the rules do not hold, under both.
            refusalsStanding += 1
            wasTotal = .zero
            wouldTotal = .zero
            counted = false
          } else if !wouldTotal.isZero {
            refusedNowPaying += 1
            refusedNowPayingAmount += wouldTotal
          }
        } else if !wasTotal.isZero && wouldTotal.isZero {
          paidNowNothing += 1
        }
        if keepsLedger {
          // A refusal never entered the ledger; under the changed rules it does once it pays.
          if refusal == nil { ledgers.before.record(buffers.was, event: cases[index].event) }
          if refusal == nil || !wouldTotal.isZero { ledgers.after.record(buffers.would, event: cases[index].event) }
        }
        difference += wouldTotal - wasTotal
        self.claims += 1
        actual += paid
        before += wasTotal
        after += wouldTotal
        if counted { slots.add(was: buffers.was, would: buffers.would) }
        // A member's claims are usually all of one unit's: added up, and hashed in once when
        // the unit changes (a transfer between claims) or the member's claims end.
        let unit = cases[index].unitID
        if unit != memberUnit.id {
          if memberUnit.line.claims > 0 { units[memberUnit.id, default: Line(key: "", label: "")].add(memberUnit.line) }
          memberUnit = (unit, Line(key: "", label: ""))
        }
        memberUnit.line.add(Line(key: "", label: "", claims: 1, actual: paid, before: wasTotal, after: wouldTotal))
      }
      if memberUnit.line.claims > 0 { units[memberUnit.id, default: Line(key: "", label: "")].add(memberUnit.line) }
      if judged {
        members += 1
        if difference != .zero { membersAffected += 1 }
      }
    }

    /// A case judged under both sets of rules, into `buffers.was` and `buffers.would`.
    static func judge(
      _ index: Int, of cases: UnsafeBufferPointer<SimulationCase>, under cover: some Collection<HeldCover>,
      ledgers: (before: ReplayLedger, after: ReplayLedger), current: CompiledScheme, changed: CompiledScheme,
      buffers: inout Buffers
    ) throws(ValidationFailure) {
      try Adjudicator.judge(
        cover, of: cases[index].member, event: cases[index].event, ledger: ledgers.before, under: current,
        lines: &buffers.lines, into: &buffers.was)
      try Adjudicator.judge(
        cover, of: cases[index].member, event: cases[index].event, ledger: ledgers.after, under: changed,
        lines: &buffers.lines, into: &buffers.would)
    }

    mutating func add(productLine line: Line) {
      if let index = products.firstIndex(where: { $0.key == line.key }) {
        products[index].add(line)
      } else {
        products.append(line)
      }
    }

    mutating func add(_ other: Tally) {
      claims += other.claims
      refused += other.refused
      refusedNowPaying += other.refusedNowPaying
      refusedNowPayingAmount += other.refusedNowPayingAmount
      refusalsStanding += other.refusalsStanding
      paidNowNothing += other.paidNowNothing
      actual += other.actual
      before += other.before
      after += other.after
      for line in other.products { add(productLine: line) }
      for (key, line) in other.units { units[key, default: Line(key: "", label: "")].add(line) }
      members += other.members
      membersAffected += other.membersAffected
      problems += other.problems
    }
  }
}

extension [Adjudicator.Judged] {
  var total: Money { reduce(.zero) { $0 + $1.total } }

  /// Whether every amount, and their sum, is at most `largest` either way (checked as it adds
  /// up: the amounts may be anything a draft makes).
  func allWithin(_ largest: Money) -> Bool {
    var sum: Int64 = 0
    for item in self {
      let amount = item.total
      guard amount.fen.magnitude <= largest.fen.magnitude else { return false }
      let (added, overflow) = sum.addingReportingOverflow(amount.fen)
      guard !overflow, added.magnitude <= largest.fen.magnitude else { return false }
      sum = added
    }
    return true
  }

}

/// What changed contributions would have brought in from the members insured in the period:
/// for each product and coverage period, the persons it covered times the difference between
/// the changed version's price per share and the current one's (one share a person: the
/// counts kept per period are of persons). Where a version prices by years of membership
/// (contribution continuity steps), first-time members are priced at the first year's price
/// and renewing members at the second year's: the counts kept tell new from renewing members,
/// not their years, so steps from a third year on are not projected. A period whose product or
/// price is missing under either set of rules adds nothing; a change past ``largest`` (a
/// draft's nonsense price) counts as none.
public enum ContributionProjection {
  /// A trillion yuan: more than any fund takes in.
  public static let largest = Money(fen: 100_000_000_000_000)

  /// Persons covered by a product for a coverage period starting on a day, and how many of them
  /// renewed an earlier period.
  public struct Cover: Sendable, Equatable {
    public let product: String
    public let periodStart: CalendarDate
    public let persons: Int
    public let renewing: Int

    public init(product: String, periodStart: CalendarDate, persons: Int, renewing: Int = 0) {
      self.product = product
      self.periodStart = periodStart
      self.persons = persons
      self.renewing = min(max(renewing, 0), persons)
    }
  }

  public static func change(_ cover: [Cover], current: CompiledScheme, changed: CompiledScheme) -> Money {
    var total = Money.zero
    for group in cover {
      guard
        let was = current.product(group.product)?.version(forCoverageStartingOn: group.periodStart),
        let will = changed.product(group.product)?.version(forCoverageStartingOn: group.periodStart)
      else { continue }
      for (year, persons) in [(1, group.persons - group.renewing), (2, group.renewing)] where persons > 0 {
        guard let before = was.contributionPerShare(inYear: year), let after = will.contributionPerShare(inYear: year),
          after != before
        else { continue }
        // Prices and counts come from stored schemes and rows, but a draft's price is typed: the
        // product is checked, and a sum past any fund's size is left out rather than trapping.
        let (difference, negated) = after.fen.subtractingReportingOverflow(before.fen)
        let (perPerson, overflow) = difference.multipliedReportingOverflow(by: Int64(persons))
        guard !negated, !overflow else { return .zero }
        let (sum, passed) = total.fen.addingReportingOverflow(perPerson)
        guard !passed, sum.magnitude <= largest.fen.magnitude else { return .zero }
        total = Money(fen: sum)
      }
    }
    return total
  }
}
