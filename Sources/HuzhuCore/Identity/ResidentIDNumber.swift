import Foundation

/// A mainland resident identity number (公民身份号码, GB 11643-1999): 17 digits and a
/// check character. One person has one number across the whole system.
public struct ResidentIDNumber: Hashable, Sendable, Codable, CustomStringConvertible {
  /// The 18 characters, with a lowercase `x` normalised to `X`.
  public let value: String
  /// The birth date encoded in characters 7–14.
  public let birthDate: CalendarDate
  /// From character 17: odd for men, even for women.
  public let gender: Gender

  public enum Problem: Error, Equatable, Sendable {
    case wrongLength
    case notDigits
    case invalidBirthDate
    case checksumMismatch(expected: Character)

    public var message: LocalizedText {
      switch self {
      case .wrongLength:
        LocalizedText(zh: "身份证号码应为18位", en: "an ID number has 18 characters")
      case .notDigits:
        LocalizedText(
          zh: "身份证号码前17位应为数字，末位为数字或X",
          en: "the first 17 characters must be digits and the last a digit or X")
      case .invalidBirthDate:
        LocalizedText(zh: "身份证号码中的出生日期无效", en: "the birth date inside the ID number is not a real date")
      case .checksumMismatch(let expected):
        LocalizedText(
          zh: "身份证号码校验位错误（应为\(expected)）",
          en: "the ID number's check character is wrong (expected \(expected))")
      }
    }
  }

  private static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  private static let checkCharacters: [Character] = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"]

  /// The check character GB 11643 assigns to 17 leading digits.
  public static func checkCharacter(for digits: some Collection<Character>) -> Character {
    var sum = 0
    for (digit, weight) in zip(digits, weights) {
      sum += digit.wholeNumberValue! * weight
    }
    return checkCharacters[sum % 11]
  }

  public static func validate(_ text: String) -> Result<ResidentIDNumber, Problem> {
    let characters = Array(text.trimmingWhitespace.uppercased())
    guard characters.count == 18 else { return .failure(.wrongLength) }
    let body = characters.prefix(17)
    guard body.allSatisfy(\.isASCIIDigit), characters[17].isASCIIDigit || characters[17] == "X"
    else { return .failure(.notDigits) }
    guard
      let birth = CalendarDate(
        year: Int(String(characters[6..<10]))!, month: Int(String(characters[10..<12]))!,
        day: Int(String(characters[12..<14]))!), birth.year >= 1900
    else { return .failure(.invalidBirthDate) }
    let expected = checkCharacter(for: body)
    guard expected == characters[17] else { return .failure(.checksumMismatch(expected: expected)) }
    let genderDigit = characters[16].wholeNumberValue!
    return .success(
      ResidentIDNumber(value: String(characters), birthDate: birth, gender: genderDigit % 2 == 1 ? .male : .female))
  }

  private init(value: String, birthDate: CalendarDate, gender: Gender) {
    self.value = value
    self.birthDate = birthDate
    self.gender = gender
  }

  public init?(_ text: String) {
    guard case .success(let number) = Self.validate(text) else { return nil }
    self = number
  }

  /// `410502********1234`: what lists and exports show.
  public var masked: String {
    String(value.prefix(6)) + String(repeating: "*", count: 8) + String(value.suffix(4))
  }

  public var description: String { masked }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let text = try container.decode(String.self)
    switch Self.validate(text) {
    case .success(let number): self = number
    case .failure(let problem):
      throw DecodingError.dataCorruptedError(in: container, debugDescription: problem.message.en)
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(value)
  }
}

public enum Gender: String, Sendable, Codable, CaseIterable {
  case male
  case female

  public var label: LocalizedText {
    switch self {
    case .male: LocalizedText(zh: "男", en: "male")
    case .female: LocalizedText(zh: "女", en: "female")
    }
  }
}

extension ResidentIDNumber {
  /// Composes a valid number from its parts, for demo and generated data: a 6-digit
  /// region code, the birth date and a 3-digit sequence whose parity carries the gender.
  public static func compose(region: String, birthDate: CalendarDate, sequence: Int, gender: Gender)
    -> ResidentIDNumber
  {
    precondition(region.count == 6 && region.allSatisfy(\.isASCIIDigit), "region is 6 digits")
    var serial = (sequence % 500) * 2
    if gender == .male { serial += 1 }
    let birth = birthDate.description.filter(\.isASCIIDigit)
    let serialText = String(serial)
    let body = region + birth + String(repeating: "0", count: 3 - serialText.count) + serialText
    let number = body + String(checkCharacter(for: Array(body)))
    return ResidentIDNumber(number)!
  }
}
