/// A table of a report as data: what the page draws, and what CSV and Excel export, so that
/// every table on a statistics page can be downloaded exactly as shown.
public struct ReportTable: Sendable, Equatable {
  public enum Cell: Sendable, Equatable {
    case text(String)
    case count(Int)
    case money(Money)
    case share(Share)
    case date(CalendarDate?)

    /// As shown and exported to CSV: yuan with two decimals, counts as digits, shares as
    /// percentages with two decimals.
    public var text: String {
      switch self {
      case .text(let text): text
      case .count(let count): String(count)
      case .money(let money): money.decimalString
      case .share(let share): share.percentText()
      case .date(let date): date?.description ?? ""
      }
    }

    /// As a page shows it, the way its headline figures are written: counts grouped
    /// (`49,231`), money with the yuan sign and grouping (`¥4,430,790.00`).
    public var display: String {
      switch self {
      case .count(let count): count.grouped
      case .money(let money): money.formatted
      case .text, .share, .date: text
      }
    }

    public var isNumber: Bool {
      switch self {
      case .count, .money: true
      case .text, .share, .date: false
      }
    }
  }

  /// Stable and URL-safe: the export link names the table by it.
  public let id: String
  public let title: LocalizedText
  public let columns: [LocalizedText]
  public let rows: [[Cell]]
  /// The totals row, when adding up makes sense.
  public let totals: [Cell]?
  /// Where a row's first cell links to (an area's or a unit's own report), by row.
  public let links: [String?]

  public init(
    id: String, title: LocalizedText, columns: [LocalizedText], rows: [[Cell]], totals: [Cell]? = nil,
    links: [String?] = []
  ) {
    self.id = id
    self.title = title
    self.columns = columns
    self.rows = rows
    self.totals = totals
    self.links = links
  }
}
