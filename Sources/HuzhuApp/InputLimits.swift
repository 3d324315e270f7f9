import HuzhuSpreadsheet

/// How much outside input one request may bring: the spreadsheets people upload and the
/// periods reports cover. `huzhu serve` reads them from `HUZHU_LIMIT_*` (defaults in the
/// README); the web layer derives its request body limits from them.
public struct InputLimits: Sendable, Equatable {
  /// Rosters (and any other sheet) as uploaded and read.
  public var sheet: SheetLimits
  /// The longest period a statistics report or a what-if covers, in years.
  public var reportYears: Int

  public init(sheet: SheetLimits = .standard, reportYears: Int = 20) {
    self.sheet = sheet
    self.reportYears = reportYears
  }

  public static let standard = InputLimits()
}
