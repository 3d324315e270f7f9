import Foundation
import HuzhuCore
import HuzhuSMS
import NIOConcurrencyHelpers
import Testing
import Vapor

/// The HTTP SMS adapter against a provider played by a small server on this machine: what it
/// sends (signed, the template of the kind and its parameters), and how each kind of answer
/// reads (taken, refused for good, try again later).
@Suite("HTTP message gateway")
struct HTTPMessageGatewayTests {
  struct Received: Sendable {
    let headers: HTTPHeaders
    let body: Data
  }

  /// Runs a provider answering with `answer` on a free port, and `body` with a gateway to it.
  func withProvider(
    _ answer: @escaping @Sendable (Request) -> Response,
    _ body: (HTTPMessageGateway, @escaping @Sendable () -> [Received]) async throws -> Void
  ) async throws {
    let app = try await Application.make(.testing)
    let received = NIOLockedValueBox<[Received]>([])
    app.http.server.configuration.hostname = "127.0.0.1"
    app.http.server.configuration.port = 0
    app.logger.logLevel = .critical
    app.on(.POST, "sms", body: .collect(maxSize: "64kb")) { request -> Response in
      let data = request.body.data.map { Data($0.readableBytesView) } ?? Data()
      received.withLockedValue { $0.append(Received(headers: request.headers, body: data)) }
      return answer(request)
    }
    try app.server.start()
    do {
      let port = try #require(app.http.server.shared.localAddress?.port)
      let gateway = HTTPMessageGateway(
        .init(
          url: "http://127.0.0.1:\(port)/sms", account: "huzhu-test", secret: "s3cret", signName: "安阳市总工会",
          templates: [.portalCode: "SMS_1001", .claimPaid: "SMS_1002"], timeout: 5))
      try await body(gateway, { received.withLockedValue { $0 } })
    } catch {
      await app.server.shutdown()
      try await app.asyncShutdown()
      throw error
    }
    await app.server.shutdown()
    try await app.asyncShutdown()
  }

  static func json(_ status: HTTPResponseStatus, _ text: String, headers: HTTPHeaders = [:]) -> Response {
    var headers = headers
    headers.contentType = .json
    return Response(status: status, headers: headers, body: .init(string: text))
  }

  let code = OutgoingMessage.portalCode(
    "246810", phone: "13812345678", organisationID: nil, workerID: .init(), at: Date())

  @Test func aMessageGoesSignedAsItsKindsTemplateAndTheProvidersIdComesBack() async throws {
    try await withProvider({ _ in Self.json(.ok, #"{"code":"OK","messageId":"P-778899"}"#) }) { gateway, received in
      let receipt = try await gateway.send(code)
      #expect(receipt.providerID == "P-778899")
      let request = try #require(received().first)
      let sent = try #require(try JSONSerialization.jsonObject(with: request.body) as? [String: Any])
      #expect(sent["phone"] as? String == "13812345678")
      #expect(sent["templateId"] as? String == "SMS_1001")
      #expect(sent["templateParams"] as? [String: String] == ["code": "246810"])
      #expect(sent["signName"] as? String == "安阳市总工会")
      #expect(sent["requestId"] as? String == code.id.description)
      #expect((sent["text"] as? String)?.contains("246810") == true)
      #expect(request.headers.first(name: "X-Huzhu-Account") == "huzhu-test")
      let timestamp = try #require(request.headers.first(name: "X-Huzhu-Timestamp"))
      #expect(abs((Double(timestamp) ?? 0) - Date().timeIntervalSince1970) < 60)
      // The provider checks the signature over the timestamp and the very bytes it received.
      let signature = try #require(request.headers.first(name: "X-Huzhu-Signature"))
      #expect(signature == HTTPMessageGateway.signature(secret: "s3cret", timestamp: timestamp, body: request.body))
      #expect(signature != HTTPMessageGateway.signature(secret: "other", timestamp: timestamp, body: request.body))
      // A kind without a template goes as free text.
      let free = OutgoingMessage(
        kind: .claimRejected, phone: "13812345678", text: "不予给付", organisationID: nil, createdAt: Date())
      _ = try await gateway.send(free)
      let second = try #require(try JSONSerialization.jsonObject(with: received()[1].body) as? [String: Any])
      #expect(second["templateId"] == nil && second["text"] as? String == "不予给付")
    }
  }

  @Test func eachKindOfAnswerReadsAsTakenFinalOrWorthAnotherTry() async throws {
    let answers: [(Response, GatewayFailure)] = [
      (
        Self.json(.ok, #"{"code":"isv.MOBILE_NUMBER_ILLEGAL","message":"号码格式错误"}"#),
        GatewayFailure(permanent: true, reason: "isv.MOBILE_NUMBER_ILLEGAL: 号码格式错误")
      ),
      (
        Self.json(.ok, #"{"code":"isv.BUSINESS_LIMIT_CONTROL","retryable":true}"#),
        GatewayFailure(permanent: false, reason: "isv.BUSINESS_LIMIT_CONTROL")
      ),
      (
        Self.json(.tooManyRequests, #"{"code":"Throttling"}"#, headers: ["Retry-After": "120"]),
        GatewayFailure(permanent: false, reason: "HTTP 429 rate limited Throttling", retryAfter: 120)
      ),
      (Self.json(.serviceUnavailable, "down for maintenance"), GatewayFailure(permanent: false, reason: "HTTP 503")),
      (
        Self.json(.unauthorized, #"{"code":"InvalidAccessKeyId"}"#),
        GatewayFailure(permanent: false, reason: "HTTP 401 InvalidAccessKeyId")
      ),
      (
        Self.json(.badRequest, #"{"code":"isv.TEMPLATE_PARAMS_ILLEGAL"}"#),
        GatewayFailure(permanent: true, reason: "HTTP 400 isv.TEMPLATE_PARAMS_ILLEGAL")
      ),
    ]
    let index = NIOLockedValueBox(0)
    try await withProvider({ _ in
      index.withLockedValue { index in
        defer { index += 1 }
        return answers[index].0
      }
    }) { gateway, _ in
      for (_, expected) in answers {
        await #expect(throws: expected) { try await gateway.send(code) }
      }
    }
  }

  @Test func anUnreachableProviderIsATemporaryFailure() async throws {
    // A port nothing listens on (the provider's server started and stopped).
    let app = try await Application.make(.testing)
    app.http.server.configuration.port = 0
    try app.server.start()
    let port = try #require(app.http.server.shared.localAddress?.port)
    await app.server.shutdown()
    try await app.asyncShutdown()
    let gateway = HTTPMessageGateway(
      .init(url: "http://127.0.0.1:\(port)/sms", account: "a", secret: "s", signName: "n", templates: [:], timeout: 2))
    do {
      _ = try await gateway.send(code)
      Issue.record("sent to nowhere")
    } catch let failure as GatewayFailure {
      #expect(!failure.permanent && failure.reason.hasPrefix("gateway unreachable"))
    }
    // No phone: refused before any request.
    let nowhere = OutgoingMessage(kind: .claimPaid, phone: nil, text: "t", organisationID: nil, createdAt: Date())
    await #expect(throws: GatewayFailure(permanent: true, reason: "no phone")) { try await gateway.send(nowhere) }
  }

  @Test func theTemplateListIsReadStrictly() throws {
    #expect(
      try HTTPMessageGateway.Settings.templates("portal_code=SMS_1, claim_paid = SMS_2").get() == [
        .portalCode: "SMS_1", .claimPaid: "SMS_2",
      ])
    for bad in ["portal_code", "portal_kode=SMS_1", "portal_code=SMS_1,portal_code=SMS_2", "claim_paid="] {
      guard case .failure = HTTPMessageGateway.Settings.templates(bad) else {
        Issue.record("\(bad) was read")
        continue
      }
    }
  }
}
