import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import HuzhuWeb
import SQLKit
import Testing
import Vapor
import VaporTesting

/// The lists staff work from: the claims queue opens at the viewer's own step, filters by
/// deadline, finds a claim by number or by its member, sorts; the worker search and a unit's
/// lists page with "第 N–M 条，共 T 条" and tell people apart by unit and cover. Another
/// federation's staff find nothing of Anyang's through any of it.
@Suite("Work lists")
struct WorkListPagesTests {
  /// The claim numbers a page lists (its links to claims), in order.
  static func claimNumbers(_ html: String) -> [String] {
    html.matches(of: /">(LP-[A-Z]+-\d{4}-\d{6})<\/a>/).map { String($0.output.1) }
  }

  struct Member: Decodable {
    let id_number: String
    let name: String
  }

  /// Settlements of Anyang's insured members pushed through the bureau's feed: stays dear
  /// enough that each claim waits for review (not straight through).
  static func claimsWaitingForReview(_ test: TestApp) async throws {
    test.setToday(2020, 6, 30)
    let members = try await (test.app.db as! any SQLDatabase).raw(
      """
      SELECT DISTINCT w.id_number, w.name FROM workers w JOIN enrollments e ON e.worker_id = w.id \
      WHERE e.scheme_code = 'anyang' AND e.status = 'active' ORDER BY w.id_number LIMIT 6
      """
    ).all(decoding: Member.self)
    let records: [[String: Any]] = members.enumerated().map { index, member in
      let discharged = "2020-06-\(String(format: "%02d", 11 + index))"
      return [
        "settlementId": "4105002020062000\(String(format: "%04d", index + 1))", "name": member.name,
        "idNumber": member.id_number, "medicalType": "普通住院", "providerName": "安阳市人民医院",
        "admissionDate": "2020-06-0\(index + 1)", "dischargeDate": discharged, "settledAt": discharged + " 10:00:00",
        "totalCost": "\(40000 + index * 1000).00", "fullSelfPay": "0.00", "overLimitSelfPay": "0.00",
        "preSelfPay": "0.00", "inScopeAmount": "\(40000 + index * 1000).00", "poolPay": "20000.00",
        "fundTotal": "20000.00", "accountPay": "0.00", "cashPay": "\(20000 + index * 1000).00",
      ]
    }
    let body = String(decoding: try JSONSerialization.data(withJSONObject: ["records": records]), as: UTF8.self)
    let response = try await test.post(
      "/api/v1/settlement-sources/anyang-bureau/records", json: body, headers: test.clerkHeaders)
    try #require(response.status == .ok, "\(response.text)")
  }

  @Test func theQueueOpensAtTheViewersStepAndFindsAClaimByNumberOrMember() async throws {
    try await withTestApp(.sqlite) { test in
      try await Self.claimsWaitingForReview(test)
      let claims = FluentClaimStore(database: test.app.db)
      func anyang(_ states: Set<ClaimState>, _ narrowing: QueueNarrowing? = nil, order: QueueOrder = .due)
        async throws -> PagedResult<ClaimRecord>
      {
        try await claims.queue(
          ClaimQueueQuery(states: states, scheme: "anyang", narrowing: narrowing, order: order),
          page: PageQuery(per: 100))
      }
      let submitted = try await anyang([.submitted])
      try #require(submitted.total > 1, "the feed's claims wait for review")

      // A reviewer lands on what waits for review, an approver on what waits for approval.
      let reviewer = try await test.signIn("ay-reviewer")
      let review = try await test.get("/claims", headers: reviewer.cookie)
      #expect(review.status == .ok)
      #expect(review.text.contains("<strong>待审核</strong>"))
      #expect(Self.claimNumbers(review.text) == submitted.items.map(\.number))
      #expect(review.text.contains("共 \(submitted.total.grouped) 条"))
      let approver = try await test.signIn("ay-approver")
      let approval = try await test.get("/claims", headers: approver.cookie)
      #expect(approval.text.contains("<strong>待审批</strong>"))
      #expect(Set(Self.claimNumbers(approval.text)).isSubset(of: try await anyang([.reviewed]).items.map(\.number)))
      #expect(Set(Self.claimNumbers(approval.text)).isDisjoint(with: submitted.items.map(\.number)))

      // Found by its member's name (with the unit beside it) and by its number typed in lower case.
      let claim = try #require(submitted.items.first)
      let member = try #require(try await FluentRegistryStore(database: test.app.db).worker(claim.workerID))
      let byName = try await test.get(
        "/claims?stage=all&q=\(member.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)",
        headers: reviewer.cookie)
      #expect(Self.claimNumbers(byName.text).contains(claim.number))
      #expect(byName.text.contains("<td>\(member.name)</td>"))
      if let unit = claim.unitID, let name = try await FluentRegistryStore(database: test.app.db).unit(unit)?.name {
        #expect(byName.text.contains("<td>\(name)</td>"))
      }
      let byNumber = try await test.get("/claims?stage=all&q=\(claim.number.lowercased())", headers: reviewer.cookie)
      #expect(Self.claimNumbers(byNumber.text) == [claim.number])
      let nobody = try await test.get(
        "/claims?stage=all&q=%E6%9F%A5%E6%97%A0%E6%AD%A4%E4%BA%BA", headers: reviewer.cookie)
      #expect(nobody.text.contains("没有符合条件的申请") && Self.claimNumbers(nobody.text).isEmpty)

      // Largest amount first, as the store orders them.
      let byAmount = try await test.get("/claims?stage=review&sort=amount", headers: reviewer.cookie)
      let ordered = try await anyang([.submitted], order: .amount).items
      #expect(Self.claimNumbers(byAmount.text) == ordered.map(\.number))
      #expect(zip(ordered, ordered.dropFirst()).allSatisfy { $0.payable >= $1.payable })

      // The dashboard's "overdue" opens the queue filtered to the claims it counts.
      let clerk = try await test.signIn("ay-window")
      let dashboard = try await test.get("/", headers: clerk.cookie)
      #expect(dashboard.text.contains(#"href="/claims?stage=all&amp;due=overdue""#))
      #expect(dashboard.text.contains(#"href="/claims?stage=review""#) == false)  // a clerk does not review
      let today = test.app.serverClock.today
      let overdue = try await anyang(ClaimDeadline.chased, .overdue(today: today))
      let overduePage = try await test.get("/claims?stage=all&due=overdue", headers: clerk.cookie)
      #expect(Self.claimNumbers(overduePage.text) == overdue.items.map(\.number))
      // Unknown values read as the defaults; nothing breaks.
      let odd = try await test.get("/claims?stage=%3Cx%3E&due=soon&sort=name&page=-3", headers: clerk.cookie)
      #expect(odd.status == .ok)

      // The reviewer adjusts the amount from the claim's page; a typo comes back as typed.
      let claimPath = "/claims/\(claim.id)"
      #expect(try await test.get(claimPath, headers: reviewer.cookie).text.contains(#"id="claim-adjust""#))
      #expect(!(try await test.get(claimPath, headers: clerk.cookie).text.contains(#"id="claim-adjust""#)))
      let typo = try await test.post(
        "\(claimPath)/adjust", form: [("amount", "一千"), ("justification", "票据含非本次住院费用")], as: reviewer)
      #expect(typo.status == .unprocessableEntity)
      #expect(typo.text.contains(#"value="一千""#) && typo.text.contains("票据含非本次住院费用"))
      let lower = Money(fen: (try #require(claim.calculatedTotal)).fen / 2)
      let adjusted = try await test.post(
        "\(claimPath)/adjust", form: [("amount", lower.decimalString + "元"), ("justification", "票据含非本次住院费用")],
        as: reviewer)
      #expect(adjusted.status == .seeOther)
      #expect(try await claims.claim(claim.id)?.payable == lower)
      #expect(try await claims.history(of: claim.id).last?.action == "adjust")
      let byClerk = try await test.post(
        "\(claimPath)/adjust", form: [("amount", "1.00"), ("justification", "票据含非本次住院费用")], as: clerk)
      #expect(byClerk.status == .forbidden)

      // Yichun's reviewer finds none of Anyang's claims, by name or by number, nor adjusts one.
      let yichun = try await test.signIn("yc-reviewer")
      let foreign = try await test.post(
        "\(claimPath)/adjust", form: [("amount", "1.00"), ("justification", "票据含非本次住院费用")], as: yichun)
      #expect(foreign.status == .notFound)
      #expect(try await claims.claim(claim.id)?.payable == lower)
      for query in [claim.number, member.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!] {
        let page = try await test.get("/claims?stage=all&q=\(query)", headers: yichun.cookie)
        #expect(page.status == .ok)
        #expect(!Self.claimNumbers(page.text).contains(claim.number))
        #expect(!page.text.contains("<td>\(member.name)</td>"))
      }
    }
  }

  @Test func theWorkerSearchAndAUnitsListsPage() async throws {
    try await withTestApp(.sqlite) { test in
      let registry = FluentRegistryStore(database: test.app.db)
      let clerk = try await test.signIn("ay-window")
      let anyang = try #require(try await registry.allOrganisations().first { $0.code == "HA-AY" })
      let scoped = FluentRegistryStore(
        database: test.app.db,
        scope: .organisations(OrganisationTree.subtreeIDs(of: anyang.id, in: try await registry.allOrganisations())))
      // The most common surname among Anyang's people, so that the search takes several pages.
      // 120 people of one surname join an Anyang unit: a search of several pages, a unit of two.
      let unit = try #require(
        try await scoped.units(in: anyang.id, matching: nil, page: PageQuery(per: 1)).items.first)
      let joined = (1...120).map { index in
        Worker(
          name: "欧阳\(index)",
          idNumber: ResidentIDNumber.compose(
            region: "410502", birthDate: CalendarDate(year: 1980, month: 1, day: 1)!, sequence: 500 + index,
            gender: index % 2 == 0 ? .female : .male),
          unitID: unit.id)
      }
      try await registry.create(joined, employedSince: CalendarDate(year: 2020, month: 1, day: 1)!)
      let surname = "欧阳"
      let found = try await scoped.searchWorkers(matching: surname, page: PageQuery(per: 50))
      #expect(found.total == 120)
      let encoded = surname.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
      let first = try await test.get("/workers?q=\(encoded)", headers: clerk.cookie)
      #expect(first.text.contains("第 1–50 条，共 \(found.total.grouped) 条"))
      #expect(first.text.contains("<th>单位</th>") && first.text.contains("<th>保障</th>"))
      #expect(first.text.contains("<td>\(unit.name)</td>") && first.text.contains("<td>未参保</td>"))
      #expect(first.text.contains(#"rel="next""#) && first.text.contains("page=2"))
      let second = try await test.get("/workers?q=\(encoded)&page=2", headers: clerk.cookie)
      #expect(second.text.contains("第 51–\(min(100, found.total))"))
      let secondNames = try await scoped.searchWorkers(matching: surname, page: PageQuery(page: 2, per: 50)).items
      #expect(secondNames.allSatisfy { second.text.contains(">\($0.name)</a>") })
      let past = try await test.get("/workers?q=\(encoded)&page=99999999999999999999", headers: clerk.cookie)
      #expect(past.status == .ok || past.status == .badRequest)

      // The unit's second page of workers, its enrollments' page kept in the links.
      let total = try await scoped.workers(in: unit.id, page: PageQuery(per: 1)).total
      let page = try await test.get("/units/\(unit.id)?workers_page=2&enrollments_page=2", headers: clerk.cookie)
      #expect(page.text.contains("第 101–\(min(200, total)) 条，共 \(total.grouped) 条"))
      #expect(page.text.contains("workers_page=1") && page.text.contains("#unit-workers"))
      #expect(page.text.contains("enrollments_page=2"))  // the other list's page travels with the links

      // Yichun's window clerk finds none of Anyang's people.
      let yichun = try await test.signIn("yc-window")
      let name = try #require(found.items.first).name
      let theirs = try await test.get(
        "/workers?q=\(name.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)", headers: yichun.cookie)
      #expect(!theirs.text.contains(try #require(found.items.first).idNumber.masked))
    }
  }

  /// A unit's bill prints its certificates together, a hundred to a printing, each on its own
  /// sheet; the reading is audited; another federation's window finds no such bill.
  @Test func aBillsCertificatesPrintTogether() async throws {
    try await withTestApp(.sqlite) { test in
      let registry = FluentRegistryStore(database: test.app.db)
      let unit = try #require(
        try await registry.units(in: nil, page: PageQuery(per: 200)).items.first { $0.name == "河南安彩高科股份有限公司" })
      let enrollments = FluentEnrollmentStore(database: test.app.db)
      let bill = try #require(try await enrollments.bills(unit: unit.id).max { $0.memberCount < $1.memberCount })
      let certificates = try await enrollments.enrollments(bill: bill.id).sorted {
        $0.certificateNumber < $1.certificateNumber
      }
      #expect(certificates.count > 0 && certificates.count <= 100)
      let clerk = try await test.signIn("ay-window")
      let unitPage = try await test.get("/units/\(unit.id)", headers: clerk.cookie).text
      #expect(unitPage.contains("href=\"/bills/\(bill.id)/certificates\""))

      let printed = try await test.get("/bills/\(bill.id)/certificates", headers: clerk.cookie)
      #expect(printed.status == .ok)
      let shown = min(100, certificates.count)
      #expect(printed.text.components(separatedBy: "<article class=\"certificate\"").count - 1 == shown)
      #expect(printed.text.contains("id=\"print-certificates\""))
      #expect(printed.text.contains(certificates[0].certificateNumber))
      #expect(printed.text.contains("第 1–\(shown.grouped) 条，共 \(certificates.count.grouped) 条"))
      // Past the last printing: no sheet, and the print button gone.
      let past = try await test.get("/bills/\(bill.id)/certificates?page=2", headers: clerk.cookie).text
      #expect(!past.contains("<article class=\"certificate\"") && !past.contains("id=\"print-certificates\""))
      #expect(past.contains("本页没有记录，共 \(certificates.count) 条"))
      let events = try await FluentAuditStore(database: test.app.db).events(
        AuditQuery(), page: PageQuery(per: PageQuery.maximumPerPage)
      ).items
      #expect(
        events.contains { $0.actor == "ay-window" && $0.detail.contains("printable certificates of \(bill.number)") })
      // The audit page names the bill by its number, not its id.
      let auditor = try await test.signIn("ay-auditor")
      let log = try await test.get("/audit", headers: auditor.cookie).text
      #expect(log.contains("缴费单 \(bill.number)") && log.contains("打印保障书，缴费单 \(bill.number)"))
      #expect(!log.contains(bill.id.description.lowercased()) && !log.contains(bill.id.description.uppercased()))

      let yichun = try await test.signIn("yc-window")
      let foreign = try await test.get("/bills/\(bill.id)/certificates", headers: yichun.cookie)
      #expect(foreign.status == .notFound)
      #expect(!foreign.text.contains(bill.number) && !foreign.text.contains(certificates[0].certificateNumber))
      #expect(try await test.get("/bills/\(bill.id)/certificates?page=-3", headers: clerk.cookie).status == .badRequest)
    }
  }

  /// The approver shares out the claims waiting for review from the queue: ticked claims to a
  /// reviewer, who finds them under "mine"; taken back; a reviewer may not share out, and
  /// Yichun's approver can neither give Anyang's claims nor give claims to Anyang's reviewer.
  @Test func theApproverGivesClaimsToAReviewerWhoFindsThemUnderMine() async throws {
    try await withTestApp(.sqlite) { test in
      try await Self.claimsWaitingForReview(test)
      let accounts = FluentAccountStore(database: test.app.db)
      let reviewer = try #require(try await accounts.account(username: "ay-reviewer"))
      let approver = try await test.signIn("ay-approver")
      let queue = try await test.get("/claims?stage=review", headers: approver.cookie).text
      #expect(queue.contains("id=\"assign-form\"") && queue.contains("value=\"\(reviewer.id)\""))
      let numbers = Self.claimNumbers(queue)
      #expect(numbers.count == 6)
      let claims = FluentClaimStore(database: test.app.db)
      var ids: [String] = []
      for number in numbers.prefix(2) {
        ids.append(try #require(try await claims.claim(number: number)).id.description)
      }
      func assign(_ session: TestApp.Session, _ claimIDs: [String], to who: String) async throws -> TestingHTTPResponse
      {
        let body =
          claimIDs.map { "claims%5B%5D=\($0)" }.joined(separator: "&")
          + "&reviewer=\(who)&back=%2Fclaims%3Fstage%3Dreview&_csrf=\(session.csrf)"
        return try await test.send(.POST, "/claims/assign", body: body, headers: session.form())
      }
      let given = try await assign(approver, ids, to: reviewer.id.description)
      #expect(given.status == .seeOther && given.headers.first(name: .location) == "/claims?stage=review")
      let after = try await test.get("/claims?stage=review", headers: approver.cookie).text
      #expect(after.contains("已分派 2 件"))
      #expect(after.components(separatedBy: ">\(reviewer.displayName)</td>").count - 1 == 2)
      let history = try await test.get("/claims/\(ids[0])", headers: approver.cookie).text
      #expect(history.contains("分派审核") && history.contains(reviewer.displayName))
      let unassigned = try await test.get("/claims?stage=review&who=nobody", headers: approver.cookie).text
      #expect(Self.claimNumbers(unassigned) == Array(numbers.dropFirst(2)))

      let reviewing = try await test.signIn("ay-reviewer")
      let mine = try await test.get("/claims?stage=review&who=mine", headers: reviewing.cookie).text
      #expect(Self.claimNumbers(mine) == Array(numbers.prefix(2)))
      #expect(!mine.contains("id=\"assign-form\""))
      #expect(try await assign(reviewing, ids, to: reviewer.id.description).status == .forbidden)

      // Yichun's approver: Anyang's claims are not theirs to give, nor Anyang's reviewer.
      let yichun = try await test.signIn("yc-approver")
      _ = try await assign(yichun, ids, to: "none")
      let refused = try await test.get("/claims?stage=review", headers: yichun.cookie).text
      #expect(refused.contains("id=\"queue-error\"") && refused.contains("申请不存在"))
      #expect(!refused.contains(numbers[0]))
      #expect(
        try await claims.assignees(of: ids.compactMap { UUID(uuidString: $0) }.map(ClaimRecord.ID.init)).count == 2)
      let theirs = try #require(try await accounts.account(username: "yc-reviewer"))
      _ = try await assign(approver, ids, to: theirs.id.description)
      #expect(try await test.get("/claims?stage=review", headers: approver.cookie).text.contains("请选择本级的审核人员"))

      // Taken back.
      _ = try await assign(approver, [ids[0]], to: "none")
      let back = try await test.get("/claims?stage=review&who=mine", headers: reviewing.cookie).text
      #expect(Self.claimNumbers(back) == [numbers[1]])
    }
  }
}
