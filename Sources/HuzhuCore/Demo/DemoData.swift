import Foundation

/// The demonstration data set: the two schemes' union hierarchies and the units the source
/// articles name (Anyang, Henan; Yichun under the Harbin office, Heilongjiang), with a few
/// workers each. Pure data; `HuzhuPersistence` writes it.
public struct DemoData: Sendable {
  public let organisations: [Organisation]
  public let units: [WorkUnit]
  public let workers: [(worker: Worker, since: CalendarDate)]
  /// Units' enrollments, each paid in full by every payer on `paidOn`.
  public let enrollments: [(order: EnrollmentOrder, paidOn: CalendarDate)]
  /// The Yichun story: a cadre paired with a hardship worker pays her contribution.
  public let pairings: [HardshipPairing]
  public let outreach: [OutreachVisit]
  /// One operator account per job in the brief's table, all with the same demo password.
  public let accounts: [DemoAccount]

  /// The node the demo administrator belongs to: the Harbin provincial office.
  public let administratorOrganisationCode = "HLJ"
  /// Which node runs each demo scheme (and so whose scheme administrators may revise it).
  public let schemeOwners = ["anyang": "HA-AY", "hlj-yichun": "HLJ"]

  public static func standard() -> DemoData {
    var organisations: [Organisation] = []
    var units: [WorkUnit] = []
    var workers: [(worker: Worker, since: CalendarDate)] = []

    func node(_ code: String, _ name: String, _ nameEn: String, _ kind: OrganisationKind, under parent: Organisation?)
      -> Organisation
    {
      let organisation = Organisation(parentID: parent?.id, kind: kind, code: code, name: name, nameEn: nameEn)
      organisations.append(organisation)
      return organisation
    }
    func unit(_ name: String, _ sector: Sector, under organisation: Organisation, region: String) -> WorkUnit {
      // Synthetic codes that pass the GB 32100 check: 91 (enterprise) or 12 (institution),
      // the region, and a running number.
      let prefix = sector == .publicInstitution || sector == .government ? "12" : "91"
      let serial = String(units.count + 1)
      let body = prefix + region + String(repeating: "0", count: 9 - serial.count) + serial
      let unit = WorkUnit(
        organisationID: organisation.id, name: name, creditCode: CreditCode.compose(body).value, sector: sector)
      units.append(unit)
      return unit
    }

    // Anyang: a city-run scheme (安阳市职工住院医疗互助保障, since 2019-10-16).
    let anyang = node("HA-AY", "安阳市总工会", "Anyang Federation of Trade Unions", .cityFederation, under: nil)
    let anyangDirect = node("HA-AY-SZ", "安阳市直机关工会", "Anyang City Organs Union", .industryUnion, under: anyang)
    for (code, name, nameEn) in [
      ("WF", "文峰区总工会", "Wenfeng District"), ("BG", "北关区总工会", "Beiguan District"),
      ("YD", "殷都区总工会", "Yindu District"), ("LA", "龙安区总工会", "Long'an District"),
      ("AYX", "安阳县总工会", "Anyang County"), ("LZ", "林州市总工会", "Linzhou City"),
    ] {
      _ = node("HA-AY-\(code)", name, "\(nameEn) Federation of Trade Unions", .countyUnion, under: anyang)
    }
    let anyangUnits = [
      unit("河南安彩高科股份有限公司", .stateEnterprise, under: anyang, region: "410500"),
      unit("河南中烟工业有限责任公司安阳卷烟厂", .stateEnterprise, under: anyang, region: "410500"),
      unit("安阳公交集团", .stateEnterprise, under: anyang, region: "410500"),
      unit("安阳市道路绿化管理站", .publicInstitution, under: anyangDirect, region: "410500"),
    ]
    let anyangEnrolled = [
      CalendarDate(year: 2019, month: 12, day: 15)!, CalendarDate(year: 2020, month: 1, day: 15)!,
      CalendarDate(year: 2020, month: 1, day: 15)!, CalendarDate(year: 2019, month: 11, day: 15)!,
    ]

    // Yichun: province-wide pooling through the Harbin office (全省统筹).
    let harbin = node(
      "HLJ", "中国职工保险互助会哈尔滨办事处", "Harbin Office, China Workers' Insurance Mutual Association",
      .provincialOffice, under: nil)
    let yichun = node("HLJ-YC", "省职工互助保障伊春代办处", "Yichun Agency", .cityAgency, under: harbin)
    let yichunDirect = node("HLJ-YC-SZ", "伊春市直机关工会", "Yichun City Organs Union", .industryUnion, under: yichun)
    let forestry = node("HLJ-YC-SG", "伊春森工集团工会", "Yichun Forestry Group Union", .industryUnion, under: yichun)
    var yichunCounties: [Organisation] = []
    for (code, name, nameEn) in [
      ("YM", "伊美区总工会", "Yimei District"), ("WC", "乌翠区总工会", "Wucui District"),
      ("YH", "友好区总工会", "Youhao District"), ("JL", "金林区总工会", "Jinlin District"),
      ("TL", "铁力市总工会", "Tieli City"), ("JY", "嘉荫县总工会", "Jiayin County"),
      ("TW", "汤旺县总工会", "Tangwang County"), ("FL", "丰林县总工会", "Fenglin County"),
    ] {
      yichunCounties.append(
        node("HLJ-YC-\(code)", name, "\(nameEn) Federation of Trade Unions", .countyUnion, under: yichun))
    }
    let yichunUnits = [
      unit("伊春森林工业集团有限责任公司", .stateEnterprise, under: forestry, region: "230700"),
      unit("伊春市医药公司", .stateEnterprise, under: yichunDirect, region: "230700"),
      unit("伊春市第一中学", .publicInstitution, under: yichunDirect, region: "230700"),
      unit("伊美区人民医院", .publicInstitution, under: yichunCounties[0], region: "230717"),
      unit("铁力市自来水公司", .stateEnterprise, under: yichunCounties[4], region: "230781"),
    ]

    // A few workers per unit, with valid ID numbers from the units' regions.
    let givenNames = ["王秀英", "李建国", "张丽", "刘伟", "陈静", "杨军", "赵敏", "黄磊", "周芳", "吴强"]
    var nameIndex = 0
    func addWorkers(to unit: WorkUnit, region: String, since: CalendarDate, count: Int) {
      for offset in 0..<count {
        let gender: Gender = nameIndex % 2 == 0 ? .female : .male
        let birth = CalendarDate(year: 1968 + (nameIndex * 3) % 30, month: 1 + nameIndex % 12, day: 1 + nameIndex % 28)!
        let idNumber = ResidentIDNumber.compose(
          region: region, birthDate: birth, sequence: 100 + offset, gender: gender)
        // Mobile numbers (for the portal and text messages) and bank cards (for payments).
        let phone = "1390000" + String(format: "%04d", nameIndex + 1)
        workers.append(
          (
            Worker(
              name: givenNames[nameIndex % givenNames.count], idNumber: idNumber, unitID: unit.id,
              phone: phone, bankName: "中国工商银行",
              // A bank card for the transfer of benefits (synthetic, 19 digits).
              bankAccount: "6222020200" + String(format: "%09d", 1000 + nameIndex)), since
          ))
        nameIndex += 1
      }
    }
    for (unit, since) in zip(anyangUnits, anyangEnrolled) {
      addWorkers(to: unit, region: "410502", since: since, count: 3)
    }
    for unit in yichunUnits {
      addWorkers(to: unit, region: "230702", since: CalendarDate(year: 2021, month: 12, day: 10)!, count: 2)
    }

    func members(of unit: WorkUnit) -> [Worker.ID] { workers.filter { $0.worker.unitID == unit.id }.map(\.worker.id) }
    var enrollments: [(order: EnrollmentOrder, paidOn: CalendarDate)] = []
    // Anyang: 60 yuan shared by unit and worker, plus 30 yuan from the city union.
    let anyangSplit = PayerSplitRule(
      employer: .percent(Rate(percent: 50)),
      unionSubsidies: [.init(payer: .unionCity, perPerson: Money(fen: 3000), onTop: true)])
    for (unit, since) in zip(anyangUnits, anyangEnrolled) {
      enrollments.append(
        (
          EnrollmentOrder(
            schemeCode: "anyang", productCode: "anyang-hospital", periodStart: since, unitID: unit.id,
            workerIDs: members(of: unit), split: anyangSplit, requestDate: since), since
        ))
    }
    // Yichun: the forestry group pays 75%, city units 50%, county units a fixed 30 yuan; a
    // cadre pays for one hardship worker of the forestry group.
    let yichunStart = CalendarDate(year: 2021, month: 12, day: 10)!
    let hardshipWorker = members(of: yichunUnits[0])[0]
    let cadre = HardshipPairing(
      organisationID: forestry.id, cadreName: "孙志刚", cadrePhone: "13904581234", workerID: hardshipWorker,
      hardshipLevel: .severe, startedOn: CalendarDate(year: 2021, month: 11, day: 1)!, cadrePaysContribution: true)
    for (index, unit) in yichunUnits.enumerated() {
      let employer: PayerSplitRule.EmployerShare =
        switch index {
        case 0: .percent(Rate(percent: 75))
        case 1, 2: .percent(Rate(percent: 50))
        default: .fixedPerPerson(Money(fen: 3000))
        }
      enrollments.append(
        (
          EnrollmentOrder(
            schemeCode: "hlj-yichun", productCode: "yc-comprehensive-plus", periodStart: yichunStart,
            unitID: unit.id, workerIDs: members(of: unit),
            split: PayerSplitRule(
              employer: employer, thirdParties: index == 0 ? [hardshipWorker: cadre.payerName] : [:]),
            requestDate: yichunStart), yichunStart
        ))
    }
    let outreach = [
      OutreachVisit(
        unitID: yichunUnits[1].id, visitedOn: CalendarDate(year: 2021, month: 11, day: 20)!, visitor: "伊春代办处 王主任",
        contact: "工会主席", materials: "政策宣传册50份、理赔案例汇编", outcome: .joined),
      OutreachVisit(
        unitID: yichunUnits[4].id, visitedOn: CalendarDate(year: 2021, month: 11, day: 25)!, visitor: "铁力市总工会 李干事",
        contact: "办公室主任", materials: "政策宣传册20份", outcome: .interested, note: "需要单位班子会研究"),
    ]

    func account(
      _ username: String, _ name: String, _ roles: Set<Role>, at organisation: Organisation, unit: WorkUnit? = nil
    ) -> DemoAccount {
      DemoAccount(
        username: username, displayName: name, organisationID: organisation.id, unitID: unit?.id, roles: roles)
    }
    let wenfeng = organisations.first { $0.code == "HA-AY-WF" }!
    // Each federation has its own three administrators (MLPS level 3): Anyang's see and
    // unlock Anyang's accounts and read Anyang's audit log, the Harbin office's the same for
    // the province; neither sees the other.
    let accounts = [
      account("admin", "哈尔滨办事处系统管理员", [.systemAdministrator], at: harbin),
      account("security", "哈尔滨办事处安全管理员", [.securityAdministrator], at: harbin),
      account("auditor", "哈尔滨办事处审计管理员", [.auditAdministrator], at: harbin),
      account("ay-admin", "安阳市总系统管理员", [.systemAdministrator], at: anyang),
      account("ay-security", "安阳市总安全管理员", [.securityAdministrator], at: anyang),
      account("ay-auditor", "安阳市总审计管理员", [.auditAdministrator], at: anyang),
      account("ay-window", "安阳窗口 李娜", [.windowClerk], at: anyang),
      account("ay-window-lead", "安阳窗口负责人 高峰", [.windowSupervisor], at: anyang),
      account("ay-reviewer", "安阳审核 赵刚", [.reviewer], at: anyang),
      account("ay-approver", "安阳审批 王建华", [.approver], at: anyang),
      account("ay-finance", "安阳财务 孙丽", [.finance], at: anyang),
      account("ay-leader", "安阳市总 领导", [.leader], at: anyang),
      account("ay-scheme", "安阳方案管理员", [.schemeAdministrator], at: anyang),
      account("wf-window", "文峰区窗口 周敏", [.windowClerk], at: wenfeng),
      account("ancai", "安彩高科工会 刘洋", [.unitOfficer], at: anyang, unit: anyangUnits[0]),
      account("yc-window", "伊春代办处窗口 陈静", [.windowClerk], at: yichun),
      account("yc-reviewer", "伊春代办处审核 吴强", [.reviewer], at: yichun),
      account("yc-approver", "伊春代办处审批 郑伟", [.approver], at: yichun),
      account("yc-cadre", "包联干部 孙志刚", [.cadre], at: forestry),
      account("hlj-approver", "哈尔滨办事处审批 冯敏", [.approver], at: harbin),
      account("hlj-finance", "哈尔滨办事处财务 韩雪", [.finance], at: harbin),
      account("hlj-leader", "哈尔滨办事处 领导", [.leader], at: harbin),
      account("hlj-scheme", "哈尔滨办事处方案管理员", [.schemeAdministrator], at: harbin),
    ]

    return DemoData(
      organisations: organisations, units: units, workers: workers, enrollments: enrollments, pairings: [cadre],
      outreach: outreach, accounts: accounts)
  }
}

/// An operator account of the demo data set (the password is the seeder's).
public struct DemoAccount: Sendable, Hashable {
  public let username: String
  public let displayName: String
  public let organisationID: Organisation.ID
  public let unitID: WorkUnit.ID?
  public let roles: Set<Role>
}
