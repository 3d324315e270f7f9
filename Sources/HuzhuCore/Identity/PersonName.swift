/// A person's name shown to someone who may not see it in full (the public verification page,
/// the audit log).
public enum PersonName {
  /// `王*英`, `李*`: the first character, and the last when the name is longer than two.
  public static func masked(_ name: String) -> String {
    let characters = Array(name)
    switch characters.count {
    case 0, 1: return name
    case 2: return String(characters[0]) + "*"
    default:
      return String(characters[0]) + String(repeating: "*", count: characters.count - 2) + String(characters.last!)
    }
  }
}
