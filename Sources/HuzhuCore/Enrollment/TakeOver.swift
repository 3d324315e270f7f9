import Foundation

// Taking over from the spreadsheet era: the members and their cover as the federation's
// last records show them, and what the current period has paid them already, so that
// renewals keep continuity (no new waiting period) and caps and paid counts hold. Each sheet
// is checked row by row, then taken over whole or not at all.
//
// The money of those years is not posted again: it is in the fund's opening balance
// (``FundLedgerRules/openingBalance(_:scheme:product:version:reference:postedOn:closed:alreadyOpened:)``).

/// The columns of the cover sheet (在保人员名单).
public enum CoverColumn: String, SheetColumn {
  case creditCode, idNumber, name, product, periodStart, coverFrom, previousCoverEnd, shares, certificateNumber

  public var headers: [String] {
    switch self {
    case .creditCode: ["单位统一社会信用代码", "统一社会信用代码", "信用代码", "creditcode"]
    case .idNumber: ["身份证号", "身份证号码", "公民身份号码", "idnumber"]
    case .name: ["姓名", "name"]
    case .product: ["产品编码", "产品", "product"]
    case .periodStart: ["保障期起", "保障期开始", "保障期起始日", "periodstart"]
    case .coverFrom: ["保障生效日", "生效日期", "coverfrom"]
    case .previousCoverEnd: ["上期保障止", "上期保障截止日", "previouscoverend"]
    case .shares: ["份数", "参保份数", "shares"]
    case .certificateNumber: ["保障书编号", "原保障书编号", "certificate", "certificatenumber"]
    }
  }

  public var label: LocalizedText {
    switch self {
    case .creditCode: LocalizedText(zh: "单位统一社会信用代码", en: "unit credit code")
    case .idNumber: LocalizedText(zh: "身份证号", en: "ID number")
    case .name: LocalizedText(zh: "姓名", en: "name")
    case .product: LocalizedText(zh: "产品编码", en: "product")
    case .periodStart: LocalizedText(zh: "保障期起", en: "period start")
    case .coverFrom: LocalizedText(zh: "保障生效日", en: "cover from")
    case .previousCoverEnd: LocalizedText(zh: "上期保障止", en: "previous cover end")
    case .shares: LocalizedText(zh: "份数", en: "shares")
    case .certificateNumber: LocalizedText(zh: "保障书编号", en: "certificate number")
    }
  }

  public static let required: [CoverColumn] = [.creditCode, .idNumber, .name, .product, .periodStart]
}

/// The columns of the paid-claims sheet (本期已给付明细): one row per claim paid.
public enum PaidClaimColumn: String, SheetColumn {
  case idNumber, name, product, periodStart, benefit, paidAmount, paidOn, stays, allowanceDays, reference
  case admissionDate, dischargeDate, settlementSheet

  public var headers: [String] {
    switch self {
    case .idNumber: ["身份证号", "身份证号码", "公民身份号码", "idnumber"]
    case .name: ["姓名", "name"]
    case .product: ["产品编码", "产品", "product"]
    case .periodStart: ["保障期起", "保障期开始", "保障期起始日", "periodstart"]
    case .benefit: ["给付项目编码", "给付项目", "benefit"]
    case .paidAmount: ["给付金额", "实付金额", "paidamount", "amount"]
    case .paidOn: ["给付日期", "支付日期", "paidon"]
    case .stays: ["住院次数", "stays"]
    case .allowanceDays: ["补助天数", "津贴天数", "allowancedays"]
    case .reference: ["原给付编号", "给付编号", "原单号", "reference"]
    case .admissionDate: ["入院日期", "admissiondate"]
    case .dischargeDate: ["出院日期", "dischargedate"]
    case .settlementSheet: ["结算单号", "医保结算单号", "settlementsheet"]
    }
  }

  public var label: LocalizedText {
    switch self {
    case .idNumber: LocalizedText(zh: "身份证号", en: "ID number")
    case .name: LocalizedText(zh: "姓名", en: "name")
    case .product: LocalizedText(zh: "产品编码", en: "product")
    case .periodStart: LocalizedText(zh: "保障期起", en: "period start")
    case .benefit: LocalizedText(zh: "给付项目编码", en: "benefit")
    case .paidAmount: LocalizedText(zh: "给付金额", en: "amount paid")
    case .paidOn: LocalizedText(zh: "给付日期", en: "paid on")
    case .stays: LocalizedText(zh: "住院次数", en: "stays")
    case .allowanceDays: LocalizedText(zh: "补助天数", en: "allowance days")
    case .reference: LocalizedText(zh: "原给付编号", en: "old reference")
    case .admissionDate: LocalizedText(zh: "入院日期", en: "admission date")
    case .dischargeDate: LocalizedText(zh: "出院日期", en: "discharge date")
    case .settlementSheet: LocalizedText(zh: "结算单号", en: "settlement sheet number")
    }
  }

  public static let required: [PaidClaimColumn] = [
    .idNumber, .name, .product, .periodStart, .benefit, .paidAmount, .paidOn, .reference,
  ]
}

/// One member's cover as the old records show it.
public struct CoverTakeOverRow: Sendable {
  public let rowNumber: Int
  public var unit: WorkUnit?
  public var workerID: Worker.ID?
  public var name: String
  public var product: String
  public var versionLabel: String
  public var period: CoveragePeriod?
  public var coverFrom: CalendarDate?
  public var previousCoverEnd: CalendarDate?
  public var shares: Int
  /// The certificate number printed in the old system; nil: Huzhu numbers it.
  public var certificateNumber: String?
  public var errors: [FieldError]
}

/// One claim the current period paid before Huzhu, as far as the caps need it.
public struct PaidClaimTakeOverRow: Sendable {
  public let rowNumber: Int
  public var workerID: Worker.ID?
  public var name: String
  public var product: String
  public var periodStart: CalendarDate?
  public var benefit: String
  public var amount: Money
  public var paidOn: CalendarDate?
  public var stays: Int
  public var allowanceDays: Int
  public var reference: String
  /// The stay and the settlement sheet, when the old records have them: a claim for the same
  /// stay or sheet in Huzhu is flagged as a duplicate of this one.
  public var stay: CoveragePeriod?
  public var settlementSheet: String?
  public var errors: [FieldError]
}

/// What the registry and Huzhu's records say about the people a take-over sheet names.
public struct TakeOverFacts: Sendable {
  /// Units in the importer's area, by credit code (upper case).
  public let units: [String: WorkUnit]
  /// People in the importer's area, by ID number (upper case).
  public let people: [String: Worker]
  /// Their cover in the scheme, by person.
  public let cover: [Worker.ID: [Enrollment]]
  /// Certificate numbers in use (of those the sheet names).
  public let usedCertificates: Set<String>
  /// Old references already taken over (of those the sheet names).
  public let usedReferences: Set<String>
  /// The nodes the scheme serves; nil: every node.
  public var servedNodes: Set<Organisation.ID>?

  public init(
    units: [String: WorkUnit] = [:], people: [String: Worker], cover: [Worker.ID: [Enrollment]],
    usedCertificates: Set<String> = [], usedReferences: Set<String> = [], servedNodes: Set<Organisation.ID>? = nil
  ) {
    self.servedNodes = servedNodes
    self.units = units
    self.people = people
    self.cover = cover
    self.usedCertificates = usedCertificates
    self.usedReferences = usedReferences
  }
}

public enum TakeOver {
  /// The largest amount one claim row may carry: a million yuan.
  public static let largestClaim = Money(yuan: 1_000_000)

  /// Checks the cover sheet. A row's person must be in the registry (import the rosters
  /// first) and its unit in the importer's area; the product's rule version for the period
  /// must exist; the period must have begun by `today` (a coming period is enrolled, not taken
  /// over); the person may not hold cover of the product already in an overlapping period.
  /// The rules of enrollment (age, participation, window) are not applied: the old records are
  /// what was decided then.
  public static func cover(
    _ cells: [[RosterCell]], scheme: CompiledScheme, facts: TakeOverFacts, today: CalendarDate
  ) -> RegistryImportPreview<CoverTakeOverRow> {
    guard let (headerIndex, columns) = SheetHeader.find(cells, CoverColumn.self) else {
      return .init(rows: [], fileErrors: [SheetHeader.missing(CoverColumn.self)], rowErrors: \.errors)
    }
    var rows: [CoverTakeOverRow] = []
    var rowOfPerson: [String: Int] = [:]
    var rowOfCertificate: [String: Int] = [:]
    for var sheet in SheetHeader.rows(cells, below: headerIndex, columns: columns) {
      func cell(_ column: CoverColumn) -> RosterCell { sheet.cell(column) }
      func text(_ column: CoverColumn) -> String { sheet.text(column) }
      func fail(_ column: CoverColumn, _ code: String, zh: String, en: String) {
        sheet.fail(column, code, zh: zh, en: en)
      }
      let rowNumber = sheet.number
      var row = CoverTakeOverRow(
        rowNumber: rowNumber, name: text(.name), product: text(.product), versionLabel: "", shares: 1, errors: [])

      let creditCode = text(.creditCode).uppercased()
      row.unit = facts.units[creditCode]
      if let unit = row.unit {
        if let served = facts.servedNodes, !served.contains(unit.organisationID) {
          fail(
            .creditCode, "scheme_not_serving", zh: "本方案不适用于“\(unit.name)”所在的组织",
            en: "the scheme does not serve \(unit.name)'s node")
        }
      } else {
        fail(
          .creditCode, "unknown_unit", zh: "单位“\(creditCode)”不在您的辖区内（请先导入单位）",
          en: "the unit \"\(creditCode)\" is not in your area (import the units first)")
      }
      let person = person(text(.idNumber), name: row.name, facts: facts) { code, zh, en in
        fail(code == "name_mismatch" ? .name : .idNumber, code, zh: zh, en: en)
      }
      row.workerID = person?.id
      let periodStart = date(cell(.periodStart), required: true) { code, zh, en in
        fail(.periodStart, code, zh: zh, en: en)
      }
      let version = self.version(scheme, product: row.product, start: periodStart) { code, zh, en in
        fail(.product, code, zh: zh, en: en)
      }
      if let version, let periodStart {
        row.versionLabel = version.label
        let period = CoveragePeriod(start: periodStart, months: version.periodMonths)
        row.period = period
        if periodStart > today {
          fail(
            .periodStart, "future_period", zh: "保障期尚未开始，请在系统中办理参保，不作迁移",
            en: "the period has not begun: enrol it in Huzhu instead of taking it over")
        }
        let coverFrom = date(cell(.coverFrom), required: false) { code, zh, en in fail(.coverFrom, code, zh: zh, en: en)
        }
        row.coverFrom = coverFrom ?? periodStart
        if let coverFrom, coverFrom < period.start || coverFrom > period.end || coverFrom > today {
          fail(
            .coverFrom, "outside_period", zh: "应在保障期内（\(period.start)–\(period.end)）且不晚于今天",
            en: "within the period (\(period.start)–\(period.end)) and not after today")
        }
        let shares = text(.shares)
        if !shares.isEmpty {
          if let count = RegistryImport.count(shares), version.shares.contains(count) {
            row.shares = count
          } else {
            fail(
              .shares, "invalid_shares", zh: "应为 \(version.shares.lowerBound)–\(version.shares.upperBound) 份",
              en: "from \(version.shares.lowerBound) to \(version.shares.upperBound) shares")
          }
        }
        if let person {
          if let held = facts.cover[person.id]?.first(where: {
            $0.productCode == row.product && $0.period.overlaps(period)
          }) {
            fail(
              .idNumber, "already_covered",
              zh: "已有本产品的保障（保障书 \(held.certificateNumber)，\(held.period.start)–\(held.period.end)）",
              en:
                "already covered by the product (certificate \(held.certificateNumber), \(held.period.start)–\(held.period.end))"
            )
          }
          let key = "\(person.id)|\(row.product)|\(periodStart)"
          if let first = rowOfPerson[key] {
            fail(.idNumber, "duplicate_in_file", zh: "与第\(first)行重复", en: "same person and period as row \(first)")
          } else {
            rowOfPerson[key] = rowNumber
          }
        }
      }
      let previousEnd = date(cell(.previousCoverEnd), required: false) { code, zh, en in
        fail(.previousCoverEnd, code, zh: zh, en: en)
      }
      if let previousEnd, let periodStart, previousEnd >= periodStart {
        fail(
          .previousCoverEnd, "not_before_period", zh: "应早于保障期起（\(periodStart)）",
          en: "before the period start (\(periodStart))")
      }
      row.previousCoverEnd = previousEnd
      let certificate = text(.certificateNumber).uppercased()
      if !certificate.isEmpty {
        if certificate.count > 40 || PlainText.problem(in: certificate) != nil {
          fail(.certificateNumber, "invalid_certificate", zh: "应为不超过40个字符的编号", en: "a number of at most 40 characters")
        } else if facts.usedCertificates.contains(certificate) {
          fail(
            .certificateNumber, "certificate_used", zh: "编号“\(certificate)”已被使用",
            en: "\"\(certificate)\" is used already")
        } else if let first = rowOfCertificate[certificate] {
          fail(.certificateNumber, "duplicate_in_file", zh: "与第\(first)行编号重复", en: "same number as row \(first)")
        } else {
          rowOfCertificate[certificate] = rowNumber
        }
        row.certificateNumber = certificate
      }
      row.errors = sheet.errors
      rows.append(row)
    }
    return .init(rows: rows, fileErrors: rows.isEmpty ? [noRows] : [], rowErrors: \.errors)
  }

  /// Checks the paid-claims sheet: each row a claim of the current period paid before Huzhu,
  /// to a person whose cover of that product and period Huzhu holds (take the cover over
  /// first), under a benefit of that cover's rule version, with its old reference once.
  public static func paidClaims(
    _ cells: [[RosterCell]], scheme: CompiledScheme, facts: TakeOverFacts, today: CalendarDate
  ) -> RegistryImportPreview<PaidClaimTakeOverRow> {
    guard let (headerIndex, columns) = SheetHeader.find(cells, PaidClaimColumn.self) else {
      return .init(rows: [], fileErrors: [SheetHeader.missing(PaidClaimColumn.self)], rowErrors: \.errors)
    }
    var rows: [PaidClaimTakeOverRow] = []
    var rowOfReference: [String: Int] = [:]
    for var sheet in SheetHeader.rows(cells, below: headerIndex, columns: columns) {
      func cell(_ column: PaidClaimColumn) -> RosterCell { sheet.cell(column) }
      func text(_ column: PaidClaimColumn) -> String { sheet.text(column) }
      func fail(_ column: PaidClaimColumn, _ code: String, zh: String, en: String) {
        sheet.fail(column, code, zh: zh, en: en)
      }
      let rowNumber = sheet.number
      var row = PaidClaimTakeOverRow(
        rowNumber: rowNumber, name: text(.name), product: text(.product), benefit: text(.benefit), amount: .zero,
        stays: 0, allowanceDays: 0, reference: text(.reference), errors: [])
      let person = person(text(.idNumber), name: row.name, facts: facts) { code, zh, en in
        fail(code == "name_mismatch" ? .name : .idNumber, code, zh: zh, en: en)
      }
      row.workerID = person?.id
      row.periodStart = date(cell(.periodStart), required: true) { code, zh, en in
        fail(.periodStart, code, zh: zh, en: en)
      }
      if let person, let start = row.periodStart {
        if let cover = facts.cover[person.id]?.first(where: {
          $0.productCode == row.product && $0.period.start == start && $0.status == .active
        }) {
          let version = scheme.product(cover.productCode)?.versions.first { $0.label == cover.versionLabel }
          if let version, let benefit = version.benefits.first(where: { $0.code == row.benefit }) {
            if benefit.kind == .hospital { row.stays = 1 }
          } else {
            let known = version?.benefits.map(\.code).joined(separator: "、") ?? ""
            fail(
              .benefit, "unknown_benefit", zh: "保障书所属规则版本中没有给付项目“\(row.benefit)”（可选：\(known)）",
              en: "the cover's rule version has no benefit \"\(row.benefit)\" (known: \(known))")
          }
        } else {
          fail(
            .periodStart, "no_cover", zh: "系统中没有此人 \(row.product) 自 \(start) 起的已缴费保障（请先迁移在保名单）",
            en: "Huzhu holds no paid cover of \(row.product) from \(start) for this person (take the cover over first)")
        }
      }
      let amountText = text(.paidAmount)
      if let amount = Money(yuan: amountText), amount.fen > 0, amount <= largestClaim {
        row.amount = amount
      } else {
        fail(
          .paidAmount, "invalid_amount", zh: "应为大于零、不超过 \(largestClaim.decimalString) 元的金额",
          en: "an amount above zero and at most \(largestClaim.formatted)")
      }
      row.paidOn = date(cell(.paidOn), required: true) { code, zh, en in fail(.paidOn, code, zh: zh, en: en) }
      if let paidOn = row.paidOn, paidOn > today {
        fail(.paidOn, "future_date", zh: "不能晚于今天（\(today)）", en: "may not be after today (\(today))")
      }
      for (column, keyPath) in [
        (PaidClaimColumn.stays, \PaidClaimTakeOverRow.stays), (.allowanceDays, \.allowanceDays),
      ] {
        let value = text(column)
        guard !value.isEmpty else { continue }
        if let count = RegistryImport.count(value), count <= 366 {
          row[keyPath: keyPath] = count
        } else {
          fail(column, "invalid_count", zh: "应为0–366的整数", en: "a whole number from 0 to 366")
        }
      }
      let admission = date(cell(.admissionDate), required: false) { code, zh, en in
        fail(.admissionDate, code, zh: zh, en: en)
      }
      let discharge = date(cell(.dischargeDate), required: false) { code, zh, en in
        fail(.dischargeDate, code, zh: zh, en: en)
      }
      if let admission {
        let end = discharge ?? admission
        if end < admission || end > today {
          fail(
            .dischargeDate, "invalid_stay", zh: "应不早于入院日期、不晚于今天", en: "not before the admission and not after today")
        } else {
          row.stay = CoveragePeriod(start: admission, end: end)
        }
      } else if discharge != nil {
        fail(.admissionDate, "missing", zh: "有出院日期时须填写入院日期", en: "give the admission date with the discharge date")
      }
      let sheetNumber = text(.settlementSheet).uppercased()
      if !sheetNumber.isEmpty {
        if sheetNumber.count > 40 || PlainText.problem(in: sheetNumber) != nil {
          fail(.settlementSheet, "invalid_sheet", zh: "应为不超过40个字符的编号", en: "a number of at most 40 characters")
        } else {
          row.settlementSheet = sheetNumber
        }
      }
      if row.reference.isEmpty || row.reference.count > 40 || PlainText.problem(in: row.reference) != nil {
        fail(
          .reference, "invalid_reference", zh: "请填写不超过40个字符的原给付编号", en: "give the old reference (at most 40 characters)"
        )
      } else if facts.usedReferences.contains(row.reference) {
        fail(
          .reference, "already_taken_over", zh: "“\(row.reference)”已迁移过",
          en: "\"\(row.reference)\" was taken over already")
      } else if let first = rowOfReference[row.reference] {
        fail(.reference, "duplicate_in_file", zh: "与第\(first)行编号重复", en: "same reference as row \(first)")
      } else {
        rowOfReference[row.reference] = rowNumber
      }
      row.errors = sheet.errors
      rows.append(row)
    }
    return .init(rows: rows, fileErrors: rows.isEmpty ? [noRows] : [], rowErrors: \.errors)
  }

  /// The cap ledger's histories after the rows, per person, product, period and benefit,
  /// starting from what each person's ledger holds (`existing`).
  public static func histories(
    _ rows: [PaidClaimTakeOverRow], existing: [HistoryKey: BenefitHistory]
  ) -> [HistoryKey: BenefitHistory] {
    var result: [HistoryKey: BenefitHistory] = [:]
    for row in rows {
      guard let worker = row.workerID, let start = row.periodStart else { continue }
      let key = HistoryKey(worker: worker, product: row.product, periodStart: start, benefit: row.benefit)
      var history = result[key] ?? existing[key] ?? BenefitHistory()
      history.paidAmount += row.amount
      history.paidClaims += 1
      history.stays += row.stays
      history.allowanceDays += row.allowanceDays
      result[key] = history
    }
    return result
  }

  public struct HistoryKey: Hashable, Sendable {
    public let worker: Worker.ID
    public let product: String
    public let periodStart: CalendarDate
    public let benefit: String

    public init(worker: Worker.ID, product: String, periodStart: CalendarDate, benefit: String) {
      self.worker = worker
      self.product = product
      self.periodStart = periodStart
      self.benefit = benefit
    }
  }

  /// What a take-over sheet names that must be looked up before it is checked, read from
  /// its own columns only.
  public struct Lookups: Sendable, Equatable {
    public var idNumbers: [ResidentIDNumber] = []
    public var creditCodes: Set<String> = []
    public var certificates: Set<String> = []
    public var references: Set<String> = []
  }

  public static func lookups(_ cells: [[RosterCell]]) -> Lookups {
    var lookups = Lookups()
    var numbers: Set<String> = []
    func person(_ text: String) {
      if case .success(let number) = ResidentIDNumber.validate(text), numbers.insert(number.value).inserted {
        lookups.idNumbers.append(number)
      }
    }
    if let (header, columns) = SheetHeader.find(cells, CoverColumn.self) {
      for row in SheetHeader.rows(cells, below: header, columns: columns) {
        person(row.text(.idNumber))
        lookups.creditCodes.insert(row.text(.creditCode).uppercased())
        let certificate = row.text(.certificateNumber).uppercased()
        if !certificate.isEmpty && certificate.count <= 40 { lookups.certificates.insert(certificate) }
      }
    } else if let (header, columns) = SheetHeader.find(cells, PaidClaimColumn.self) {
      for row in SheetHeader.rows(cells, below: header, columns: columns) {
        person(row.text(.idNumber))
        let reference = row.text(.reference)
        if !reference.isEmpty && reference.count <= 40 { lookups.references.insert(reference) }
      }
    }
    return lookups
  }

  static let noRows = FieldError(
    field: "rows", code: "no_rows", message: LocalizedText(zh: "表头下没有数据", en: "no rows below the header"))

  /// The person an ID number names in the importer's area, the name checked against the
  /// registry's (a shifted column is caught here).
  static func person(
    _ text: String, name: String, facts: TakeOverFacts, fail: (String, String, String) -> Void
  ) -> Worker? {
    guard case .success(let number) = ResidentIDNumber.validate(text) else {
      fail("invalid_id_number", "“\(text)”不是有效的身份证号", "\"\(text)\" is not a valid ID number")
      return nil
    }
    guard let person = facts.people[number.value.uppercased()] else {
      fail(
        "unknown_person", "\(number.masked) 不在您辖区的职工名册中（请先导入花名册）",
        "\(number.masked) is not in your area's registry (import the rosters first)")
      return nil
    }
    if person.name != name {
      fail("name_mismatch", "姓名“\(name)”与名册中的不一致", "the name \"\(name)\" differs from the registry's")
      return nil
    }
    return person
  }

  static func date(_ cell: RosterCell, required: Bool, fail: (String, String, String) -> Void) -> CalendarDate? {
    if cell.trimmed.isEmpty {
      if required { fail("missing", "不能为空", "is required") }
      return nil
    }
    guard let date = RosterReader.date(cell) else {
      fail("invalid_date", "日期无法识别，请写作 2026-01-01", "not a date; write it as 2026-01-01")
      return nil
    }
    return date
  }

  static func version(
    _ scheme: CompiledScheme, product code: String, start: CalendarDate?, fail: (String, String, String) -> Void
  ) -> CompiledVersion? {
    guard let product = scheme.product(code) else {
      let known = scheme.products.map(\.code).joined(separator: "、")
      fail(
        "unknown_product", "方案中没有产品“\(code)”（可选：\(known)）", "the scheme has no product \"\(code)\" (known: \(known))")
      return nil
    }
    guard let start else { return nil }
    guard let version = product.version(forCoverageStartingOn: start) else {
      fail("no_version", "\(start) 开始的保障期没有适用的规则版本", "no rule version covers a period starting \(start)")
      return nil
    }
    return version
  }
}
