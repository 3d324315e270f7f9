import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import SQLKit
import Testing
import Vapor
import VaporTesting

/// One-stop claims over HTTP on the demo data: the bureau's feed as the Anyang window pushes
/// it, the exceptions queue, the pages a clerk works them from, and another federation that
/// gets nothing of any of it.
@Suite("One-stop settlements over HTTP")
struct SettlementAPITests {
  static let kinds = TestDatabaseKind.available
  static let feed = "/api/v1/settlement-sources/anyang-bureau/records"

  struct Member: Decodable {
    let id_number: String
    let name: String
    let period_start: String
  }

  /// An Anyang demo member with paid cover, and the start of their period.
  func member(_ app: TestApp) async throws -> Member {
    let sql = app.app.db as! any SQLDatabase
    return try #require(
      try await sql.raw(
        """
        SELECT w.id_number, w.name, e.period_start FROM workers w JOIN enrollments e ON e.worker_id = w.id \
        WHERE e.scheme_code = 'anyang' AND e.status = 'active' ORDER BY e.period_start, w.id_number LIMIT 1
        """
      ).first(decoding: Member.self))
  }

  func record(_ id: String, name: String, idNumber: String, admitted: String, discharged: String) -> [String: Any] {
    [
      "settlementId": id, "name": name, "idNumber": idNumber, "medicalType": "普通住院", "providerName": "安阳市人民医院",
      "admissionDate": admitted, "dischargeDate": discharged, "settledAt": discharged + " 10:00:00",
      "totalCost": "6000.00", "fullSelfPay": "200.00", "overLimitSelfPay": "0.00", "preSelfPay": "300.00",
      "inScopeAmount": "5500.00", "poolPay": "4000.00", "fundTotal": "4000.00", "accountPay": "0.00",
      "cashPay": "2000.00",
    ]
  }

  func body(_ records: [[String: Any]]) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: ["records": records]), as: UTF8.self)
  }

  @Test(arguments: kinds)
  func theBureauFeedMakesClaimsOnceAndHoldsTheRest(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { app in
      app.setToday(2020, 6, 30)
      let member = try await member(app)
      let settlementId = "41050020200620000001"
      let stranger = ResidentIDNumber.compose(
        region: "410502", birthDate: CalendarDate(year: 1990, month: 1, day: 1)!, sequence: 7, gender: .male
      ).value
      let records = [
        record(
          settlementId, name: member.name, idNumber: member.id_number, admitted: "2020-06-10", discharged: "2020-06-15"),
        record(
          "41050020200620000002", name: "赵六", idNumber: stranger, admitted: "2020-06-11", discharged: "2020-06-16"),
        ["settlementId": "41050020200620000003", "name": "坏记录"],
      ]
      let response = try await app.post(Self.feed, json: try body(records), headers: app.clerkHeaders)
      #expect(response.status == .ok, "\(response.text)")
      let receipt = try TestApp.object(response)
      let outcomes = try #require(receipt["outcomes"] as? [[String: Any]])
      // Base 5,500 − 4,000 = 1,500 → 300 + 250 = 550: under Anyang's 2,000, so straight through
      // unless the settlement ID falls in the 5% audit sample.
      let sampled = SettlementTriage.isSampled(settlementId, rate: Rate(5, over: 100))
      #expect(outcomes.map { $0["result"] as? String } == [sampled ? "claimed" : "approved", "held", "refused"])
      #expect(outcomes[1]["exception"] as? String == "not_member")
      let errors = try #require(receipt["errors"] as? [[String: Any]])
      #expect(errors.contains { ($0["field"] as? String) == "idNumber" && ($0["row"] as? Int) == 3 })
      let number = try #require(outcomes[0]["claimNumber"] as? String)

      // Sent again: nothing new.
      let again = try TestApp.object(try await app.post(Self.feed, json: try body(records), headers: app.clerkHeaders))
      #expect(
        (again["outcomes"] as? [[String: Any]])?.prefix(2).map { $0["result"] as? String } == [
          "unchanged", "unchanged",
        ])

      let queue = try TestApp.object(try await app.get("/api/v1/settlements", headers: app.clerkHeaders))
      #expect(queue["total"] as? Int == 1)
      let claims = try TestApp.object(
        try await app.get("/api/v1/claims?state=\(sampled ? "submitted" : "approved")", headers: app.clerkHeaders))
      let items = try #require(claims["items"] as? [[String: Any]])
      let claim = try #require(items.first { $0["number"] as? String == number })
      #expect(claim["channel"] as? String == "settlement")

      // Too many records, or no records at all, is the sender's error; the server stays up.
      let many = try body(Array(repeating: records[0], count: 1_001))
      #expect(try await app.post(Self.feed, json: many, headers: app.clerkHeaders).status == .unprocessableEntity)
      #expect(
        try await app.post(Self.feed, json: #"{"records": 5}"#, headers: app.clerkHeaders).status
          == .unprocessableEntity)
      #expect(try await app.post(Self.feed, json: "[[[[", headers: app.clerkHeaders).status == .unprocessableEntity)
      // Nesting deep enough to exhaust a recursive parser's stack is refused, not followed.
      let deep = String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000)
      #expect(try await app.post(Self.feed, json: deep, headers: app.clerkHeaders).status == .unprocessableEntity)
      let deepRecord = #"{"records": ["# + String(repeating: "[", count: 200_000) + "]]"
      #expect(try await app.post(Self.feed, json: deepRecord, headers: app.clerkHeaders).status == .unprocessableEntity)
      // A one-stop claim cannot be opened by hand.
      let byHand = """
        {"schemeCode": "anyang", "idNumber": "\(member.id_number)", "channel": "settlement",
         "intake": {"event": {"admissionDate": "2020-06-01"}, "invoiceNumbers": []}}
        """
      #expect(
        try await app.post("/api/v1/claims", json: byHand, headers: app.clerkHeaders).status == .unprocessableEntity)
    }
  }

  @Test(arguments: kinds)
  func anotherFederationGetsNothingOfTheFeedOrTheQueue(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { app in
      app.setToday(2020, 6, 30)
      let stranger = ResidentIDNumber.compose(
        region: "410502", birthDate: CalendarDate(year: 1991, month: 1, day: 1)!, sequence: 9, gender: .female
      ).value
      let records = [record("S-HELD", name: "钱七", idNumber: stranger, admitted: "2020-06-01", discharged: "2020-06-02")]
      #expect(try await app.post(Self.feed, json: try body(records), headers: app.clerkHeaders).status == .ok)
      let held = try TestApp.object(try await app.get("/api/v1/settlements", headers: app.clerkHeaders))
      let id = try #require((held["items"] as? [[String: Any]])?.first?["id"] as? String)

      let outsider = app.headers("hlj-approver")
      let theirs = try TestApp.object(try await app.get("/api/v1/settlements", headers: outsider))
      #expect(theirs["total"] as? Int == 0)
      // Their window cannot push into Anyang's source, and is not told it exists.
      let pushed = try await app.post(Self.feed, json: try body(records), headers: app.headers("hlj-finance"))
      #expect(pushed.status == .forbidden)
      #expect(!pushed.text.contains("安阳"))
      // A window clerk of theirs may push, but to their own sources: Anyang's is not found, the
      // same answer as a source that does not exist.
      let foreign = try await app.post(Self.feed, json: try body(records), headers: app.headers("yc-window"))
      #expect(foreign.status == .notFound && !foreign.text.contains("安阳") && !foreign.text.contains("anyang"))
      let none = try await app.post(
        "/api/v1/settlement-sources/no-such-bureau/records", json: try body(records), headers: app.clerkHeaders)
      #expect(none.status == .notFound)
      let session = try await app.signIn("hlj-approver")
      let page = try await app.get("/settlements/\(id)", headers: session.cookie)
      #expect(page.status == .notFound && !page.text.contains("钱七"))
      let list = try await app.get("/settlements", headers: session.cookie)
      #expect(list.status == .ok && !list.text.contains("钱七") && !list.text.contains("anyang-bureau"))
    }
  }

  @Test(arguments: kinds)
  func aClerkTriesAFileImportsItAndWorksTheQueue(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { app in
      app.setToday(2020, 6, 30)
      let member = try await member(app)
      let session = try await app.signIn("ay-window")
      let csv = """
        安阳市医疗保障局 结算明细 2020年06月
        结算流水号,姓名,身份证号码,医疗类别,入院日期,出院日期,结算时间,符合范围金额,统筹基金支付,定点医疗机构名称
        P-1,\(member.name),\(member.id_number),普通住院,2020-06-01,2020-06-05,2020-06-05 09:00:00,5500.00,4000.00,安阳市人民医院
        P-2,孙八,\(member.id_number),普通住院,2020-06-02,2020-06-06,2020-06-06 09:00:00,100.00,50.00,安阳地区医院
        合计,,,,,,,5600.00,4050.00,
        """
      let form = TestApp.multipart(
        [("_csrf", session.csrf), ("source", "anyang-bureau")],
        files: [(name: "file", fileName: "june.csv", type: "text/csv", content: csv)])
      var headers = session.cookie
      headers.replaceOrAdd(name: .contentType, value: form.contentType)
      let uploaded = try await app.send(.POST, "/settlements/upload", body: form.body, headers: headers)
      #expect(uploaded.status == .seeOther)
      let location = try #require(uploaded.headers.first(name: .location))
      let tried = try await app.get(location, headers: session.cookie)
      #expect(tried.status == .ok && tried.text.contains("试导入") && tried.text.contains("settlement-commit"))
      #expect(try await app.get("/api/v1/settlements", headers: app.clerkHeaders).text.contains("\"total\":0"))

      let file = try #require(location.split(separator: "file=").last?.split(separator: "&").first.map(String.init))
      let committed = try await app.post(
        "/settlements/import", form: [("file", file), ("source", "anyang-bureau")], as: session)
      #expect(committed.status == .seeOther)
      let queue = try await app.get("/settlements", headers: session.cookie)
      #expect(queue.text.contains("已导入") && queue.text.contains("姓名与身份证号不符") && queue.text.contains("P-2"))

      let held = try TestApp.object(try await app.get("/api/v1/settlements", headers: app.clerkHeaders))
      let id = try #require((held["items"] as? [[String: Any]])?.first?["id"] as? String)
      let page = try await app.get("/settlements/\(id)", headers: session.cookie)
      // The bureau's own row, as the file wrote it.
      #expect(page.text.contains("定点医疗机构名称") && page.text.contains("安阳地区医院"))
      // Another federation's clerk finds no such record, to close or to match again.
      let stranger = try await app.signIn("yc-window")
      for action in ["resolve", "rematch"] {
        let foreign = try await app.post(
          "/settlements/\(id)/\(action)", form: [("note", "已核实：另一个总工会的记录")], as: stranger)
        #expect(foreign.status == .notFound)
      }
      let refused = try await app.post("/settlements/\(id)/resolve", form: [("note", "")], as: session)
      #expect(refused.status == .unprocessableEntity)
      let resolved = try await app.post(
        "/settlements/\(id)/resolve", form: [("note", "已核实：医保局姓名录入错误，退回重报")], as: session)
      #expect(resolved.status == .seeOther)
      #expect(try await app.get("/api/v1/settlements", headers: app.clerkHeaders).text.contains("\"total\":0"))
      let history = try await app.get("/settlements/\(id)", headers: session.cookie)
      #expect(history.text.contains("已核实：医保局姓名录入错误") && history.text.contains("已关闭"))
    }
  }
}
