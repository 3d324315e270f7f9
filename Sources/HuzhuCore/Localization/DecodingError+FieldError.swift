/// Decoding errors as field errors, with paths such as `products[0].versions[1].rate`, so
/// that a bad API body and a bad scheme file are reported the same way.
extension DecodingError {
  public var fieldError: FieldError {
    switch self {
    case .keyNotFound(let key, let context):
      let name = Self.path(context.codingPath + [key])
      return FieldError(
        field: name, code: "missing_field",
        message: LocalizedText(zh: "缺少必填字段“\(name)”", en: "the field \"\(name)\" is required"))
    case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
      let name = Self.path(context.codingPath)
      return FieldError(
        field: name, code: "invalid_type",
        message: LocalizedText(zh: "字段“\(name)”的类型不正确", en: "the field \"\(name)\" must be of type \(type)"))
    case .dataCorrupted(let context) where !context.codingPath.isEmpty:
      let name = Self.path(context.codingPath)
      return FieldError(
        field: name, code: "invalid_value",
        message: LocalizedText(
          zh: "字段“\(name)”的值无效：\(context.debugDescription)",
          en: "the field \"\(name)\" is invalid: \(context.debugDescription)"))
    default:
      return FieldError(
        field: "", code: "malformed",
        message: LocalizedText(zh: "内容不是有效的数据格式", en: "the content is not well-formed"))
    }
  }

  /// `a.b[2].c` from a coding path.
  public static func path(_ codingPath: [any CodingKey]) -> String {
    var text = ""
    for key in codingPath {
      if let index = key.intValue, key.stringValue.hasPrefix("Index ") || key.stringValue == String(index) {
        text += "[\(index)]"
      } else {
        text += (text.isEmpty ? "" : ".") + key.stringValue
      }
    }
    return text
  }
}
