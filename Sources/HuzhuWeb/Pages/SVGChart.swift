import Foundation

/// Charts drawn on the server as SVG: no script, readable in print and on a phone (they scale
/// to the width through their view box). Written by hand because none of the packages here
/// draws charts; each chart is a few rectangles and text.
enum SVGChart {
  struct Datum {
    let label: String
    /// In the chart's own unit (fen, persons, basis points); only its proportions matter.
    let value: Int64
    /// What a reader sees for it ("¥4,430,790.00", "17.35%").
    let display: String
  }

  static let palette = (primary: "#b3261e", secondary: "#1f5f8b", grid: "#d9d4cc", text: "#3d3a36")

  /// Vertical bars, one per datum (months), with the largest value marked; every label when
  /// few, every other one when many.
  static func columns(_ data: [Datum], title: String, color: String = palette.primary) -> String {
    let width = 560.0
    let height = 260.0
    let left = 8.0
    let bottom = 40.0
    let top = 30.0
    let maximum = max(1, data.map(\.value).max() ?? 1)
    let slot = (width - left * 2) / Double(max(data.count, 1))
    let step = data.count > 14 ? 3 : (data.count > 8 ? 2 : 1)
    var svg = open(width: width, height: height, title: title)
    svg += line(x1: left, y1: height - bottom, x2: width - left, y2: height - bottom)
    for (index, datum) in data.enumerated() {
      let barHeight = (height - bottom - top) * Double(max(0, datum.value)) / Double(maximum)
      let x = left + slot * Double(index) + slot * 0.15
      let y = height - bottom - barHeight
      svg +=
        #"<rect x="\#(format(x))" y="\#(format(y))" width="\#(format(slot * 0.7))" height="\#(format(barHeight))" fill="\#(color)"><title>\#(escape(datum.label)): \#(escape(datum.display))</title></rect>"#
      if index % step == 0 {
        svg += text(datum.label, x: x + slot * 0.35, y: height - bottom + 20, anchor: "middle", size: 14)
      }
      if datum.value == maximum && datum.value > 0 {
        svg += text(
          datum.display, x: min(max(x + slot * 0.35, 70), width - 70), y: max(top - 6, y - 6), anchor: "middle",
          size: 14)
      }
    }
    return svg + "</svg>"
  }

  /// Horizontal bars with their values written beside them (areas, units, agencies).
  static func rows(_ data: [Datum], title: String, maximum: Int64? = nil, color: String = palette.secondary) -> String {
    let rowHeight = 28.0
    let labelWidth = 230.0
    let valueWidth = 150.0
    let width = 720.0
    let height = rowHeight * Double(max(data.count, 1)) + 12
    let top = max(1, maximum ?? data.map(\.value).max() ?? 1)
    var svg = open(width: width, height: height, title: title)
    for (index, datum) in data.enumerated() {
      let y = 6 + rowHeight * Double(index)
      let barWidth = (width - labelWidth - valueWidth) * Double(min(max(0, datum.value), top)) / Double(top)
      svg += text(String(datum.label.prefix(15)), x: labelWidth - 8, y: y + 19, anchor: "end", size: 14)
      svg +=
        #"<rect x="\#(format(labelWidth))" y="\#(format(y + 4))" width="\#(format(barWidth))" height="\#(format(rowHeight - 10))" fill="\#(color)"><title>\#(escape(datum.label)): \#(escape(datum.display))</title></rect>"#
      svg += text(datum.display, x: labelWidth + barWidth + 6, y: y + 19, anchor: "start", size: 14)
    }
    return svg + "</svg>"
  }

  /// A running total as a line over the labels (insured persons month by month).
  static func line(_ data: [Datum], title: String, color: String = palette.primary) -> String {
    let width = 560.0
    let height = 240.0
    let left = 8.0
    let bottom = 36.0
    let top = 30.0
    let maximum = max(1, data.map(\.value).max() ?? 1)
    let slot = (width - left * 2) / Double(max(data.count - 1, 1))
    var svg = open(width: width, height: height, title: title)
    svg += line(x1: left, y1: height - bottom, x2: width - left, y2: height - bottom)
    let points = data.enumerated().map { index, datum in
      (
        x: left + slot * Double(index),
        y: height - bottom - (height - bottom - top) * Double(max(0, datum.value)) / Double(maximum)
      )
    }
    svg +=
      #"<polyline fill="none" stroke="\#(color)" stroke-width="2.5" points="\#(points.map { "\(format($0.x)),\(format($0.y))" }.joined(separator: " "))"/>"#
    let step = data.count > 14 ? 3 : (data.count > 8 ? 2 : 1)
    for (index, (datum, point)) in zip(data, points).enumerated() {
      svg +=
        #"<circle cx="\#(format(point.x))" cy="\#(format(point.y))" r="3" fill="\#(color)"><title>\#(escape(datum.label)): \#(escape(datum.display))</title></circle>"#
      if index % step == 0 {
        svg += text(datum.label, x: point.x, y: height - bottom + 20, anchor: "middle", size: 14)
      }
    }
    if let last = data.last, let point = points.last {
      svg += text(last.display, x: min(point.x, width - 60), y: max(top - 6, point.y - 8), anchor: "middle", size: 14)
    }
    return svg + "</svg>"
  }

  private static func open(width: Double, height: Double, title: String) -> String {
    #"<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \#(format(width)) \#(format(height))" role="img" aria-label="\#(escape(title))"><title>\#(escape(title))</title>"#
  }

  private static func line(x1: Double, y1: Double, x2: Double, y2: Double) -> String {
    #"<line x1="\#(format(x1))" y1="\#(format(y1))" x2="\#(format(x2))" y2="\#(format(y2))" stroke="\#(palette.grid)" stroke-width="1"/>"#
  }

  private static func text(_ value: String, x: Double, y: Double, anchor: String, size: Int) -> String {
    #"<text x="\#(format(x))" y="\#(format(y))" text-anchor="\#(anchor)" font-size="\#(size)" fill="\#(palette.text)">\#(escape(value))</text>"#
  }

  /// One decimal is plenty for a picture, and keeps the markup the same on every machine.
  static func format(_ value: Double) -> String { String(format: "%.1f", value) }

  static func escape(_ text: String) -> String { HTMLEscaping.attribute(text) }
}
