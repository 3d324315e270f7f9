import Foundation
import HuzhuCore
import HuzhuSMS

/// Where the outbox's text messages go.
public enum MessageGatewaySetting: Sendable, Equatable {
  /// Nowhere: messages wait in the outbox (the health figures count them).
  case off
  /// The in-process fake gateway (``FakeMessageGateway``): the demo shows a phone's latest
  /// code from it; refused in production.
  case fake
  /// An SMS provider over HTTP (``HTTPMessageGateway``), at most `perSecond` messages a second
  /// from each instance.
  case http(HTTPMessageGateway.Settings, perSecond: Int)

  var summary: String {
    switch self {
    case .off: "OFF (HUZHU_SMS=off): messages wait in the outbox; workers cannot receive portal codes"
    case .fake: "the demo's fake gateway (nothing leaves this machine)"
    case .http(let settings, let rate):
      "\(settings.url) as \(settings.account), \(settings.templates.count) templates, \(rate)/s"
    }
  }
}

extension AppConfiguration {
  /// `HUZHU_SMS` (`off`, `fake` or `http`; `fake` in a demo, `off` otherwise) and, for `http`,
  /// the provider's URL, account, secret, signature, templates and rate.
  static func messages(_ environment: [String: String], demo: Bool, problems: inout [ConfigurationError.Problem])
    -> MessageGatewaySetting
  {
    func value(_ setting: Setting) -> String? {
      environment[setting.rawValue].flatMap { $0.isEmpty ? nil : $0 }
    }
    let chosen = value(.messageGateway)?.lowercased() ?? (demo ? "fake" : "off")
    switch chosen {
    case "off": return .off
    case "fake": return .fake
    case "http": break
    default:
      problems.append(.init(setting: .messageGateway, value: chosen, accepted: "off, fake or http"))
      return .off
    }
    var missing = false
    func required(_ setting: Setting, accepted: String) -> String {
      guard let text = value(setting) else {
        problems.append(.init(setting: setting, value: "", accepted: accepted + " (HUZHU_SMS=http needs it)"))
        missing = true
        return ""
      }
      return text
    }
    let url = required(.messageURL, accepted: "the provider's https:// address")
    if !url.isEmpty, URL(string: url)?.scheme.map({ ["http", "https"].contains($0.lowercased()) }) != true {
      problems.append(.init(setting: .messageURL, value: url, accepted: "an http:// or https:// address"))
    }
    let account = required(.messageAccount, accepted: "the account the provider gave")
    let secret = required(.messageSecret, accepted: "the account's signing secret")
    let signName = required(.messageSignName, accepted: "the approved signature, e.g. 某市总工会")
    var templates: [MessageKind: String] = [:]
    if let text = value(.messageTemplates) {
      switch HTTPMessageGateway.Settings.templates(text) {
      case .success(let read): templates = read
      case .failure(let error):
        problems.append(.init(setting: .messageTemplates, value: text, accepted: error.description))
      }
    }
    var rate = 20
    if let text = value(.messageRate) {
      if let read = Int(text), (1...1_000).contains(read) {
        rate = read
      } else {
        problems.append(.init(setting: .messageRate, value: text, accepted: "messages a second, 1 to 1000"))
      }
    }
    guard !missing else { return .off }
    return .http(
      HTTPMessageGateway.Settings(
        url: url, account: account, secret: secret, signName: signName, templates: templates),
      perSecond: rate)
  }
}
