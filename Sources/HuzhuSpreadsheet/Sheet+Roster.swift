import HuzhuCore

extension Sheet {
  /// The sheet as the core's roster cells: text stays text, numbers keep their exact text.
  public var rosterCells: [[RosterCell]] {
    rows.map { row in
      row.map { cell in
        switch cell {
        case .empty: .empty
        case .text(let text): .text(text)
        case .number(let text): .number(text)
        case .bool(let value): .text(value ? "是" : "否")
        case .error(let code): .text(code)
        }
      }
    }
  }
}
