import Foundation

// Bulk import of a federation's organisation tree and of its units from the spreadsheets it
// kept before Huzhu: every row checked and explained, then all rows or none (as rosters).

/// The columns of the organisation-tree sheet (组织架构表).
public enum OrganisationColumn: String, SheetColumn {
  case code, parentCode, kind, name, nameEn

  public var headers: [String] {
    switch self {
    case .code: ["组织编码", "编码", "节点编码", "code"]
    case .parentCode: ["上级编码", "上级组织编码", "上级", "parent", "parentcode"]
    case .kind: ["组织类型", "类型", "kind"]
    case .name: ["组织名称", "名称", "name"]
    case .nameEn: ["英文名称", "nameen", "englishname"]
    }
  }

  public var label: LocalizedText {
    switch self {
    case .code: LocalizedText(zh: "组织编码", en: "code")
    case .parentCode: LocalizedText(zh: "上级编码", en: "parent code")
    case .kind: LocalizedText(zh: "组织类型", en: "kind")
    case .name: LocalizedText(zh: "组织名称", en: "name")
    case .nameEn: LocalizedText(zh: "英文名称", en: "English name")
    }
  }

  public static let required: [OrganisationColumn] = [.code, .parentCode, .kind, .name]
}

/// The columns of the unit sheet (单位名册).
public enum UnitColumn: String, SheetColumn {
  case organisationCode, name, creditCode, sector, address, contactName, contactPhone, bankName, bankAccount
  case headcount, femaleHeadcount, headcountDate

  public var headers: [String] {
    switch self {
    case .organisationCode: ["所属组织编码", "组织编码", "所属工会编码", "organisation", "organisationcode"]
    case .name: ["单位名称", "单位", "unit", "unitname"]
    case .creditCode: ["统一社会信用代码", "信用代码", "creditcode"]
    case .sector: ["单位性质", "单位类型", "性质", "sector"]
    case .address: ["单位地址", "地址", "address"]
    case .contactName: ["联系人", "contact", "contactname"]
    case .contactPhone: ["联系电话", "联系人电话", "电话", "phone", "contactphone"]
    case .bankName: ["开户行", "开户银行", "bank", "bankname"]
    case .bankAccount: ["银行账号", "账号", "bankaccount", "account"]
    case .headcount: ["职工人数", "职工总数", "在职职工人数", "headcount"]
    case .femaleHeadcount: ["女职工人数", "其中女职工", "女职工", "femaleheadcount"]
    case .headcountDate: ["人数截至日期", "统计日期", "截至日期", "headcountdate", "asof"]
    }
  }

  public var label: LocalizedText {
    switch self {
    case .organisationCode: LocalizedText(zh: "所属组织编码", en: "organisation code")
    case .name: LocalizedText(zh: "单位名称", en: "unit name")
    case .creditCode: LocalizedText(zh: "统一社会信用代码", en: "credit code")
    case .sector: LocalizedText(zh: "单位性质", en: "sector")
    case .address: LocalizedText(zh: "单位地址", en: "address")
    case .contactName: LocalizedText(zh: "联系人", en: "contact")
    case .contactPhone: LocalizedText(zh: "联系电话", en: "contact phone")
    case .bankName: LocalizedText(zh: "开户行", en: "bank")
    case .bankAccount: LocalizedText(zh: "银行账号", en: "bank account")
    case .headcount: LocalizedText(zh: "职工人数", en: "headcount")
    case .femaleHeadcount: LocalizedText(zh: "女职工人数", en: "female headcount")
    case .headcountDate: LocalizedText(zh: "人数截至日期", en: "headcount date")
    }
  }

  public static let required: [UnitColumn] = [.organisationCode, .name, .creditCode]
}

/// What committing a row does.
public enum RegistryImportAction: String, Sendable, Codable {
  case create, update, unchanged

  public var label: LocalizedText {
    switch self {
    case .create: LocalizedText(zh: "新建", en: "new")
    case .update: LocalizedText(zh: "更新", en: "update")
    case .unchanged: LocalizedText(zh: "无变化", en: "unchanged")
    }
  }
}

/// A checked sheet: each row with what it would do and what is wrong with it.
public struct RegistryImportPreview<Row: Sendable>: Sendable {
  public var rows: [Row]
  public var fileErrors: [FieldError]
  let rowErrors: any KeyPath<Row, [FieldError]> & Sendable

  public var allErrors: [FieldError] { fileErrors + rows.flatMap { $0[keyPath: rowErrors] } }
  public var canCommit: Bool { allErrors.isEmpty && !rows.isEmpty }
}

/// One row of the organisation sheet.
public struct OrganisationImportRow: Sendable {
  public let rowNumber: Int
  public var organisation: Organisation
  /// The parent's code as written.
  public var parentCode: String
  public var action: RegistryImportAction
  public var errors: [FieldError]
}

/// One row of the unit sheet.
public struct UnitImportRow: Sendable {
  public let rowNumber: Int
  public var organisationCode: String
  public var unit: WorkUnit
  public var details: UnitDetails
  public var headcount: HeadcountReport?
  public var action: RegistryImportAction
  public var errors: [FieldError]
}

/// A unit the registry holds already, as an import sees it.
public struct RegisteredUnit: Sendable {
  public let unit: WorkUnit
  public let details: UnitDetails
  public let latestHeadcount: HeadcountReport?
  /// Whether the importing operator's area holds it.
  public let inScope: Bool

  public init(unit: WorkUnit, details: UnitDetails, latestHeadcount: HeadcountReport?, inScope: Bool) {
    self.unit = unit
    self.details = details
    self.latestHeadcount = latestHeadcount
    self.inScope = inScope
  }
}

public enum RegistryImport {
  /// Checks the organisation sheet against the tree: codes new (or rows identical to a node
  /// already there), every parent a node of `scope` or a row of the sheet, kinds that may sit
  /// under their parent, no cycles.
  ///
  /// - Parameter existing: every node of the installation (codes are unique across it).
  public static func organisations(
    _ cells: [[RosterCell]], existing: [Organisation], scope: AccessScope
  ) -> RegistryImportPreview<OrganisationImportRow> {
    guard let (headerIndex, columns) = SheetHeader.find(cells, OrganisationColumn.self) else {
      return .init(rows: [], fileErrors: [SheetHeader.missing(OrganisationColumn.self)], rowErrors: \.errors)
    }
    let existingByCode = Dictionary(
      existing.map { ($0.code.uppercased(), $0) }, uniquingKeysWith: { first, _ in first })
    var rows: [OrganisationImportRow] = []
    var rowOfCode: [String: Int] = [:]
    for index in cells.indices where index > headerIndex {
      let line = cells[index]
      guard line.contains(where: { !$0.trimmed.isEmpty }) else { continue }
      func text(_ column: OrganisationColumn) -> String {
        guard let position = columns[column], position < line.count else { return "" }
        return line[position].trimmed
      }
      let rowNumber = index + 1
      var errors: [FieldError] = []
      func fail(_ column: OrganisationColumn, _ code: String, zh: String, en: String) {
        errors.append(rowError(rowNumber, column, code, zh: zh, en: en))
      }
      let code = text(.code)
      let kind = organisationKind(text(.kind))
      if kind == nil {
        fail(
          .kind, "invalid_kind", zh: "应为\(OrganisationKind.allCases.map(\.label.zh).joined(separator: "、"))之一",
          en: "one of: \(OrganisationKind.allCases.map(\.label.en).joined(separator: ", "))")
      }
      let nameEn = text(.nameEn)
      var organisation = Organisation(
        parentID: nil, kind: kind ?? .industryUnion, code: code, name: text(.name),
        nameEn: nameEn.isEmpty ? nil : nameEn)
      for problem in Organisation.validate(organisation, existing: []) where problem.field != "parentId" {
        let column: OrganisationColumn = problem.field == "code" ? .code : .name
        errors.append(rowError(rowNumber, column, problem.code, zh: problem.message.zh, en: problem.message.en))
      }
      if let problem = PlainText.problem(in: organisation.name) {
        fail(.name, "invalid_character", zh: problem.zh, en: problem.en)
      }
      var action = RegistryImportAction.create
      if let first = rowOfCode[code.uppercased()] {
        fail(.code, "duplicate_in_file", zh: "与第\(first)行编码重复", en: "same code as row \(first)")
      } else if !code.isEmpty {
        rowOfCode[code.uppercased()] = rowNumber
      }
      if let known = existingByCode[code.uppercased()] {
        // Already there: the same node again is nothing to do; anything else is a clash.
        let sameParent = known.parentID.flatMap { id in existing.first { $0.id == id }?.code.uppercased() }
        if scope.contains(organisation: known.id), known.kind == kind, known.name == organisation.name,
          sameParent == text(.parentCode).uppercased()
        {
          organisation = known
          action = .unchanged
        } else {
          fail(.code, "duplicate_code", zh: "编码“\(code)”已被使用", en: "the code \"\(code)\" is already used")
        }
      }
      rows.append(
        OrganisationImportRow(
          rowNumber: rowNumber, organisation: organisation, parentCode: text(.parentCode), action: action,
          errors: errors))
    }

    // Parents: a node of the operator's area, or a row of the sheet; kinds must fit.
    let rowsByCode = Dictionary(
      rows.map { ($0.organisation.code.uppercased(), $0) }, uniquingKeysWith: { first, _ in first })
    for index in rows.indices where rows[index].action == .create {
      let parentCode = rows[index].parentCode.uppercased()
      let rowNumber = rows[index].rowNumber
      var parent: Organisation?
      if parentCode.isEmpty {
        if scope != .unrestricted {
          rows[index].errors.append(
            rowError(
              rowNumber, OrganisationColumn.parentCode, "missing_parent", zh: "须填写上级编码（顶级组织由 huzhu init 建立）",
              en: "give the parent's code (top nodes are made by huzhu init)"))
        }
      } else if let sibling = rowsByCode[parentCode] {
        parent = sibling.organisation
      } else if let known = existingByCode[parentCode], scope.contains(organisation: known.id) {
        parent = known
      } else {
        rows[index].errors.append(
          rowError(
            rowNumber, OrganisationColumn.parentCode, "unknown_parent",
            zh: "上级编码“\(rows[index].parentCode)”不在本表中，也不在您的辖区内",
            en: "the parent \"\(rows[index].parentCode)\" is neither in this sheet nor in your area"))
      }
      if let parent {
        rows[index].organisation.parentID = parent.id
        if !rows[index].organisation.kind.canBeChild(of: parent.kind) {
          rows[index].errors.append(
            rowError(
              rowNumber, OrganisationColumn.kind, "invalid_parent_kind",
              zh: "“\(rows[index].organisation.kind.label.zh)”不能隶属于“\(parent.kind.label.zh)”",
              en: "a \(rows[index].organisation.kind.label.en) cannot sit under a \(parent.kind.label.en)"))
        }
      }
    }
    // No loop passes the kind check: a child's kind always sits a level below its parent's.
    var fileErrors: [FieldError] = []
    if rows.isEmpty {
      fileErrors.append(
        FieldError(
          field: "rows", code: "no_rows", message: LocalizedText(zh: "表头下没有组织", en: "no organisations below the header")
        ))
    }
    return .init(rows: ordered(rows), fileErrors: fileErrors, rowErrors: \.errors)
  }

  /// Parents before children, so that rows can be written in order.
  static func ordered(_ rows: [OrganisationImportRow]) -> [OrganisationImportRow] {
    var placed: Set<Organisation.ID> = []
    var remaining = rows
    var result: [OrganisationImportRow] = []
    let ids = Set(rows.map(\.organisation.id))
    while !remaining.isEmpty {
      let ready = remaining.filter { row in
        guard let parent = row.organisation.parentID, ids.contains(parent) else { return true }
        return placed.contains(parent)
      }
      // A loop: keep the sheet's order for what is left (it has errors and is never written).
      guard !ready.isEmpty else { return result + remaining }
      result += ready
      placed.formUnion(ready.map(\.organisation.id))
      let readyIDs = Set(ready.map(\.organisation.id))
      remaining.removeAll { readyIDs.contains($0.organisation.id) }
    }
    return result
  }

  static func organisationKind(_ text: String) -> OrganisationKind? {
    let wanted = text.lowercased()
    return OrganisationKind.allCases.first {
      [$0.rawValue, $0.label.zh, $0.label.en.lowercased()].contains(wanted)
        || (wanted.count >= 3 && $0.label.zh.contains(wanted))
    }
  }

  /// Checks the unit sheet: each unit under a node of the operator's area, its credit code
  /// valid and once in the sheet; a code the registry knows updates that unit (its name,
  /// sector, details and a new headcount report), and a code it knows outside the area is
  /// refused without saying where.
  ///
  /// - Parameters:
  ///   - organisations: every node of the installation.
  ///   - registered: the units the registry holds for the sheet's credit codes.
  ///   - today: the server's day; a headcount may not be dated after it.
  public static func units(
    _ cells: [[RosterCell]], organisations: [Organisation], scope: AccessScope,
    registered: [String: RegisteredUnit], today: CalendarDate
  ) -> RegistryImportPreview<UnitImportRow> {
    guard let (headerIndex, columns) = SheetHeader.find(cells, UnitColumn.self) else {
      return .init(rows: [], fileErrors: [SheetHeader.missing(UnitColumn.self)], rowErrors: \.errors)
    }
    let nodes = Dictionary(organisations.map { ($0.code.uppercased(), $0) }, uniquingKeysWith: { first, _ in first })
    var rows: [UnitImportRow] = []
    var rowOfCode: [String: Int] = [:]
    for index in cells.indices where index > headerIndex {
      let line = cells[index]
      guard line.contains(where: { !$0.trimmed.isEmpty }) else { continue }
      func cell(_ column: UnitColumn) -> RosterCell {
        guard let position = columns[column], position < line.count else { return .empty }
        return line[position]
      }
      func text(_ column: UnitColumn) -> String { cell(column).trimmed }
      let rowNumber = index + 1
      var errors: [FieldError] = []
      func fail(_ column: UnitColumn, _ code: String, zh: String, en: String) {
        errors.append(rowError(rowNumber, column, code, zh: zh, en: en))
      }

      let nodeCode = text(.organisationCode)
      var organisationID = Organisation.ID()
      if let node = nodes[nodeCode.uppercased()], scope.contains(organisation: node.id) {
        organisationID = node.id
      } else {
        fail(
          .organisationCode, "unknown_organisation", zh: "组织编码“\(nodeCode)”不在您的辖区内（请先导入组织架构）",
          en: "the organisation \"\(nodeCode)\" is not in your area (import the tree first)")
      }
      let creditCode = text(.creditCode).uppercased()
      var sector = Sector.privateEnterprise
      let sectorText = text(.sector)
      if !sectorText.isEmpty {
        if let found = Sector.allCases.first(where: {
          [$0.rawValue, $0.label.zh, $0.label.en.lowercased()].contains(sectorText.lowercased())
        }) {
          sector = found
        } else {
          fail(
            .sector, "invalid_sector", zh: "应为\(Sector.allCases.map(\.label.zh).joined(separator: "、"))之一",
            en: "one of: \(Sector.allCases.map(\.label.en).joined(separator: ", "))")
        }
      }
      var unit = WorkUnit(organisationID: organisationID, name: text(.name), creditCode: creditCode, sector: sector)
      for problem in WorkUnit.validate(unit, organisationExists: true) {
        let column: UnitColumn = problem.field == "creditCode" ? .creditCode : .name
        errors.append(rowError(rowNumber, column, problem.code, zh: problem.message.zh, en: problem.message.en))
      }
      if creditCode.isEmpty {
        fail(.creditCode, "missing_credit_code", zh: "统一社会信用代码不能为空", en: "the credit code is required")
      } else if let first = rowOfCode[creditCode] {
        fail(.creditCode, "duplicate_in_file", zh: "与第\(first)行信用代码重复", en: "same credit code as row \(first)")
      } else {
        rowOfCode[creditCode] = rowNumber
      }

      var details = UnitDetails(
        address: text(.address), contactName: text(.contactName), contactPhone: text(.contactPhone),
        bankName: text(.bankName), bankAccount: text(.bankAccount))
      do {
        details = try details.validated()
      } catch {
        for problem in error.errors {
          let column = UnitColumn(rawValue: problem.field) ?? .address
          errors.append(rowError(rowNumber, column, problem.code, zh: problem.message.zh, en: problem.message.en))
        }
      }

      var headcount: HeadcountReport?
      let totalText = text(.headcount)
      let femaleText = text(.femaleHeadcount)
      if !totalText.isEmpty || !femaleText.isEmpty {
        let total = count(totalText)
        let female = femaleText.isEmpty ? 0 : count(femaleText)
        if total == nil {
          fail(.headcount, "invalid_count", zh: "应为0–2,000,000的整数", en: "a whole number from 0 to 2,000,000")
        }
        if female == nil {
          fail(.femaleHeadcount, "invalid_count", zh: "应为0–2,000,000的整数", en: "a whole number from 0 to 2,000,000")
        }
        let dateCell = cell(.headcountDate)
        var asOf = today
        if !dateCell.trimmed.isEmpty {
          if let date = RosterReader.date(dateCell) {
            asOf = date
            if date > today {
              fail(.headcountDate, "future_date", zh: "不能晚于今天（\(today)）", en: "may not be after today (\(today))")
            }
          } else {
            fail(.headcountDate, "invalid_date", zh: "日期无法识别，请写作 2026-11-30", en: "not a date; write it as 2026-11-30")
          }
        }
        if let total, let female {
          let report = HeadcountReport(asOf: asOf, total: total, female: female)
          for problem in report.validate() {
            let column: UnitColumn = problem.field == "female" ? .femaleHeadcount : .headcount
            errors.append(rowError(rowNumber, column, problem.code, zh: problem.message.zh, en: problem.message.en))
          }
          headcount = report
        }
      }

      var action = RegistryImportAction.create
      if let known = registered[creditCode] {
        if !known.inScope {
          fail(
            .creditCode, "duplicate_credit_code", zh: "该统一社会信用代码已登记，不在您的辖区内",
            en: "this credit code is registered outside your area")
        } else if known.unit.organisationID != organisationID {
          let home = organisations.first { $0.id == known.unit.organisationID }?.code ?? ""
          fail(
            .organisationCode, "moved_unit", zh: "该单位已登记在“\(home)”之下；改变隶属关系请在单位页面办理",
            en: "this unit is registered under \"\(home)\"; move it from its page")
        } else {
          unit = WorkUnit(
            id: known.unit.id, organisationID: known.unit.organisationID, name: unit.name, creditCode: creditCode,
            sector: sectorText.isEmpty ? known.unit.sector : sector)
          let sameHeadcount = headcount == nil || headcount == known.latestHeadcount
          action = unit == known.unit && details == known.details && sameHeadcount ? .unchanged : .update
        }
      }
      rows.append(
        UnitImportRow(
          rowNumber: rowNumber, organisationCode: nodeCode, unit: unit, details: details, headcount: headcount,
          action: action, errors: errors))
    }
    var fileErrors: [FieldError] = []
    if rows.isEmpty {
      fileErrors.append(
        FieldError(
          field: "rows", code: "no_rows", message: LocalizedText(zh: "表头下没有单位", en: "no units below the header")))
    }
    return .init(rows: rows, fileErrors: fileErrors, rowErrors: \.errors)
  }

  /// A count as people type it: digits, perhaps with thousands separators; nil for anything
  /// else or past 2,000,000 (checked before any arithmetic).
  public static func count(_ text: String) -> Int? {
    let digits = text.filter { $0 != "," && $0 != "，" }
    guard !digits.isEmpty, digits.count <= 7, digits.allSatisfy(\.isASCIIDigit), let value = Int(digits),
      value <= 2_000_000
    else { return nil }
    return value
  }

  static func rowError<Column: SheetColumn & RawRepresentable>(
    _ row: Int, _ column: Column, _ code: String, zh: String, en: String
  ) -> FieldError where Column.RawValue == String {
    FieldError(
      field: column.rawValue, code: code,
      message: LocalizedText(zh: "第\(row)行【\(column.label.zh)】\(zh)", en: "row \(row), \(column.label.en): \(en)"),
      row: row)
  }
}
