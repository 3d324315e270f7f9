import HuzhuCore
import Vapor

/// An error as the API reports it: a stable machine code, a message in both languages,
/// and for bad input the fields at fault.
struct APIError: Error, Sendable {
  let status: HTTPResponseStatus
  let code: String
  let message: LocalizedText
  var fields: [FieldError] = []

  static let notFound = APIError(
    status: .notFound, code: "not_found",
    message: LocalizedText(zh: "找不到请求的资源", en: "the requested resource does not exist"))

  static let unauthorized = APIError(
    status: .unauthorized, code: "unauthorized",
    message: LocalizedText(zh: "请先登录", en: "please sign in"))

  static let forbidden = APIError(
    status: .forbidden, code: "forbidden",
    message: LocalizedText(zh: "您的角色或所属组织无权进行此操作", en: "your role or organisation does not allow this"))

  static let unexpected = APIError(
    status: .internalServerError, code: "internal_error",
    message: LocalizedText(zh: "服务器内部错误，请联系管理员并提供请求编号", en: "internal error; quote the request id to an administrator"))

  /// The database is busy or cannot be reached (``DatabaseTrouble``): the request wrote
  /// nothing and may be sent again.
  static let databaseBusy = APIError(
    status: .serviceUnavailable, code: "database_busy",
    message: LocalizedText(zh: "系统繁忙，本次操作未保存，请稍后重试", en: "the system is busy; nothing was saved, try again shortly"))
  static let databaseUnreachable = APIError(
    status: .serviceUnavailable, code: "database_unavailable",
    message: LocalizedText(
      zh: "数据库暂时无法访问，本次操作未保存，请稍后重试", en: "the database cannot be reached; nothing was saved, try again shortly"))

  /// A body past its route's limit (``BodyLimits``), refused while it streamed in.
  static let payloadTooLarge = APIError(
    status: .payloadTooLarge, code: "payload_too_large",
    message: LocalizedText(
      zh: "提交的内容超过大小上限（表格文件见配置，扫描件每份 10 MB，其他 1 MB）",
      en: "the request body is larger than this address takes (sheets: as configured; scans 10 MB; else 1 MB)"))

  /// The address asked too often; it may again at `until`.
  static func tooManyRequests(until: Date) -> APIError {
    let minutes = max(1, Int((until.timeIntervalSinceNow / 60).rounded(.up)))
    return APIError(
      status: .tooManyRequests, code: "too_many_requests",
      message: LocalizedText(
        zh: "查询过于频繁，请 \(minutes) 分钟后再试", en: "too many look-ups from here; try again in \(minutes) min"))
  }

  /// A query parameter that is not what the endpoint accepts; `expected` says what is.
  static func invalidQuery(_ name: String, code: String = "invalid_value", expected: LocalizedText) -> APIError {
    APIError(
      status: .badRequest, code: "invalid_query",
      message: LocalizedText(
        zh: "查询参数“\(name)”\(expected.zh)", en: "the query parameter \"\(name)\" \(expected.en)"),
      fields: [FieldError(field: name, code: code, message: expected)])
  }

  static func validation(_ failure: ValidationFailure) -> APIError {
    APIError(
      status: .unprocessableEntity, code: "validation_failed",
      message: LocalizedText(zh: "提交的数据有误，请按字段提示修改", en: "the submitted data is invalid; see the fields"),
      fields: failure.errors)
  }

  /// A body that is not JSON, lacks a field, or has a value of the wrong type.
  static func badRequest(_ error: DecodingError) -> APIError {
    var field = error.fieldError
    if field.code == "malformed" {
      field = FieldError(
        field: "", code: "malformed_json",
        message: LocalizedText(zh: "请求体不是有效的JSON", en: "the request body is not valid JSON"))
    }
    return APIError(
      status: .badRequest, code: field.code == "malformed_json" ? "malformed_json" : "invalid_body",
      message: field.message, fields: [field])
  }
}

/// The JSON body of every API error response.
struct APIErrorBody: Content {
  struct Body: Codable {
    let code: String
    let message: LocalizedText
    let fields: [FieldError]
  }

  let error: Body
  let requestId: String
}

extension ValidationFailure {
  /// Every message, one after another: for a page that reports a refusal in one line.
  var summary: LocalizedText {
    LocalizedText(
      zh: errors.map(\.message.zh).joined(separator: "；"), en: errors.map(\.message.en).joined(separator: "; "))
  }
}
