/// A unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from a
/// 31-character alphabet (no I, O, S, V, Z), the last a check character.
public struct CreditCode: Hashable, Sendable, Codable, CustomStringConvertible {
  public let value: String

  static let alphabet: [Character] = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
  /// 3^(i) mod 31 for positions 1…17.
  static let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

  public enum Problem: Error, Equatable, Sendable {
    case wrongLength
    case invalidCharacter(Character)
    case checksumMismatch(expected: Character)

    public var message: LocalizedText {
      switch self {
      case .wrongLength:
        LocalizedText(zh: "统一社会信用代码应为18位", en: "a unified social credit code has 18 characters")
      case .invalidCharacter(let character):
        LocalizedText(
          zh: "统一社会信用代码含有无效字符“\(character)”（不使用 I、O、S、V、Z）",
          en: "the credit code contains \"\(character)\", which the standard does not use (no I, O, S, V, Z)")
      case .checksumMismatch(let expected):
        LocalizedText(
          zh: "统一社会信用代码校验位错误（应为\(expected)）", en: "the credit code's check character is wrong (expected \(expected))")
      }
    }
  }

  /// The check character for 17 leading characters (all from the alphabet).
  public static func checkCharacter(for body: some Collection<Character>) -> Character {
    var sum = 0
    for (character, weight) in zip(body, weights) {
      sum += alphabet.firstIndex(of: character)! * weight
    }
    return alphabet[(31 - sum % 31) % 31]
  }

  public static func validate(_ text: String) -> Result<CreditCode, Problem> {
    let characters = Array(text.uppercased().filter { !$0.isWhitespace })
    guard characters.count == 18 else { return .failure(.wrongLength) }
    if let bad = characters.first(where: { !alphabet.contains($0) }) { return .failure(.invalidCharacter(bad)) }
    let expected = checkCharacter(for: characters.prefix(17))
    guard expected == characters[17] else { return .failure(.checksumMismatch(expected: expected)) }
    return .success(CreditCode(value: String(characters)))
  }

  private init(value: String) {
    self.value = value
  }

  /// A valid code from 17 leading characters, for demo and generated data.
  public static func compose(_ body: String) -> CreditCode {
    let characters = Array(body)
    precondition(characters.count == 17 && characters.allSatisfy(alphabet.contains), "17 characters of the alphabet")
    return CreditCode(value: body + String(checkCharacter(for: characters)))
  }

  public init?(_ text: String) {
    guard case .success(let code) = Self.validate(text) else { return nil }
    self = code
  }

  public var description: String { value }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    switch Self.validate(try container.decode(String.self)) {
    case .success(let code): self = code
    case .failure(let problem):
      throw DecodingError.dataCorruptedError(in: container, debugDescription: problem.message.en)
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(value)
  }
}
