import Foundation
import HuzhuApp
import HuzhuCore
import Vapor

/// The pages of the bulk imports: the tree for the system administrator, units for the window.
struct RegistryImportsController {
  let limits: InputLimits

  func register(authenticated routes: any RoutesBuilder) {
    for kind in RegistryImports.Kind.allCases {
      routes.get(.registryImport(kind), requires: kind.permission) { try await page($0, kind: kind) }
      routes.on(
        .POST, .registryImport(kind), requires: kind.permission, body: .collect(maxSize: BodyLimits.roster(limits))
      ) { try await upload($0, kind: kind) }
      routes.post(.registryImportCommit(kind), requires: kind.permission) { try await commit($0, kind: kind) }
      routes.get(.registryImportTemplate(kind), requires: kind.permission) { _ in try template(kind) }
    }
  }

  func render(_ model: RegistryImportPage.Model, _ request: Request, status: HTTPStatus = .ok) -> Response {
    RegistryImportPage.View(model: model, language: request.displayLanguage, viewer: request.viewer!).html()
      .response(status: status)
  }

  func page(_ request: Request, kind: RegistryImports.Kind) async throws -> Response {
    let imports = try request.registryImports
    var model = RegistryImportPage.Model(kind: kind, notice: request.takeFlash())
    if let file = request.query[String.self, at: "file"] {
      do {
        try await model.review(file, with: imports)
      } catch let failure as ValidationFailure {
        model.errors = failure.errors
      }
    }
    return render(model, request)
  }

  struct Upload: Content {
    let file: File
  }

  /// Keeps the file by its SHA-256 and shows the preview of it (post, redirect, get).
  func upload(_ request: Request, kind: RegistryImports.Kind) async throws -> Response {
    let imports = try request.registryImports
    let bytes = Data((try? request.content.decode(Upload.self))?.file.data.readableBytesView ?? .init())
    do {
      let checksum = try await imports.keep(bytes, for: kind)
      return request.redirect(to: SiteURL.registryImport(kind).path + "?file=\(checksum)")
    } catch let failure as ValidationFailure {
      return render(RegistryImportPage.Model(kind: kind, errors: failure.errors), request, status: .unprocessableEntity)
    }
  }

  struct CommitForm: Content {
    let file: String
  }

  func commit(_ request: Request, kind: RegistryImports.Kind) async throws -> Response {
    let imports = try request.registryImports
    let form = try request.content.decode(CommitForm.self)
    var model = RegistryImportPage.Model(kind: kind, file: form.file)
    do {
      let bytes = try imports.kept(form.file)
      let outcome =
        switch kind {
        case .organisations: try await imports.importOrganisations(bytes).1
        case .units: try await imports.importUnits(bytes).1
        }
      try await imports.forget(form.file)
      request.flash(
        LocalizedText(
          zh: "已导入：新建 \(outcome.created)，更新 \(outcome.updated)，无变化 \(outcome.unchanged)",
          en: "Imported: \(outcome.created) new, \(outcome.updated) updated, \(outcome.unchanged) unchanged"))
      return request.redirect(to: SiteURL.registryImport(kind).path)
    } catch let failure as ValidationFailure {
      try? await model.review(form.file, with: imports)
      model.errors = failure.errors
      return render(model, request, status: .unprocessableEntity)
    }
  }

  func template(_ kind: RegistryImports.Kind) throws -> Response {
    let data =
      switch kind {
      case .organisations: try RegistryImports.organisationTemplate()
      case .units: try RegistryImports.unitTemplate()
      }
    var headers = HTTPHeaders()
    headers.contentType = HTTPMediaType(
      type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    headers.contentDisposition = .init(.attachment, filename: "\(kind.rawValue)-template.xlsx")
    return Response(status: .ok, headers: headers, body: .init(data: data))
  }
}
