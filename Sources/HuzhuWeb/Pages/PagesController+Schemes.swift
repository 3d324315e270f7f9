import Foundation
import HuzhuCore
import Vapor

/// The schemes' rules, readable by every operator, revised by scheme administrators.
extension PagesController {
  // MARK: Schemes

  @Sendable func schemes(_ request: Request) async throws -> Response {
    let schemes = try await request.schemeWork.schemes()
    return SchemesPage.View(
      schemes: schemes, savers: try await request.schemeWork.saverNames(schemes), language: request.displayLanguage,
      viewer: request.viewer!
    )
    .html().response()
  }

  @Sendable func scheme(_ request: Request) async throws -> Response {
    let scheme = try await request.schemeWork.scheme(code: try request.pathText(SiteURL.codeParameter))
    var model = SchemePage.Model(scheme: scheme, draft: scheme.source, notice: request.takeFlash())
    model.savers = try await request.schemeWork.saverNames([scheme])
    return SchemePage.View(model: model, language: request.displayLanguage, viewer: request.viewer!).html().response()
  }

  struct SchemeForm: Content {
    let source: String
  }

  @Sendable func saveScheme(_ request: Request) async throws -> Response {
    let code = try request.pathText(SiteURL.codeParameter)
    let current = try await request.schemeWork.scheme(code: code)
    let source = try request.content.decode(SchemeForm.self).source.replacingOccurrences(of: "\r\n", with: "\n")
    do {
      let (saved, _) = try await request.schemeWork.save(code: code, yaml: source)
      request.flash(
        LocalizedText(zh: "已保存为第 \(saved.revision) 次修订", en: "Saved as revision \(saved.revision)"))
      return request.redirect(to: SiteURL.schemePage(.value(code)).path)
    } catch let failure as ValidationFailure {
      var model = SchemePage.Model(scheme: current, draft: source, errors: failure.errors)
      model.savers = try await request.schemeWork.saverNames([current])
      return SchemePage.View(model: model, language: request.displayLanguage, viewer: request.viewer!).html()
        .response(status: .unprocessableEntity)
    }
  }
}
