/// One line of the fund ledger (互助金台账). The ledger is append-only: a mistake is undone
/// by a reversing entry, never by editing one (the database refuses updates and deletes).
///
/// Money in is positive (contributions, subsidies); money out negative (claims paid).
/// The fund's period is the rule version: contributions priced by the 2019 rules and claims
/// judged by them meet in the same period.
public struct FundEntry: Hashable, Sendable, Codable, Identifiable {
  public typealias ID = Identifier<FundEntry>

  public let id: ID
  public let schemeCode: String
  public let productCode: String
  public let versionLabel: String
  public let postedOn: CalendarDate
  public let kind: FundEntryKind
  /// Who paid it in, for contributions and subsidies.
  public let payer: PayerType?
  public let amount: Money
  /// The payment, claim or entry this one comes from.
  public let sourceID: String
  public let memo: String

  public init(
    id: ID = ID(), schemeCode: String, productCode: String, versionLabel: String, postedOn: CalendarDate,
    kind: FundEntryKind, payer: PayerType?, amount: Money, sourceID: String, memo: String
  ) {
    self.id = id
    self.schemeCode = schemeCode
    self.productCode = productCode
    self.versionLabel = versionLabel
    self.postedOn = postedOn
    self.kind = kind
    self.payer = payer
    self.amount = amount
    self.sourceID = sourceID
    self.memo = memo
  }

  /// The entry a contribution payment posts: union money is a subsidy, the rest contributions.
  public static func posting(_ payment: Payment, of bill: Bill) -> FundEntry {
    let isSubsidy = [.unionProvince, .unionCity, .unionCounty].contains(payment.payer)
    return FundEntry(
      schemeCode: bill.schemeCode, productCode: bill.productCode, versionLabel: bill.versionLabel,
      postedOn: payment.paidOn, kind: isSubsidy ? .subsidy : .contribution, payer: payment.payer,
      amount: payment.amount, sourceID: payment.id.description,
      memo: "\(bill.number) \(payment.receiptNumber)")
  }
}

public enum FundEntryKind: String, Hashable, Sendable, Codable, CaseIterable {
  case contribution
  case subsidy
  case claimPayment = "claim_payment"
  case reversal
  /// The fund's money when Huzhu took it over (the spreadsheet era's closing balance), with
  /// the accounting voucher it comes from.
  case openingBalance = "opening_balance"
  /// A closed period's balance leaving it (negative), and the same amount arriving in the
  /// next period (positive): the two always sum to zero.
  case carriedForward = "carried_forward"
  case broughtForward = "brought_forward"
  /// Money a member paid back on a claim found wrong (追回), credited to the products that paid
  /// it (``RecoveryRules``).
  case recovery
  /// Contributions paid back to their payer when a member's cover is withdrawn (退费,
  /// ``RefundRules``): negative.
  case refund

  public var label: LocalizedText {
    switch self {
    case .contribution: LocalizedText(zh: "互助金缴费", en: "contribution")
    case .subsidy: LocalizedText(zh: "工会补贴", en: "union subsidy")
    case .claimPayment: LocalizedText(zh: "互助金给付", en: "claim paid")
    case .reversal: LocalizedText(zh: "冲正", en: "reversal")
    case .openingBalance: LocalizedText(zh: "期初结余", en: "opening balance")
    case .carriedForward: LocalizedText(zh: "结转下期", en: "carried forward")
    case .broughtForward: LocalizedText(zh: "上期结转", en: "brought forward")
    case .recovery: LocalizedText(zh: "追回", en: "recovered")
    case .refund: LocalizedText(zh: "退费", en: "refunded")
    }
  }
}

/// The reconciliation of one scheme's fund for one period (rule version): opening +
/// contributions + subsidies − refunds − claims paid (+ reversals + recoveries) − carried forward = balance, by
/// construction of the sums. A closed period's balance is zero: it went to the next one.
public struct FundBalance: Hashable, Sendable, Codable {
  public let schemeCode: String
  public let versionLabel: String
  /// What the period started with: an opening balance taken over, or the previous period's.
  public var opening: Money = .zero
  public var contributions: Money = .zero
  public var subsidies: Money = .zero
  /// A positive figure: what went out to members.
  public var claimsPaid: Money = .zero
  public var reversals: Money = .zero
  /// Money paid back on claims found wrong (追回).
  public var recoveries: Money = .zero
  /// A positive figure: contributions refunded to their payers (退费).
  public var refunds: Money = .zero
  /// A positive figure: what the period's close moved to the next period.
  public var carriedForward: Money = .zero
  public var entryCount = 0

  public init(schemeCode: String, versionLabel: String) {
    self.schemeCode = schemeCode
    self.versionLabel = versionLabel
  }

  public var balance: Money {
    opening + contributions + subsidies - refunds - claimsPaid + reversals + recoveries - carriedForward
  }

  public mutating func add(kind: FundEntryKind, amount: Money, count: Int = 1) {
    switch kind {
    case .contribution: contributions += amount
    case .subsidy: subsidies += amount
    case .claimPayment: claimsPaid -= amount
    case .reversal: reversals += amount
    case .recovery: recoveries += amount
    case .refund: refunds -= amount
    case .openingBalance, .broughtForward: opening += amount
    case .carriedForward: carriedForward -= amount
    }
    entryCount += count
  }

  /// The sum of several balances (every scheme and period together).
  public static func total(of balances: [FundBalance]) -> FundBalance {
    var total = FundBalance(schemeCode: "", versionLabel: "")
    for balance in balances {
      total.contributions += balance.contributions
      total.subsidies += balance.subsidies
      total.claimsPaid += balance.claimsPaid
      total.reversals += balance.reversals
      total.recoveries += balance.recoveries
      total.refunds += balance.refunds
      total.opening += balance.opening
      total.carriedForward += balance.carriedForward
      total.entryCount += balance.entryCount
    }
    return total
  }

  /// Balances per scheme and period from entries, sorted by scheme then period.
  public static func reconcile(_ entries: [FundEntry]) -> [FundBalance] {
    var balances: [String: FundBalance] = [:]
    for entry in entries {
      let key = "\(entry.schemeCode)\u{0}\(entry.versionLabel)"
      balances[key, default: FundBalance(schemeCode: entry.schemeCode, versionLabel: entry.versionLabel)]
        .add(kind: entry.kind, amount: entry.amount)
    }
    return balances.values.sorted { ($0.schemeCode, $0.versionLabel) < ($1.schemeCode, $1.versionLabel) }
  }
}

extension FundLedgerRules {
  /// The most entries one ledger export holds: a year of a large fund. Past it, the export
  /// asks for one period (rule version) at a time.
  public static let largestExport = 200_000

  /// A fund's entries as a table for export: every entry as it stands (reversals, recoveries
  /// and carried balances in their own rows, never netted), oldest first, and their sum.
  public static func ledgerTable(_ entries: [FundEntry], scheme: String, version: String?, english: Bool)
    -> ReportTable
  {
    ReportTable(
      id: "fund-ledger",
      title: LocalizedText(
        zh: "互助金台账 \(scheme)\(version.map { " \($0)" } ?? "")",
        en: "Fund ledger \(scheme)\(version.map { " \($0)" } ?? "")"),
      columns: [
        LocalizedText(zh: "记账日期", en: "Posted"), LocalizedText(zh: "产品", en: "Product"),
        LocalizedText(zh: "期间", en: "Period"), LocalizedText(zh: "类别", en: "Kind"),
        LocalizedText(zh: "金额（元）", en: "Amount (yuan)"), LocalizedText(zh: "来源", en: "Source"),
        LocalizedText(zh: "摘要", en: "Memo"),
      ],
      rows: entries.map { entry in
        [
          .date(entry.postedOn), .text(entry.productCode), .text(entry.versionLabel),
          .text(english ? entry.kind.label.en : entry.kind.label.zh),
          .money(entry.amount), .text(entry.sourceID), .text(entry.memo),
        ]
      },
      totals: [
        .text(english ? "Total" : "合计"), .text(""), .text(""), .text(""),
        .money(entries.reduce(Money.zero) { $0 + $1.amount }),
        .text(""), .text(""),
      ])
  }
}
