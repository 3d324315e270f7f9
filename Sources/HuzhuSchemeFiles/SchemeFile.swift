import Foundation
import HuzhuCore
import Yams

/// Scheme definitions and claim cases as files: YAML (or JSON, which is YAML too) decoded
/// into the core's definition types, then validated and compiled.
public enum SchemeFile {
  /// Loads, validates and compiles a scheme file. Every problem is reported, each with the
  /// file and the path to the field; an invalid definition is rejected whole.
  public static func load(_ path: String) throws(SchemeFileError) -> CompiledScheme {
    try compile(yaml: try readText(path), file: path)
  }

  /// A file's text as UTF-8, or an error naming the file.
  static func readText(_ path: String) throws(SchemeFileError) -> String {
    do {
      return try String(contentsOfFile: path, encoding: .utf8)
    } catch {
      throw SchemeFileError(
        file: path,
        errors: [
          FieldError(
            field: "", code: "unreadable",
            message: LocalizedText(
              zh: "无法读取文件：\(error.localizedDescription)", en: "cannot read the file: \(error.localizedDescription)"))
        ])
    }
  }

  public static func compile(yaml text: String, file: String = "<input>") throws(SchemeFileError) -> CompiledScheme {
    let definition = try decode(SchemeDefinition.self, yaml: text, file: file)
    do {
      return try SchemeCompiler.compile(definition)
    } catch {
      throw SchemeFileError(file: file, errors: error.errors)
    }
  }

  /// Decodes any definition type from YAML, mapping syntax and shape errors to field errors.
  /// A key the type does not know (a misspelt field, whose rule would otherwise silently not
  /// apply) is an error naming its path and the nearest known key.
  public static func decode<T: Decodable>(_ type: T.Type, yaml text: String, file: String) throws(SchemeFileError) -> T
  {
    let decoded: StrictlyDecoded<T>
    do {
      decoded = try YAMLDecoder().decode(StrictlyDecoded<T>.self, from: text)
    } catch let error as DecodingError {
      // Yams reports a syntax error, and any error not its own, as a path-less DecodingError
      // around it.
      if case .dataCorrupted(let context) = error, context.codingPath.isEmpty {
        if let yaml = context.underlyingError as? YamlError {
          throw SchemeFileError(file: file, errors: [syntaxError(yaml)])
        }
        if let misspelt = context.underlyingError as? MisspeltRequiredKey {
          throw SchemeFileError(file: file, errors: [misspelt.fieldError])
        }
      }
      throw SchemeFileError(file: file, errors: [error.fieldError])
    } catch let error as YamlError {
      throw SchemeFileError(file: file, errors: [syntaxError(error)])
    } catch {
      throw SchemeFileError(
        file: file,
        errors: [
          FieldError(field: "", code: "unreadable", message: LocalizedText(zh: "\(error)", en: "\(error)"))
        ])
    }
    guard decoded.unknownKeys.isEmpty else {
      throw SchemeFileError(file: file, errors: decoded.unknownKeys.map(\.fieldError))
    }
    return decoded.value
  }
}

extension SchemeFile {
  static func syntaxError(_ error: YamlError) -> FieldError {
    // Yams quotes the offending line whole: a line of a megabyte is cut to its start.
    let text = "\(error)"
    let shown = text.count > 400 ? String(text.prefix(400)) + "…" : text
    return FieldError(
      field: "", code: "yaml_syntax",
      message: LocalizedText(zh: "YAML 格式错误：\(shown)", en: "YAML syntax error: \(shown)"))
  }
}

/// A claim case file (JSON or YAML), as `huzhu calc --case` reads it.
public enum ClaimCaseFile {
  public static func load(_ path: String) throws(SchemeFileError) -> ClaimCase {
    try SchemeFile.decode(ClaimCase.self, yaml: try SchemeFile.readText(path), file: path)
  }
}

public struct SchemeFileError: Error, CustomStringConvertible, Equatable {
  public let file: String
  public let errors: [FieldError]

  public init(file: String, errors: [FieldError]) {
    self.file = file
    self.errors = errors
  }

  /// One line per problem: `file: path: 中文 / English`.
  public var description: String {
    errors.map { error in
      let location = error.field.isEmpty ? file : "\(file): \(error.field)"
      return "\(location): \(error.message.zh) / \(error.message.en) [\(error.code)]"
    }.joined(separator: "\n")
  }
}

/// The schemes shipped with Huzhu (the two schemes of the source articles), loaded by the
/// demo data and by tests.
public enum BundledSchemes {
  public static let codes = ["anyang", "yichun"]

  /// The text of a shipped scheme file, e.g. `anyang`.
  public static func source(_ name: String) throws(SchemeFileError) -> String {
    guard let url = Bundle.module.url(forResource: name, withExtension: "yaml", subdirectory: "Bundled") else {
      throw SchemeFileError(
        file: name,
        errors: [
          FieldError(
            field: "", code: "unreadable",
            message: LocalizedText(zh: "没有内置方案“\(name)”", en: "no bundled scheme \"\(name)\""))
        ])
    }
    return try SchemeFile.readText(url.path)
  }

  /// A shipped scheme's definition, decoded and checked to compile.
  public static func definition(_ name: String) throws(SchemeFileError) -> (
    source: String, definition: SchemeDefinition
  ) {
    let text = try source(name)
    let definition = try SchemeFile.decode(SchemeDefinition.self, yaml: text, file: name)
    do {
      _ = try SchemeCompiler.compile(definition)
    } catch {
      throw SchemeFileError(file: name, errors: error.errors)
    }
    return (text, definition)
  }
}

extension BundledSchemes {
  /// Every shipped scheme, in ``codes`` order.
  public static func all() throws(SchemeFileError) -> [(source: String, definition: SchemeDefinition)] {
    var result: [(source: String, definition: SchemeDefinition)] = []
    for code in codes { result.append(try definition(code)) }
    return result
  }
}
