import Crypto
import Foundation
import Testing

@testable import HuzhuWeb

/// The QR encoder against another implementation: for three texts (versions 1, 7 and 10) and
/// every mask, the modules are the same as those of the Python `qrcode` package (version 8.x,
/// level M, byte mode, no border), compared by a digest of their rows.
@Suite("QR codes")
struct QRCodeTests {
  static let totp =
    "otpauth://totp/Huzhu:ay-finance?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Huzhu&algorithm=SHA1&digits=6&period=30"
  static let long = "https://huzhu.example.cn/verify?number=" + String(repeating: "anyang-2019-000001-", count: 8)

  static let expected: [(text: String, version: Int, digests: [String])] = [
    (
      "huzhu", 1,
      [
        "d39a209929bee6dd", "656ad93b1c9791c6", "30e11ccf1be6521d", "18c01244013fc037", "713f4639f1d8cfaf",
        "93605123a6b14561", "b9d7f2df837c16d6", "c54f123ef67a4f15",
      ]
    ),
    (
      totp, 7,
      [
        "71241133724dd2ee", "342d035066cac127", "78fe03d2eec01ad5", "0094dc5e8df29223", "961979aea0f3bbee",
        "7b4fcb1d258fcc12", "15eddccb1206145b", "1d51cce4f4b5dee5",
      ]
    ),
    (
      long, 10,
      [
        "e3b4b5d5f7e47b9e", "7dd0546a2edb304b", "92fd2ea37c905747", "8c3595a76adc1431", "2660176f87747de8",
        "e4dfe0c09399e052", "63ba105b6ad745f8", "4c4faf2405ab5527",
      ]
    ),
  ]

  static func digest(_ code: QRCode) -> String {
    let rows = code.modules.map { row in String(row.map { $0 ? "1" : "0" }) }.joined(separator: "\n")
    return SHA256.hash(data: Data(rows.utf8)).map { String(format: "%02x", $0) }.joined().prefix(16).description
  }

  @Test(arguments: 0..<3)
  func everyMaskMatchesTheReference(_ index: Int) throws {
    let (text, version, digests) = Self.expected[index]
    for mask in 0..<8 {
      let code = try QRCode.encode(text, mask: mask)
      #expect(code.version == version)
      #expect(code.size == 17 + 4 * version)
      #expect(Self.digest(code) == digests[mask], "mask \(mask)")
    }
    // Left to itself it picks one of these.
    #expect(digests.contains(Self.digest(try QRCode.encode(text))))
  }

  @Test func tooLongATextIsRefused() {
    #expect(throws: QRCode.Failure.self) { try QRCode.encode(String(repeating: "x", count: 214)) }
    #expect(throws: Never.self) { try QRCode.encode(String(repeating: "x", count: 213)) }
  }

  @Test func theSVGDrawsEveryDarkModuleInsideAQuietZone() throws {
    let code = try QRCode.encode("huzhu")
    let dark = code.modules.reduce(0) { $0 + $1.filter { $0 }.count }
    #expect(code.svg.components(separatedBy: "h1v1h-1z").count - 1 == dark)
    #expect(code.svg.contains(#"viewBox="0 0 29 29""#))
  }
}
