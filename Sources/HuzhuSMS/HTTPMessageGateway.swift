import AsyncHTTPClient
import Crypto
import Foundation
import HuzhuCore
import NIOCore
import NIOHTTP1

/// An SMS provider reached over HTTP (the adapter production uses). Chinese providers send
/// only approved templates under an approved signature, so each message goes as the template
/// of its kind with the template's parameters, beside the finished text for providers that
/// take free text. The request (docs/messages.md has the whole protocol):
///
///     POST <url>
///     Content-Type: application/json
///     X-Huzhu-Account: <account>
///     X-Huzhu-Timestamp: <seconds since 1970>
///     X-Huzhu-Signature: hex(HMAC-SHA256(secret, timestamp + "\n" + body))
///
///     {"requestId": "<the message's id>", "phone": "13800000000", "signName": "某市总工会",
///      "templateId": "SMS_1001", "templateParams": {"code": "123456"}, "text": "【职工互助】…"}
///
/// and the answer, `{"code": "OK", "messageId": "…"}` when taken. Anything else is a failure:
/// temporary (tried again later) on a timeout, a refused connection, HTTP 408, 429 (with its
/// Retry-After), 5xx, 401 and 403 (our credentials, put right by the operator) or an answer
/// marked `"retryable": true`; otherwise permanent (this message cannot pass: a number or a
/// text the provider refuses).
public struct HTTPMessageGateway: MessageGateway {
  public struct Settings: Sendable, Equatable {
    public var url: String
    public var account: String
    public var secret: String
    public var signName: String
    /// Template ids by message kind; a kind without one is sent as free text.
    public var templates: [MessageKind: String]
    public var timeout: TimeInterval

    public init(
      url: String, account: String, secret: String, signName: String, templates: [MessageKind: String],
      timeout: TimeInterval = 10
    ) {
      self.url = url
      self.account = account
      self.secret = secret
      self.signName = signName
      self.templates = templates
      self.timeout = timeout
    }

    /// Reads `portal_code=SMS_1001,claim_paid=SMS_1002`: the kinds' names as in
    /// ``MessageKind``, each at most once.
    public static func templates(_ text: String) -> Result<[MessageKind: String], TemplateListError> {
      var templates: [MessageKind: String] = [:]
      for item in text.split(separator: ",") {
        let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard pair.count == 2, !pair[1].isEmpty else { return .failure(TemplateListError(item: String(item))) }
        guard let kind = MessageKind(rawValue: pair[0]), templates[kind] == nil else {
          return .failure(TemplateListError(item: String(item)))
        }
        templates[kind] = pair[1]
      }
      return .success(templates)
    }
  }

  public struct TemplateListError: Error, Equatable, CustomStringConvertible {
    public let item: String
    public var description: String {
      "'\(item)': expected kind=TEMPLATE_ID, a kind one of \(MessageKind.allCases.map(\.rawValue).joined(separator: ", ")), each once"
    }
  }

  let settings: Settings
  let client: HTTPClient

  public init(_ settings: Settings, client: HTTPClient = .shared) {
    self.settings = settings
    self.client = client
  }

  struct Body: Encodable {
    let requestId: String
    let phone: String
    let signName: String
    let templateId: String?
    let templateParams: [String: String]
    let text: String
  }

  struct Answer: Decodable {
    let code: String?
    let message: String?
    let messageId: String?
    let retryable: Bool?
  }

  /// Answers read at most this long: a provider's answer is a line of JSON.
  static let answerLimit = 64 * 1024

  public func send(_ message: OutgoingMessage) async throws -> GatewayReceipt {
    guard let phone = message.phone, !phone.isEmpty else {
      throw GatewayFailure(permanent: true, reason: "no phone")
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let body = try encoder.encode(
      Body(
        requestId: message.id.description, phone: phone, signName: settings.signName,
        templateId: settings.templates[message.kind], templateParams: message.parameters, text: message.text))
    let timestamp = String(Int(Date().timeIntervalSince1970))
    var request = HTTPClientRequest(url: settings.url)
    request.method = .POST
    request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
    request.headers.add(name: "X-Huzhu-Account", value: settings.account)
    request.headers.add(name: "X-Huzhu-Timestamp", value: timestamp)
    request.headers.add(
      name: "X-Huzhu-Signature", value: Self.signature(secret: settings.secret, timestamp: timestamp, body: body))
    request.body = .bytes(ByteBuffer(bytes: body))

    let response: HTTPClientResponse
    let answerBytes: ByteBuffer
    do {
      response = try await client.execute(request, timeout: .milliseconds(Int64(settings.timeout * 1000)))
      answerBytes = try await response.body.collect(upTo: Self.answerLimit)
    } catch {
      throw GatewayFailure(permanent: false, reason: "gateway unreachable: \(error)")
    }
    let answer = try? JSONDecoder().decode(Answer.self, from: Data(answerBytes.readableBytesView))
    let said = answer.map { [$0.code, $0.message].compactMap { $0 }.joined(separator: ": ") } ?? ""
    let status = response.status.code
    switch status {
    case 200..<300:
      if answer?.code == "OK" { return GatewayReceipt(providerID: answer?.messageId) }
      throw GatewayFailure(
        permanent: answer?.retryable != true, reason: said.isEmpty ? "gateway answered without OK" : said)
    case 429:
      throw GatewayFailure(
        permanent: false, reason: "HTTP 429 rate limited \(said)".trimmingCharacters(in: .whitespaces),
        retryAfter: response.headers.first(name: "Retry-After").flatMap(TimeInterval.init))
    case 401, 403, 408, 500...:
      throw GatewayFailure(permanent: false, reason: "HTTP \(status) \(said)".trimmingCharacters(in: .whitespaces))
    default:
      throw GatewayFailure(
        permanent: answer?.retryable != true, reason: "HTTP \(status) \(said)".trimmingCharacters(in: .whitespaces))
    }
  }

  /// hex(HMAC-SHA256(secret, timestamp + "\n" + body)): the provider checks it, and refuses a
  /// timestamp far from its own clock (a replayed request).
  public static func signature(secret: String, timestamp: String, body: Data) -> String {
    var signed = Data(timestamp.utf8)
    signed.append(0x0A)
    signed.append(body)
    let code = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8)))
    return code.map { String(format: "%02x", $0) }.joined()
  }
}
