import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import HuzhuWeb
import Testing
import Vapor
import VaporTesting

/// Bulk intake (`POST /api/v1/claims/batch`): a unit's or a partner system's claims opened in
/// one transaction or not at all, every error named by row, within the sender's reach only.
@Suite("Claim batch API")
struct ClaimBatchAPITests {
  static let kinds = TestDatabaseKind.available
  let api: EnrollmentAPITests

  init() throws {
    api = try EnrollmentAPITests()
  }

  static let path = "/api/v1/claims/batch"

  /// One claim of a batch: Anyang's 3,000 yuan self-paid stay (1,300 yuan paid), the member
  /// named by `member` (a JSON member, e.g. `"certificateNumber":"…"`).
  static func claim(_ member: String, invoice: String, admission: String = "2020-03-02") -> String {
    """
    {\(member),"intake":{"hospital":"安阳市人民医院","invoiceNumbers":["\(invoice)"],"settlementSheetNumber":"JS-\(invoice)",
      "event":{"admissionDate":"\(admission)","dischargeDate":"2020-03-12","hospitalDays":10,
        "figures":{"in_scope_cost":"18000.00","pooled_fund_paid":"13500.00","critical_illness_insurance_paid":"1500.00"}}}}
    """
  }

  static func batch(_ claims: [String], scheme: String = "anyang", extra: String = "") -> String {
    #"{"schemeCode":"\#(scheme)"\#(extra),"claims":[\#(claims.joined(separator: ","))]}"#
  }

  static func certificate(_ number: Int) -> String {
    #""certificateNumber":"\#(String(format: "ANYANG-2019-%06d", number))""#
  }

  func drafts(_ test: TestApp, _ headers: HTTPHeaders) async throws -> Int {
    let queue = try await api.call(
      test, .GET, "/api/v1/claims?state=draft", template: "/api/v1/claims", headers: headers, expect: 200)
    return queue["total"] as? Int ?? -1
  }

  @Test(arguments: kinds)
  func everyClaimOpenedInOrderWithItsAmountAndDuplicates(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      test.setToday(2020, 3, 20)
      let enrollments = FluentEnrollmentStore(database: test.app.db)
      let third = try #require(try await enrollments.certificate(number: "ANYANG-2019-000003"))
      let claims = [
        Self.claim(Self.certificate(1), invoice: "B-1"),
        // A certificate number as people type it: lower case, a space around it.
        Self.claim(#""certificateNumber":" anyang-2019-000002 ""#, invoice: "B-2"),
        Self.claim(#""workerId":"\#(third.enrollment.workerID)""#, invoice: "B-3"),
      ]
      let opened = try await api.call(
        test, .POST, Self.path, template: Self.path, body: Self.batch(claims), expect: 201)
      #expect(opened["count"] as? Int == 3)
      let rows = try #require(opened["claims"] as? [[String: Any]])
      #expect(rows.map { $0["row"] as? Int } == [1, 2, 3])
      #expect(rows.allSatisfy { $0["calculatedTotal"] as? String == "1300.00" && $0["state"] as? String == "draft" })
      #expect(Set(rows.compactMap { $0["number"] as? String }).count == 3)
      #expect(rows.allSatisfy { ($0["missingDocuments"] as? [String])?.isEmpty == false })
      // Each is a claim like any other, for the member named.
      let second = try await api.call(
        test, .GET, "/api/v1/claims/\(rows[2]["id"] as? String ?? "")", template: "/api/v1/claims/{id}", expect: 200)
      #expect(
        (second["claim"] as? [String: Any])?["workerId"] as? String == third.enrollment.workerID.rawValue.uuidString)

      // The same invoice sent again, in a later batch: opened, and flagged against the first.
      let again = try await api.call(
        test, .POST, Self.path, template: Self.path,
        body: Self.batch([Self.claim(Self.certificate(1), invoice: "B-1")], extra: #","submitWhenComplete":true"#),
        expect: 201)
      let flagged = try #require((again["claims"] as? [[String: Any]])?.first)
      let duplicates = flagged["duplicates"] as? [[String: Any]] ?? []
      #expect(duplicates.contains { $0["kind"] as? String == "same_invoice" })
      #expect(duplicates.first?["earlierClaimNumber"] as? String == rows[0]["number"] as? String)
      // Its papers are missing, so even asked to submit it stays a draft.
      #expect(flagged["state"] as? String == "draft")
      #expect(try await drafts(test, test.clerkHeaders) == 4)
    }
  }

  @Test(arguments: kinds)
  func anyWrongClaimKeepsTheWholeBatchOutAndEveryErrorNamesItsRow(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      test.setToday(2020, 3, 20)
      let claims = [
        Self.claim(Self.certificate(1), invoice: "W-1"),
        Self.claim(#""certificateNumber":"NO-SUCH-CERTIFICATE""#, invoice: "W-2"),
        Self.claim(#""idNumber":"123""#, invoice: "W-3"),
        Self.claim(Self.certificate(4), invoice: "W-4", admission: "2020-03-30"),
        Self.claim(#""expedited":false"#, invoice: "W-5"),
      ]
      let refused = try await api.call(
        test, .POST, Self.path, template: Self.path, body: Self.batch(claims), expect: 422)
      let fields = try #require((refused["error"] as? [String: Any])?["fields"] as? [[String: Any]])
      #expect(Set(fields.compactMap { $0["row"] as? Int }) == [2, 3, 4, 5])
      #expect(
        fields.contains { $0["field"] as? String == "claims[1].workerId" && $0["code"] as? String == "unknown_member" })
      #expect(fields.contains { $0["field"] as? String == "claims[2].idNumber" })
      #expect(fields.contains { ($0["field"] as? String)?.hasPrefix("claims[3].event.") == true })
      #expect(fields.contains { ($0["message"] as? [String: Any])?["zh"] as? String == "第5件：请用职工编号、身份证号或保障书编号指明参保人" })
      // Nothing of the batch was kept, not even its good first claim.
      #expect(try await drafts(test, test.clerkHeaders) == 0)

      // A batch of one is still a list: its errors are named as the first claim's.
      let alone = try await api.call(
        test, .POST, Self.path, template: Self.path,
        body: Self.batch([Self.claim(Self.certificate(4), invoice: "W-4", admission: "2020-03-30")]), expect: 422)
      #expect(!api.fieldPaths(alone).isEmpty && api.fieldPaths(alone).allSatisfy { $0.hasPrefix("claims[0].event.") })
      let aloneFields = (alone["error"] as? [String: Any])?["fields"] as? [[String: Any]] ?? []
      #expect(aloneFields.allSatisfy { $0["row"] as? Int == 1 })

      // A receipt date the clerk may not back-date, and a future one: errors of their rows.
      let dated = Self.claim(Self.certificate(1), invoice: "W-6").replacingOccurrences(
        of: #""hospitalDays""#, with: #""claimDate":"2020-03-01","claimDateReason":"补录","hospitalDays""#)
      let backDated = try await api.call(
        test, .POST, Self.path, template: Self.path,
        body: Self.batch([Self.claim(Self.certificate(2), invoice: "W-7"), dated]), expect: 422)
      #expect(api.fieldPaths(backDated).allSatisfy { $0.hasPrefix("claims[1].") })
      #expect(try await drafts(test, test.clerkHeaders) == 0)
    }
  }

  @Test func sizeChannelAndPermissionAreCheckedBeforeAnything() async throws {
    try await withTestApp(.sqlite) { test in
      test.setToday(2020, 3, 20)
      let empty = try await api.call(test, .POST, Self.path, template: Self.path, body: Self.batch([]), expect: 422)
      #expect(api.fieldCodes(empty) == ["batch_size"])
      let many = Array(repeating: Self.claim(Self.certificate(1), invoice: "M"), count: 1_001)
      let tooMany = try await api.call(test, .POST, Self.path, template: Self.path, body: Self.batch(many), expect: 422)
      #expect(api.fieldCodes(tooMany) == ["batch_size"])
      let settlement = try await api.call(
        test, .POST, Self.path, template: Self.path,
        body: Self.batch([Self.claim(Self.certificate(1), invoice: "S")], extra: #","channel":"settlement""#),
        expect: 422)
      #expect(api.fieldCodes(settlement) == ["invalid_channel"])
      _ = try await api.call(
        test, .POST, Self.path, template: Self.path, body: #"{"schemeCode":"anyang","claims":"all"}"#, expect: 400)
      // A thousand claims with two hundred blank invoices each: the answer lists 500 errors and
      // says how many more, not 200,000.
      let blanks = Array(repeating: #"" ""#, count: 200).joined(separator: ",")
      let flood = Self.claim(Self.certificate(1), invoice: "X").replacingOccurrences(
        of: #""invoiceNumbers":["X"]"#, with: #""invoiceNumbers":[\#(blanks)]"#)
      let answer = try await test.send(
        .POST, Self.path, body: Self.batch(Array(repeating: flood, count: 1_000)), headers: test.clerkHeaders)
      #expect(answer.status == .unprocessableEntity)
      let listed = api.fieldCodes(try TestApp.object(answer))
      #expect(listed.count == 501 && listed.last == "more_errors")
      #expect(answer.body.readableBytes < 400_000)
      // Finance may not take claims in.
      _ = try await api.call(
        test, .POST, Self.path, template: Self.path, body: Self.batch([Self.claim(Self.certificate(1), invoice: "F")]),
        headers: test.headers("ay-finance"), expect: 403)
      // Over 4 MB is refused before it is read; the server answers the next request.
      let padding = String(repeating: " ", count: 4 << 20)
      let huge = try await test.sendOverTheWire(
        .POST, Self.path, body: Self.batch([Self.claim(Self.certificate(1), invoice: "H")]) + padding,
        headers: test.clerkHeaders)
      #expect(huge.status == .payloadTooLarge)
      #expect(try await drafts(test, test.clerkHeaders) == 0)
    }
  }

  /// Yichun's window clerk reaches neither Anyang's scheme nor its members through a batch,
  /// and learns nothing of them from the answer.
  @Test(arguments: kinds)
  func anotherFederationGetsNothingOfAnyang(kind: TestDatabaseKind) async throws {
    try await withTestApp(kind) { test in
      test.setToday(2020, 3, 20)
      let yichun = test.headers("yc-window")
      let anyangMember = try #require(
        try await FluentEnrollmentStore(database: test.app.db).certificate(number: "ANYANG-2019-000001"))
      let theirScheme = try await test.send(
        .POST, Self.path, body: Self.batch([Self.claim(Self.certificate(1), invoice: "Y-1")]), headers: yichun)
      // Answered as a scheme that does not exist is.
      let noScheme = try await test.send(
        .POST, Self.path, body: Self.batch([Self.claim(Self.certificate(1), invoice: "Y-1")], scheme: "no-such"),
        headers: yichun)
      #expect(theirScheme.status == .unprocessableEntity)
      let answers = try [theirScheme.text, noScheme.text.replacingOccurrences(of: "no-such", with: "anyang")].map {
        try #require(
          (try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["error"] as? NSDictionary)
      }
      #expect(answers[0] == answers[1])
      let name = try #require(
        try await FluentRegistryStore(database: test.app.db).worker(anyangMember.enrollment.workerID)?.name)
      for member in [Self.certificate(1), #""workerId":"\#(anyangMember.enrollment.workerID)""#] {
        let refused = try await test.send(
          .POST, Self.path, body: Self.batch([Self.claim(member, invoice: "Y-2")], scheme: "hlj-yichun"),
          headers: yichun)
        #expect(refused.status == .unprocessableEntity)
        #expect(api.fieldCodes(try TestApp.object(refused)) == ["unknown_member"])
        #expect(
          !refused.text.contains(name) && !refused.text.contains(anyangMember.enrollment.workerID.rawValue.uuidString))
      }
      #expect(try await drafts(test, test.clerkHeaders) == 0)
      #expect(try await drafts(test, yichun) == 0)
    }
  }
}
