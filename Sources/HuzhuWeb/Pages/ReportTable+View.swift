import HuzhuCore
import Plot

extension Node where Context == HTML.BodyContext {
  /// One headline figure: the value large, its label under it.
  static func statistic(_ value: String, _ label: String, id: String) -> Node {
    .div(
      .class("figure"), .id(id), .span(.class("figure-value"), .text(value)),
      .span(.class("figure-label"), .text(label)))
  }

  /// A report table as HTML: numbers right-aligned, the first cell linked where the table
  /// says so, the totals row last and bold.
  static func reportTable(_ table: ReportTable, language: DisplayLanguage) -> Node {
    .div(
      .class("table-scroll"),
      .table(
        .class("data-table"),
        .thead(
          .tr(
            .forEach(Array(table.columns.enumerated())) { index, column in
              .th(.class(index > 0 ? "number" : ""), .text(column.text(for: language)))
            })),
        .tbody(
          .forEach(Array(table.rows.enumerated())) { index, row in
            .tr(
              .forEach(Array(row.enumerated())) { column, cell in
                if column == 0, index < table.links.count, let link = table.links[index] {
                  return .td(.a(.href(link), .text(cell.display)))
                }
                return .td(.class(column > 0 ? "number" : ""), .text(cell.display))
              })
          },
          .unwrap(table.totals) { totals in
            .tr(
              .class("total-row"),
              .forEach(Array(totals.enumerated())) { column, cell in
                .td(.class(column > 0 ? "number" : ""), .strong(.text(cell.display)))
              })
          })))
  }
}
