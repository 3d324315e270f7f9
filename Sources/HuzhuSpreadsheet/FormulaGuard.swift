/// Text that a spreadsheet program must show as text. A cell whose text begins with `=`, `+`,
/// `-` or `@` (or a tab or carriage return before one) is read by Excel and LibreOffice as a
/// formula when a CSV is opened, or when someone edits the cell of a workbook; a payee named
/// `=HYPERLINK("http://…")` would then run on the finance officer's machine. Such text gets a
/// leading apostrophe, the convention both programs already use for "this is text". Only text
/// people typed goes through here: amounts, counts and percentages we computed stay numbers.
public enum FormulaGuard {
  static let triggers: Set<Character> = ["=", "+", "-", "@", "\t", "\r"]

  public static func neutralised(_ text: String) -> String {
    guard let first = text.first, triggers.contains(first) else { return text }
    return "'" + text
  }
}
