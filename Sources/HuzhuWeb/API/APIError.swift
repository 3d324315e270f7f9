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
    message: LocalizedText(zh: "需要登录（HTTP Basic 认证）", en: "authentication required (HTTP Basic)"))

  static let unexpected = APIError(
    status: .internalServerError, code: "internal_error",
    message: LocalizedText(zh: "服务器内部错误，请联系管理员并提供请求编号", en: "internal error; quote the request id to an administrator"))

  static func validation(_ failure: ValidationFailure) -> APIError {
    APIError(
      status: .unprocessableEntity, code: "validation_failed",
      message: LocalizedText(zh: "提交的数据有误，请按字段提示修改", en: "the submitted data is invalid; see the fields"),
      fields: failure.errors)
  }

  /// A body that is not JSON, lacks a field, or has a value of the wrong type.
  static func badRequest(_ error: DecodingError) -> APIError {
    func path(_ codingPath: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
      var parts: [String] = []
      for key in codingPath + (last.map { [$0] } ?? []) {
        if let index = key.intValue {
          parts.append("[\(index)]")
        } else {
          parts.append((parts.isEmpty ? "" : ".") + key.stringValue)
        }
      }
      return parts.joined()
    }
    let field: FieldError
    switch error {
    case .keyNotFound(let key, let context):
      let name = path(context.codingPath, key)
      field = FieldError(
        field: name, code: "missing_field",
        message: LocalizedText(zh: "缺少必填字段“\(name)”", en: "the field \"\(name)\" is required"))
    case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
      let name = path(context.codingPath)
      field = FieldError(
        field: name, code: "invalid_type",
        message: LocalizedText(zh: "字段“\(name)”的类型不正确", en: "the field \"\(name)\" must be of type \(type)"))
    case .dataCorrupted(let context) where !context.codingPath.isEmpty:
      let name = path(context.codingPath)
      field = FieldError(
        field: name, code: "invalid_value",
        message: LocalizedText(
          zh: "字段“\(name)”的值无效：\(context.debugDescription)",
          en: "the field \"\(name)\" is invalid: \(context.debugDescription)"))
    default:
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
