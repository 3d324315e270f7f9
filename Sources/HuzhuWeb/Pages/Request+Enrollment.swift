import HuzhuCore
import Vapor

/// What the unit and individual enrollment forms both need.
extension Request {
  /// Every product of every scheme, as `scheme|product` choices for a form; `where` narrows
  /// them (the individual form lists only products some version of which takes individuals).
  func productChoices(where include: (ProductDefinition) -> Bool = { _ in true }) async throws
    -> [(value: String, label: String)]
  {
    var products: [(value: String, label: String)] = []
    for scheme in try await schemes.schemes() {
      for product in scheme.definition.products where include(product) {
        let name = displayLanguage == .en ? (product.nameEn ?? product.name) : product.name
        products.append(("\(scheme.code)|\(product.code)", "\(scheme.definition.scheme.name) · \(name)"))
      }
    }
    return products
  }

  /// The workers of `unit` named by ID number, one a line; each line that is no valid ID
  /// number, or names nobody the unit employs now, is an error under `field` with its line.
  func members(_ lines: [(line: Int, text: String)], field: String, employedBy unit: WorkUnit.ID) async throws
    -> (workers: [Worker.ID], errors: [FieldError])
  {
    var errors: [FieldError] = []
    var numbers: [(line: Int, number: ResidentIDNumber)] = []
    for (line, text) in lines {
      if case .success(let number) = ResidentIDNumber.validate(text) {
        numbers.append((line, number))
      } else {
        errors.append(
          FieldError(
            field: field, code: "invalid_id_number",
            message: LocalizedText(
              zh: "第\(line)行：\(text) 不是有效的身份证号", en: "line \(line): \(text) is not a valid ID number")))
      }
    }
    guard !numbers.isEmpty else { return ([], errors) }
    let standings = try await registry.standings(of: numbers.map(\.number))
    var workers: [Worker.ID] = []
    for (line, number) in numbers {
      guard let employment = standings[number]?.employment, employment.unit == unit else {
        errors.append(
          FieldError(
            field: field, code: "not_employed_here",
            message: LocalizedText(
              zh: "第\(line)行：\(number.masked) 不是本单位在职职工（请先导入花名册）",
              en: "line \(line): \(number.masked) is not employed by this unit (import the roster first)")))
        continue
      }
      if !workers.contains(employment.worker) { workers.append(employment.worker) }
    }
    return (workers, errors)
  }
}
