import HuzhuCore
import Vapor

/// No field of ours means a NUL character, and PostgreSQL refuses one in text (an error a
/// handler would meet half-way through its work, answered as a 500). A path, query, form or
/// JSON body that holds one is refused with 400 before any handler runs. A body is looked at
/// when it has arrived whole (a form or JSON request of ordinary size does): collecting a
/// streamed one here would bypass the route's own size limit. Uploads (multipart files,
/// spreadsheets, scans) are binary and not looked at; names read from them pass ``PlainText``.
struct NullCharacterMiddleware: AsyncMiddleware {
  static let refusal = APIError(
    status: .badRequest, code: "null_character",
    message: LocalizedText(zh: "请求中含有空字符（U+0000），请删除后重试", en: "the request holds a NUL character (U+0000)"))

  func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
    if Self.percentEncodedNull(in: request.url.string) { throw Self.refusal }
    if let type = request.headers.contentType, type == .json || type == .urlEncodedForm,
      let body = request.body.data, Self.holdsNull(body, json: type == .json)
    {
      throw Self.refusal
    }
    return try await next.respond(to: request)
  }

  static func percentEncodedNull(in text: String) -> Bool {
    text.range(of: "%00", options: .caseInsensitive) != nil
  }

  /// A raw NUL byte, a form's `%00` or JSON's `\u0000` (an escaped backslash before `u0000`
  /// is text, not a NUL).
  static func holdsNull(_ body: ByteBuffer, json: Bool) -> Bool {
    let bytes = body.readableBytesView
    if bytes.contains(0) { return true }
    guard json else { return percentEncodedNull(in: String(decoding: bytes, as: UTF8.self)) }
    let escape = Array(#"u0000"#.utf8)
    var backslashes = 0
    var index = bytes.startIndex
    while index < bytes.endIndex {
      let byte = bytes[index]
      if byte == UInt8(ascii: "\\") {
        backslashes += 1
      } else {
        if backslashes % 2 == 1, bytes[index...].starts(with: escape) { return true }
        backslashes = 0
      }
      index = bytes.index(after: index)
    }
    return false
  }
}
