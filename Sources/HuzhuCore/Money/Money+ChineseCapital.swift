extension Money {
  /// The amount as Chinese financial capitals (人民币大写), as payment notices and receipts
  /// write it beside the figures so that neither can be altered alone: 800.00 is 捌佰元整,
  /// 1,005.30 壹仟零伍元叁角, 0.05 伍分, 10,000.50 壹万元伍角. Negative amounts start with 负.
  public var chineseCapital: String {
    let digits = ["零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"]
    let magnitude = fen.magnitude
    let yuan = magnitude / 100
    let jiao = Int(magnitude / 10 % 10)
    let fenDigit = Int(magnitude % 10)
    var text = ""
    if yuan > 0 {
      // Groups of four digits, from the highest: 万 and 亿 after their groups.
      let groupUnits = ["", "万", "亿", "万亿"]
      var groups: [Int] = []
      var rest = yuan
      while rest > 0 {
        groups.append(Int(rest % 10_000))
        rest /= 10_000
      }
      var needsZero = false
      for index in stride(from: groups.count - 1, through: 0, by: -1) {
        let group = groups[index]
        if group == 0 {
          needsZero = !text.isEmpty
          continue
        }
        if needsZero || (!text.isEmpty && group < 1000) { text += "零" }
        needsZero = false
        let places = ["仟", "佰", "拾", ""]
        var zeroPending = false
        var started = false
        for (place, divisor) in zip(places, [1000, 100, 10, 1]) {
          let digit = group / divisor % 10
          if digit == 0 {
            zeroPending = started
          } else {
            if zeroPending { text += "零" }
            text += digits[digit] + place
            zeroPending = false
            started = true
          }
        }
        text += groupUnits[min(index, groupUnits.count - 1)]
      }
      text += "元"
    }
    if jiao == 0 && fenDigit == 0 {
      text = yuan == 0 ? "零元整" : text + "整"
    } else {
      if jiao > 0 {
        text += digits[jiao] + "角"
      } else if yuan > 0 {
        text += "零"
      }
      if fenDigit > 0 { text += digits[fenDigit] + "分" }
    }
    return (fen < 0 ? "负" : "") + text
  }
}
