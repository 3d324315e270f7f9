import HuzhuApp
import HuzhuCore
import Vapor

/// What the unit and individual enrollment forms both need.
extension Request {
  /// The products of the schemes in the operator's reach, as `scheme|product` choices for a
  /// form; the individual form lists only products some version of which takes individuals.
  func productChoices(takingIndividuals: Bool = false) async throws -> [(value: String, label: String)] {
    try await enrollmentWork.products(takingIndividuals: takingIndividuals).map { choice in
      let name = displayLanguage == .en ? (choice.product.nameEn ?? choice.product.name) : choice.product.name
      return ("\(choice.scheme.code)|\(choice.product.code)", "\(choice.scheme.definition.scheme.name) · \(name)")
    }
  }
}
