import HuzhuCore
import Vapor

/// Every address the application answers, used both to register routes and to build
/// links, so that a link can never point at a route that does not exist.
public enum SiteURL: Hashable, Sendable {
  case home
  case organisation(Parameter<Organisation.ID>)
  case healthz
  case readyz
  case openAPI
  case stylesheet
  case api(API)

  public enum API: Hashable, Sendable {
    case organisations
    case organisation(Parameter<Organisation.ID>)
    case units
    case unit(Parameter<WorkUnit.ID>)
    case unitWorkers(Parameter<WorkUnit.ID>)
    case registryCounts
  }

  /// A route parameter: `.key` when registering, `.value` when linking.
  public enum Parameter<Value: Hashable & Sendable & CustomStringConvertible>: Hashable, Sendable {
    case key
    case value(Value)

    fileprivate func component(_ name: String) -> PathComponent {
      switch self {
      case .key: .parameter(name)
      case .value(let value): .constant(value.description)
      }
    }
  }

  public var pathComponents: [PathComponent] {
    switch self {
    case .home: []
    case .organisation(let id): ["organisations", id.component("id")]
    case .healthz: ["healthz"]
    case .readyz: ["readyz"]
    case .openAPI: ["api", "openapi.yaml"]
    case .stylesheet: ["huzhu.css"]
    case .api(let api): ["api", "v1"] + api.pathComponents
    }
  }

  /// The path for a link, e.g. `/organisations/4f…`.
  public var path: String {
    "/" + pathComponents.map(\.description).joined(separator: "/")
  }

  public static let idParameter = "id"
}

extension SiteURL.API {
  var pathComponents: [PathComponent] {
    switch self {
    case .organisations: ["organisations"]
    case .organisation(let id): ["organisations", id.component(SiteURL.idParameter)]
    case .units: ["units"]
    case .unit(let id): ["units", id.component(SiteURL.idParameter)]
    case .unitWorkers(let id): ["units", id.component(SiteURL.idParameter), "workers"]
    case .registryCounts: ["registry", "counts"]
    }
  }
}

extension RoutesBuilder {
  @discardableResult
  func get<Response: AsyncResponseEncodable>(
    _ url: SiteURL, use handler: @Sendable @escaping (Request) async throws -> Response
  ) -> Route {
    get(url.pathComponents, use: handler)
  }

  @discardableResult
  func post<Response: AsyncResponseEncodable>(
    _ url: SiteURL, use handler: @Sendable @escaping (Request) async throws -> Response
  ) -> Route {
    post(url.pathComponents, use: handler)
  }
}

extension Request {
  /// A typed identifier from the `:id` path parameter; 404 when it is not a UUID, since no
  /// record can have such an address.
  func identifier<Entity>(_ type: Entity.Type = Entity.self) throws -> Identifier<Entity> {
    guard let text = parameters.get(SiteURL.idParameter), let id = Identifier<Entity>(text) else {
      throw APIError.notFound
    }
    return id
  }
}
