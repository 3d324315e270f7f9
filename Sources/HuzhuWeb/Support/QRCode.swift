import Foundation

/// A QR code (ISO/IEC 18004) for short texts: byte mode, error correction level M, versions 1
/// to 10 (up to 213 bytes), the mask with the lowest penalty. Enough for an authenticator's
/// `otpauth://` address and a certificate's check link, drawn as SVG.
///
/// Hand-written: none of the packages available to this project encodes QR codes, and the
/// encoder is small. Tests compare its modules with another implementation's for every mask.
struct QRCode: Sendable, Equatable {
  /// Dark modules, row by row (`modules[y][x]`), without the quiet zone.
  let modules: [[Bool]]
  let version: Int
  let mask: Int

  var size: Int { modules.count }

  /// Per version: data codewords per block (group 1, then group 2) and EC codewords per block.
  struct Layout {
    let blocks: [Int]
    let ecPerBlock: Int
    let alignment: [Int]

    var dataCodewords: Int { blocks.reduce(0, +) }
  }

  static let layouts: [Layout] = [
    Layout(blocks: [16], ecPerBlock: 10, alignment: []),
    Layout(blocks: [28], ecPerBlock: 16, alignment: [6, 18]),
    Layout(blocks: [44], ecPerBlock: 26, alignment: [6, 22]),
    Layout(blocks: [32, 32], ecPerBlock: 18, alignment: [6, 26]),
    Layout(blocks: [43, 43], ecPerBlock: 24, alignment: [6, 30]),
    Layout(blocks: [27, 27, 27, 27], ecPerBlock: 16, alignment: [6, 34]),
    Layout(blocks: [31, 31, 31, 31], ecPerBlock: 18, alignment: [6, 22, 38]),
    Layout(blocks: [38, 38, 39, 39], ecPerBlock: 22, alignment: [6, 24, 42]),
    Layout(blocks: [36, 36, 36, 37, 37], ecPerBlock: 22, alignment: [6, 26, 46]),
    Layout(blocks: [43, 43, 43, 43, 44], ecPerBlock: 26, alignment: [6, 28, 50]),
  ]

  enum Failure: Error {
    case tooLong(Int)
  }

  /// The smallest version that holds `text`; `mask` forces one of the eight masks.
  static func encode(_ text: String, mask forced: Int? = nil) throws -> QRCode {
    let bytes = Array(text.utf8)
    guard
      let version = (1...layouts.count).first(where: { version in
        let countBits = version < 10 ? 8 : 16
        return 4 + countBits + bytes.count * 8 <= layouts[version - 1].dataCodewords * 8
      })
    else { throw Failure.tooLong(bytes.count) }
    let codewords = interleaved(dataCodewords(bytes, version: version), version: version)
    var grid = Grid(version: version)
    grid.drawFunctionPatterns()
    grid.place(codewords)
    let masks = forced.map { [$0] } ?? Array(0..<8)
    var best: (penalty: Int, grid: Grid, mask: Int)?
    for mask in masks {
      var candidate = grid
      candidate.apply(mask: mask)
      candidate.drawFormat(mask: mask)
      let penalty = candidate.penalty()
      if best == nil || penalty < best!.penalty { best = (penalty, candidate, mask) }
    }
    return QRCode(modules: best!.grid.dark, version: version, mask: best!.mask)
  }

  // MARK: Codewords

  static func dataCodewords(_ bytes: [UInt8], version: Int) -> [UInt8] {
    let capacity = layouts[version - 1].dataCodewords
    var bits: [Bool] = []
    func append(_ value: Int, _ count: Int) {
      for shift in stride(from: count - 1, through: 0, by: -1) { bits.append((value >> shift) & 1 == 1) }
    }
    append(0b0100, 4)  // byte mode
    append(bytes.count, version < 10 ? 8 : 16)
    for byte in bytes { append(Int(byte), 8) }
    append(0, min(4, capacity * 8 - bits.count))  // terminator
    if bits.count % 8 != 0 { append(0, 8 - bits.count % 8) }
    var codewords = stride(from: 0, to: bits.count, by: 8).map { start in
      bits[start..<start + 8].reduce(UInt8(0)) { ($0 << 1) | ($1 ? 1 : 0) }
    }
    var pad: UInt8 = 0xEC
    while codewords.count < capacity {
      codewords.append(pad)
      pad = pad == 0xEC ? 0x11 : 0xEC
    }
    return codewords
  }

  /// Data split into blocks, each with its Reed-Solomon codewords; then both read across the
  /// blocks, a codeword of each in turn.
  static func interleaved(_ data: [UInt8], version: Int) -> [UInt8] {
    let layout = layouts[version - 1]
    var blocks: [[UInt8]] = []
    var start = 0
    for length in layout.blocks {
      blocks.append(Array(data[start..<start + length]))
      start += length
    }
    let generator = ReedSolomon.generator(degree: layout.ecPerBlock)
    let corrections = blocks.map { ReedSolomon.remainder($0, generator: generator) }
    var result: [UInt8] = []
    for index in 0..<(layout.blocks.max() ?? 0) {
      for block in blocks where index < block.count { result.append(block[index]) }
    }
    for index in 0..<layout.ecPerBlock {
      for correction in corrections { result.append(correction[index]) }
    }
    return result
  }

  enum ReedSolomon {
    /// Multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x^2 + 1.
    static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
      var product: UInt16 = 0
      var x = UInt16(a)
      var y = b
      while y != 0 {
        if y & 1 == 1 { product ^= x }
        x <<= 1
        if x & 0x100 != 0 { x ^= 0x11D }
        y >>= 1
      }
      return UInt8(product)
    }

    /// The coefficients (leading 1 left out) of the product of (x - 2^i) for i below `degree`.
    static func generator(degree: Int) -> [UInt8] {
      var coefficients = [UInt8](repeating: 0, count: degree)
      coefficients[degree - 1] = 1
      var root: UInt8 = 1
      for _ in 0..<degree {
        for index in 0..<degree {
          coefficients[index] = multiply(coefficients[index], root)
          if index + 1 < degree { coefficients[index] ^= coefficients[index + 1] }
        }
        root = multiply(root, 2)
      }
      return coefficients
    }

    static func remainder(_ data: [UInt8], generator: [UInt8]) -> [UInt8] {
      var result = [UInt8](repeating: 0, count: generator.count)
      for byte in data {
        let factor = byte ^ result.removeFirst()
        result.append(0)
        for index in result.indices { result[index] ^= multiply(generator[index], factor) }
      }
      return result
    }
  }

  // MARK: The grid

  struct Grid {
    let version: Int
    let size: Int
    var dark: [[Bool]]
    /// Finder, timing, alignment, format and version modules: never data, never masked.
    var reserved: [[Bool]]

    init(version: Int) {
      self.version = version
      size = 17 + 4 * version
      dark = Array(repeating: Array(repeating: false, count: size), count: size)
      reserved = dark
    }

    mutating func set(_ x: Int, _ y: Int, _ isDark: Bool) {
      dark[y][x] = isDark
      reserved[y][x] = true
    }

    mutating func drawFunctionPatterns() {
      for index in 0..<size {
        set(6, index, index % 2 == 0)
        set(index, 6, index % 2 == 0)
      }
      for (x, y) in [(3, 3), (size - 4, 3), (3, size - 4)] {
        for dy in -4...4 {
          for dx in -4...4 where (0..<size).contains(x + dx) && (0..<size).contains(y + dy) {
            let distance = max(abs(dx), abs(dy))
            set(x + dx, y + dy, distance != 2 && distance != 4)
          }
        }
      }
      let positions = QRCode.layouts[version - 1].alignment
      for (i, x) in positions.enumerated() {
        for (j, y) in positions.enumerated() {
          let last = positions.count - 1
          if (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0) { continue }
          for dy in -2...2 {
            for dx in -2...2 { set(x + dx, y + dy, max(abs(dx), abs(dy)) != 1) }
          }
        }
      }
      drawFormat(mask: 0)  // reserves the format areas; redrawn once the mask is chosen
      if version >= 7 {
        var remainder = version
        for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
        let bits = (version << 12) | remainder
        for index in 0..<18 {
          let isDark = (bits >> index) & 1 == 1
          let a = size - 11 + index % 3
          let b = index / 3
          set(a, b, isDark)
          set(b, a, isDark)
        }
      }
    }

    /// Level M (00) and the mask, BCH-coded and masked with 101010000010010.
    mutating func drawFormat(mask: Int) {
      let data = mask
      var remainder = data
      for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
      let bits = ((data << 10) | remainder) ^ 0x5412
      func bit(_ index: Int) -> Bool { (bits >> index) & 1 == 1 }
      for index in 0..<6 { set(8, index, bit(index)) }
      set(8, 7, bit(6))
      set(8, 8, bit(7))
      set(7, 8, bit(8))
      for index in 9..<15 { set(14 - index, 8, bit(index)) }
      for index in 0..<8 { set(size - 1 - index, 8, bit(index)) }
      for index in 8..<15 { set(8, size - 15 + index, bit(index)) }
      set(8, size - 8, true)
    }

    /// Codewords in the two-column zigzag from the bottom right, skipping reserved modules.
    mutating func place(_ codewords: [UInt8]) {
      var bitIndex = 0
      let totalBits = codewords.count * 8
      var right = size - 1
      while right >= 1 {
        if right == 6 { right = 5 }
        let upward = (right + 1) & 2 == 0
        for vertical in 0..<size {
          let y = upward ? size - 1 - vertical : vertical
          for x in [right, right - 1] where !reserved[y][x] {
            if bitIndex < totalBits {
              dark[y][x] = (codewords[bitIndex >> 3] >> (7 - UInt8(bitIndex & 7))) & 1 == 1
              bitIndex += 1
            }
          }
        }
        right -= 2
      }
    }

    static func masked(_ mask: Int, x: Int, y: Int) -> Bool {
      switch mask {
      case 0: (x + y) % 2 == 0
      case 1: y % 2 == 0
      case 2: x % 3 == 0
      case 3: (x + y) % 3 == 0
      case 4: (x / 3 + y / 2) % 2 == 0
      case 5: x * y % 2 + x * y % 3 == 0
      case 6: (x * y % 2 + x * y % 3) % 2 == 0
      default: ((x + y) % 2 + x * y % 3) % 2 == 0
      }
    }

    mutating func apply(mask: Int) {
      for y in 0..<size {
        for x in 0..<size where !reserved[y][x] && Self.masked(mask, x: x, y: y) { dark[y][x].toggle() }
      }
    }

    /// The standard's four penalties: long runs, 2×2 blocks, finder look-alikes, imbalance.
    func penalty() -> Int {
      var total = 0
      let columns = (0..<size).map { x in (0..<size).map { dark[$0][x] } }
      for line in dark + columns {
        var run = 1
        for index in 1..<size {
          if line[index] == line[index - 1] {
            run += 1
          } else {
            if run >= 5 { total += run - 2 }
            run = 1
          }
        }
        if run >= 5 { total += run - 2 }
        let pattern = [true, false, true, true, true, false, true]
        for start in 0...(size - 7) where Array(line[start..<start + 7]) == pattern {
          let before = start >= 4 && line[(start - 4)..<start].allSatisfy { !$0 }
          let after = start + 11 <= size && line[(start + 7)..<(start + 11)].allSatisfy { !$0 }
          if before || after { total += 40 }
        }
      }
      for y in 0..<(size - 1) {
        for x in 0..<(size - 1) {
          let colour = dark[y][x]
          if dark[y][x + 1] == colour && dark[y + 1][x] == colour && dark[y + 1][x + 1] == colour { total += 3 }
        }
      }
      let darkCount = dark.reduce(0) { $0 + $1.filter { $0 }.count }
      let percent = darkCount * 100 / (size * size)
      total += abs(percent - 50) / 5 * 10
      return total
    }
  }

  /// The code as an SVG image: one path of unit squares inside a four-module quiet zone,
  /// scaled by the page.
  var svg: String {
    var path = ""
    for (y, row) in modules.enumerated() {
      for (x, isDark) in row.enumerated() where isDark { path += "M\(x + 4) \(y + 4)h1v1h-1z" }
    }
    let side = size + 8
    return """
      <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(side) \(side)" shape-rendering="crispEdges" \
      role="img"><rect width="\(side)" height="\(side)" fill="#fff"/><path d="\(path)" fill="#000"/></svg>
      """
  }
}
