/// A text users read, in Chinese first and English second. Every message the domain
/// produces for a person (validation errors, reasons, labels) carries both.
public struct LocalizedText: Hashable, Sendable, Codable {
  public let zh: String
  public let en: String

  public init(zh: String, en: String) {
    self.zh = zh
    self.en = en
  }

  public func text(for language: DisplayLanguage) -> String {
    switch language {
    case .zh: zh
    case .en: en
    }
  }
}

/// The languages of the user interface; Chinese is the default everywhere.
public enum DisplayLanguage: String, Sendable, Codable, CaseIterable {
  case zh
  case en

  public static let `default` = DisplayLanguage.zh
}

/// One problem with one field of some input (a form, a JSON body, a roster row).
///
/// `field` is a path such as `units[3].creditCode` or `name`; `row` is set for imports.
public struct FieldError: Hashable, Sendable, Codable, Error {
  public let field: String
  public let code: String
  public let message: LocalizedText
  public let row: Int?

  public init(field: String, code: String, message: LocalizedText, row: Int? = nil) {
    self.field = field
    self.code = code
    self.message = message
    self.row = row
  }
}

/// Input rejected as a whole, with every problem found (not only the first).
public struct ValidationFailure: Error, Sendable, Equatable {
  public let errors: [FieldError]

  public init(_ errors: [FieldError]) {
    self.errors = errors
  }
}

extension FieldError {
  /// A required field left empty.
  public static func missing(_ field: String, _ what: LocalizedText) -> FieldError {
    FieldError(
      field: field, code: "missing", message: LocalizedText(zh: "请填写\(what.zh)", en: "the \(what.en) is required"))
  }

  /// A date that cannot be later than today (a visit, a payment, a request received).
  public static func futureDate(_ field: String, _ what: LocalizedText) -> FieldError {
    FieldError(
      field: field, code: "future_date",
      message: LocalizedText(zh: "\(what.zh)不能晚于今天", en: "the \(what.en) cannot be in the future"))
  }

  /// This error as a batch of claims names it: under `claims[index]`, the message and `row`
  /// giving its 1-based place.
  public func inClaim(_ index: Int) -> FieldError {
    FieldError(
      field: "claims[\(index)].\(field)", code: code,
      message: LocalizedText(zh: "第\(index + 1)件：\(message.zh)", en: "claim \(index + 1): \(message.en)"),
      row: index + 1)
  }

  /// The same for a batch of `count` claims opened together in the store, where a batch of
  /// one is a single claim (opened at the window or in the portal) and its error is left as is.
  public func inClaim(_ index: Int, of count: Int) -> FieldError {
    count == 1 ? self : inClaim(index)
  }

  /// The errors for optional texts longer than their limits, in the order given.
  public static func tooLong(_ texts: [(field: String, value: String?, limit: Int)]) -> [FieldError] {
    texts.filter { ($0.value?.count ?? 0) > $0.limit }.map {
      FieldError(
        field: $0.field, code: "too_long",
        message: LocalizedText(zh: "不能超过\($0.limit)字", en: "at most \($0.limit) characters"))
    }
  }
}
