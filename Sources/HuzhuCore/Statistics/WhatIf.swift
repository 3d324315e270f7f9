import Dispatch
import Foundation
import Synchronization

/// One paid claim as the simulator replays it: the member as the claim was judged, their
/// paid cover in the scheme, the event, and what was actually paid. Only facts: the what-if
/// reads a year of a province's claims, so nothing here is a whole record.
public struct SimulationCase: Sendable, Equatable {
  public let claimNumber: String
  public let memberID: Worker.ID
  public let unitID: WorkUnit.ID?
  /// Birth, gender, insurance and categories; the cover in force is chosen from `cover`.
  public let member: MemberFacts
  public let cover: [HeldCover]
  public let event: ClaimEvent
  public let paidOn: CalendarDate
  public let paid: Money

  public init(
    claimNumber: String, memberID: Worker.ID, unitID: WorkUnit.ID?, member: MemberFacts, cover: [HeldCover],
    event: ClaimEvent, paidOn: CalendarDate, paid: Money
  ) {
    self.claimNumber = claimNumber
    self.memberID = memberID
    self.unitID = unitID
    self.member = member
    self.cover = cover
    self.event = event
    self.paidOn = paidOn
    self.paid = paid
  }

  /// The case of a worker's claim from the records.
  public init(
    claimNumber: String, worker: Worker, enrollments: [Enrollment], intake: ClaimIntake, paidOn: CalendarDate,
    paid: Money
  ) {
    self.init(
      claimNumber: claimNumber, memberID: worker.id, unitID: worker.unitID,
      member: MemberFacts(worker),
      cover: enrollments.compactMap(\.heldCover), event: intake.event, paidOn: paidOn, paid: paid)
  }
}

/// "Can we raise the 30% to 40%?": every paid claim of a period judged again under the
/// current rules and under the changed ones, in the order they were paid, each member with
/// their own cap ledger, so caps and claim-count limits bite as they would have. Nothing is
/// written anywhere; the answer is the difference and what it does to the fund.
public enum WhatIf {
  public struct Line: Sendable, Equatable {
    public let key: String
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
    public let claims: Int
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
    /// Claims the engine could not judge (a product the draft lacks…), with the reason.
    public let problems: [String]

    public var difference: Money { after - before }
    public var fundBalanceAfter: Money { fundBalance - difference }
    public var lossRatioBefore: Share { Share(before, of: collected) }
    public var lossRatioAfter: Share { Share(after, of: collected) }
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
    public func with(collected: Money, insuredPersons: Int, fundBalance: Money) -> Result {
      var result = self
      result.collected = collected
      result.insuredPersons = insuredPersons
      result.fundBalance = fundBalance
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
    let shardCount = max(1, shards ?? min(ProcessInfo.processInfo.activeProcessorCount, cases.count / 2_000))
    var shards = Array(repeating: [Tally.Position](), count: shardCount)
    for shard in shards.indices { shards[shard].reserveCapacity(cases.count / shardCount + 1) }
    for index in cases.indices {
      let position = Tally.Position(index, member: cases[index].memberID, paidOn: cases[index].paidOn)
      shards[position.shard(of: shardCount)].append(position)
    }
    let tallies = Mutex([Tally](repeating: Tally(), count: shardCount))
    let work = shards
    DispatchQueue.concurrentPerform(iterations: shardCount) { index in
      let tally = Tally(replaying: work[index], of: cases, current: current, changed: changed, names: names)
      tallies.withLock { $0[index] = tally }
    }
    var total = Tally()
    for tally in tallies.withLock({ $0 }) { total.add(tally) }
    return Result(
      claims: total.claims, actual: total.actual, before: total.before, after: total.after,
      byProduct: total.products.values.sorted { $0.key < $1.key },
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
    var actual = Money.zero
    var before = Money.zero
    var after = Money.zero
    var products: [String: Line] = [:]
    /// By unit ID (nil: members on their own); keys and labels are made once, at the end.
    var units: [WorkUnit.ID?: Line] = [:]
    /// Members replayed, and those whose total would change (shards never share a member,
    /// so the counts add up).
    var members = 0
    var membersAffected = 0
    var problems: [String] = []

    init() {}

    /// Where a claim stands in the replay's order: by member, then in payment order. The
    /// member's ID as two integers, so that sorting a shard compares numbers, not objects.
    struct Position {
      let member: (UInt64, UInt64)
      let paidOn: CalendarDate
      let index: Int

      init(_ index: Int, member: Worker.ID, paidOn: CalendarDate) {
        self.member = withUnsafeBytes(of: member.rawValue.uuid) { $0.loadUnaligned(as: (UInt64, UInt64).self) }
        self.paidOn = paidOn
        self.index = index
      }

      func sameMember(as other: Position) -> Bool { member == other.member }

      /// The member's shard, from both halves of the ID mixed: time-ordered IDs (version 7,
      /// as the province generator makes) share their first half over millions of members,
      /// and sharding by it alone put every claim in one shard, on one core.
      /// (MurmurHash3's 64-bit finaliser: every bit of the ID moves the result's low bits.)
      func shard(of count: Int) -> Int {
        var mixed = member.0 ^ member.1
        mixed ^= mixed >> 33
        mixed &*= 0xFF51_AFD7_ED55_8CCD
        mixed ^= mixed >> 33
        mixed &*= 0xC4CE_B9FE_1A85_EC53
        mixed ^= mixed >> 33
        return Int(mixed % UInt64(count))
      }

      /// The shard's claims member by member, each member's in the order they were paid
      /// (on the same day, by their numbers).
      static func ordered(_ shard: [Position], in cases: [SimulationCase]) -> [Position] {
        shard.sorted { lhs, rhs in
          if lhs.member != rhs.member { return lhs.member < rhs.member }
          if lhs.paidOn != rhs.paidOn { return lhs.paidOn < rhs.paidOn }
          return cases[lhs.index].claimNumber < cases[rhs.index].claimNumber
        }
      }
    }

    /// One member's claims, in payment order, each judged under both sets of rules against
    /// what the member's earlier claims paid under the same set. Only a member with more
    /// claims to come keeps cap ledgers: most members of a year have one claim, and building
    /// and freeing ledgers nobody reads was a third of the replay.
    init(
      replaying shard: [Position], of cases: [SimulationCase], current: CompiledScheme, changed: CompiledScheme,
      names: [String: String]
    ) {
      let ordered = Position.ordered(shard, in: cases)
      var first = 0
      while first < ordered.count {
        var end = first + 1
        while end < ordered.count && ordered[end].sameMember(as: ordered[first]) { end += 1 }
        replayMember(ordered[first..<end].map(\.index), of: cases, current: current, changed: changed, names: names)
        first = end
      }
    }

    mutating func replayMember(
      _ claims: [Int], of cases: [SimulationCase], current: CompiledScheme, changed: CompiledScheme,
      names: [String: String]
    ) {
      var ledgers = (before: CapLedger(), after: CapLedger())
      var difference = Money.zero
      var judged = false
      for (position, index) in claims.enumerated() {
        // Fields are read from the array in place: copying whole cases out of it (their
        // event, member and cover) was a fifth of the replay.
        let keepsLedger = position < claims.count - 1
        func judge(_ scheme: CompiledScheme, _ ledger: inout CapLedger) -> [BenefitAmount]? {
          let claimCase = ClaimCaseBuilder.build(
            member: cases[index].member, cover: cases[index].cover, event: cases[index].event,
            claimDate: cases[index].event.claimDate, ledger: ledger)
          do {
            let explanation = try Adjudicator.adjudicate(claimCase, under: scheme)
            let amounts = BenefitAmount.split(explanation, total: nil)
            if keepsLedger { ledger.record(explanation, paying: amounts, event: claimCase.event) }
            return amounts
          } catch {
            problems.append("\(cases[index].claimNumber): " + error.errors.map(\.message.zh).joined(separator: "；"))
            return nil
          }
        }
        guard let was = judge(current, &ledgers.before), let would = judge(changed, &ledgers.after) else { continue }
        judged = true
        let wasTotal = was.total
        let wouldTotal = would.total
        let paid = cases[index].paid
        difference += wouldTotal - wasTotal
        self.claims += 1
        actual += paid
        before += wasTotal
        after += wouldTotal
        // A product's line counts the claim once, whether it paid under one set of rules or both.
        let amounts = was + would
        for (offset, amount) in amounts.enumerated()
        where !amounts[..<offset].contains(where: { $0.product == amount.product }) {
          add(product: amount.product, was: was, would: would, names: names)
        }
        units[cases[index].unitID, default: Line(key: "", label: "")].add(
          Line(key: "", label: "", claims: 1, actual: paid, before: wasTotal, after: wouldTotal))
      }
      if judged {
        members += 1
        if difference != .zero { membersAffected += 1 }
      }
    }

    mutating func add(product: String, was: [BenefitAmount], would: [BenefitAmount], names: [String: String]) {
      products[product, default: Line(key: product, label: names[product] ?? product)].add(
        Line(
          key: product, label: "", claims: 1, before: was.total(of: product), after: would.total(of: product)))
    }

    mutating func add(_ other: Tally) {
      claims += other.claims
      actual += other.actual
      before += other.before
      after += other.after
      for (key, line) in other.products { products[key, default: Line(key: key, label: line.label)].add(line) }
      for (key, line) in other.units { units[key, default: Line(key: "", label: "")].add(line) }
      members += other.members
      membersAffected += other.membersAffected
      problems += other.problems
    }
  }
}

extension [BenefitAmount] {
  var total: Money { reduce(.zero) { $0 + $1.amount } }

  func total(of product: String) -> Money {
    reduce(.zero) { $1.product == product ? $0 + $1.amount : $0 }
  }
}
