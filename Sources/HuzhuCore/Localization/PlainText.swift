/// What may be stored from a field people type into. Control characters (NUL among them,
/// which PostgreSQL refuses in text) have no place in a name, and the Unicode direction
/// controls (right-to-left override and its kin) would let a name display as something it is
/// not (`abc‮gpj.exe` shows as `abcexe.jpg`) in pages, bank files and the audit log.
public enum PlainText {
  public enum Shape: Sendable {
    /// A name, a bank's name: one line.
    case line
    /// A note or a reason: line breaks and tabs allowed.
    case paragraphs
  }

  /// The first character `text` may not hold, or nil when it is acceptable.
  public static func forbiddenCharacter(in text: String, shape: Shape = .line) -> Unicode.Scalar? {
    text.unicodeScalars.first { !isAllowed($0, shape: shape) }
  }

  static func isAllowed(_ scalar: Unicode.Scalar, shape: Shape) -> Bool {
    switch scalar.value {
    // Printable ASCII and the CJK ideographs, most of every file, without a property look-up.
    case 0x20...0x7E, 0x4E00...0x9FFF: return true
    case 0x0A, 0x0D, 0x09: return shape == .paragraphs
    case 0x2028, 0x2029: return shape == .paragraphs
    // Arabic letter mark, left-to-right and right-to-left marks, embeddings, overrides, isolates.
    case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return false
    default: return scalar.properties.generalCategory != .control
    }
  }

  /// What is wrong with `text` (to follow a field's label), or nil when it is acceptable.
  public static func problem(in text: String, shape: Shape = .line) -> LocalizedText? {
    guard let scalar = forbiddenCharacter(in: text, shape: shape) else { return nil }
    let hex = String(scalar.value, radix: 16, uppercase: true)
    let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    return LocalizedText(
      zh: "含有不可见的控制字符（\(code)），请删除后重新填写",
      en: "holds an invisible control character (\(code)); remove it and type it again")
  }

  /// The form error for `text` typed into `field`, or nil when it is acceptable.
  public static func fieldError(
    _ text: String, field: String, label: LocalizedText, shape: Shape = .line
  ) -> FieldError? {
    problem(in: text, shape: shape).map { problem in
      FieldError(
        field: field, code: "invalid_character",
        message: LocalizedText(zh: "【\(label.zh)】\(problem.zh)", en: "\(label.en) \(problem.en)"))
    }
  }
}
