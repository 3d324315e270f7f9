import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import HuzhuWeb
import Testing
import Vapor
import VaporTesting
import Yams

/// The OpenAPI document must describe the API as it is: the same operations as the
/// registered routes, and responses that validate against the documented schemas.
@Suite("OpenAPI document")
struct OpenAPITests {
  let document: [String: Any]

  init() throws {
    let text = String(decoding: try WebResources.openAPIDocument(), as: UTF8.self)
    document = try #require(try Yams.load(yaml: text) as? [String: Any])
  }

  var paths: [String: [String: Any]] { document["paths"] as? [String: [String: Any]] ?? [:] }

  @Test func documentsExactlyTheRegisteredAPIRoutes() async throws {
    try await withTestApp(.sqlite, demo: false) { test in
      let registered = Set(
        test.app.routes.all.compactMap { route -> String? in
          let path =
            "/"
            + route.path.map { component in
              if case .parameter(let name) = component { return "{\(name)}" }
              return component.description
            }.joined(separator: "/")
          guard path.hasPrefix("/api/v1/") || path == "/healthz" || path == "/readyz" else { return nil }
          return "\(route.method.rawValue) \(path)"
        })
      let documented = Set(
        paths.flatMap { path, operations in
          operations.keys.filter { ["get", "post", "put", "patch", "delete"].contains($0) }
            .map { "\($0.uppercased()) \(path)" }
        })
      #expect(registered == documented)
      #expect(!registered.isEmpty)
    }
  }

  @Test func isServedAsYAML() async throws {
    try await withTestApp(.sqlite, demo: false) { test in
      let response = try await test.get("/api/openapi.yaml")
      #expect(response.status == .ok)
      #expect(response.text.hasPrefix("openapi: 3.1.0"))
    }
  }

  @Test func responsesMatchTheirSchemas() async throws {
    try await withTestApp(.sqlite) { test in
      let store = FluentRegistryStore(database: test.app.db)
      let organisation = try #require(try await store.organisations().first)
      let unit = try #require(
        try await store.units(in: nil, page: PageQuery(per: 200)).items.first { $0.organisationID == organisation.id })
      let checks: [(String, String, Int)] = [
        ("/healthz", "/healthz", 200),
        ("/readyz", "/readyz", 200),
        ("/api/v1/organisations", "/api/v1/organisations", 200),
        ("/api/v1/organisations/\(organisation.id)", "/api/v1/organisations/{id}", 200),
        ("/api/v1/organisations/\(UUID())", "/api/v1/organisations/{id}", 404),
        ("/api/v1/units?per=2", "/api/v1/units", 200),
        ("/api/v1/units?page=x", "/api/v1/units", 400),
        ("/api/v1/units/\(unit.id)", "/api/v1/units/{id}", 200),
        ("/api/v1/units/\(unit.id)/workers", "/api/v1/units/{id}/workers", 200),
        ("/api/v1/registry/counts", "/api/v1/registry/counts", 200),
      ]
      for (url, template, status) in checks {
        let response = try await test.get(url, headers: test.clerkHeaders)
        #expect(Int(response.status.code) == status, "\(url)")
        let schema = try #require(
          responseSchema(path: template, method: "get", status: status), "\(template) \(status)")
        let json = try JSONSerialization.jsonObject(
          with: Data(response.body.readableBytesView), options: [.fragmentsAllowed])
        let problems = SchemaValidator(document: document).problems(json, against: schema, at: "$")
        #expect(problems.isEmpty, "\(url): \(problems)")
      }
      let created = try await test.post(
        "/api/v1/units", json: #"{"organisationId":"\#(organisation.id)","name":"新单位","sector":"government"}"#,
        headers: test.clerkHeaders)
      let createdSchema = try #require(responseSchema(path: "/api/v1/units", method: "post", status: 201))
      let json = try JSONSerialization.jsonObject(with: Data(created.body.readableBytesView))
      #expect(SchemaValidator(document: document).problems(json, against: createdSchema, at: "$").isEmpty)
    }
  }

  /// The schema the document gives for a response, following a `$ref` to a shared response.
  func responseSchema(path: String, method: String, status: Int) -> Any? {
    guard let operation = paths[path]?[method] as? [String: Any],
      var response = (operation["responses"] as? [String: Any])?[String(status)] as? [String: Any]
    else { return nil }
    if let reference = response["$ref"] as? String {
      response = SchemaValidator(document: document).resolve(reference) as? [String: Any] ?? [:]
    }
    return ((response["content"] as? [String: Any])?["application/json"] as? [String: Any])?["schema"]
  }
}

/// Just enough of JSON Schema for our document: $ref, allOf, type (with "null"), enum,
/// properties, required, additionalProperties: false, items.
struct SchemaValidator {
  let document: [String: Any]

  func resolve(_ reference: String) -> Any? {
    var node: Any? = document
    for part in reference.dropFirst(2).split(separator: "/") {
      node = (node as? [String: Any])?[String(part)]
    }
    return node
  }

  func problems(_ value: Any, against schemaNode: Any, at path: String) -> [String] {
    guard var schema = schemaNode as? [String: Any] else { return ["\(path): schema is not an object"] }
    if let reference = schema["$ref"] as? String {
      guard let resolved = resolve(reference) else { return ["\(path): unresolvable \(reference)"] }
      return problems(value, against: resolved, at: path)
    }
    var found: [String] = []
    if let all = schema["allOf"] as? [Any] {
      for part in all { found += problems(value, against: part, at: path) }
      schema["allOf"] = nil
    }
    let types: [String] = (schema["type"] as? [String]) ?? ((schema["type"] as? String).map { [$0] } ?? [])
    if !types.isEmpty && !types.contains(where: { matches(value, type: $0) }) {
      return found + ["\(path): expected \(types), got \(value)"]
    }
    if value is NSNull { return found }
    if let allowed = schema["enum"] as? [String], let text = value as? String, !allowed.contains(text) {
      found.append("\(path): \(text) not in \(allowed)")
    }
    if let object = value as? [String: Any] {
      let properties = schema["properties"] as? [String: Any] ?? [:]
      for key in schema["required"] as? [String] ?? [] where object[key] == nil {
        found.append("\(path): missing required \(key)")
      }
      for (key, child) in object {
        if let property = properties[key] {
          found += problems(child, against: property, at: "\(path).\(key)")
        } else if schema["additionalProperties"] as? Bool == false {
          found.append("\(path): undocumented property \(key)")
        }
      }
    }
    if let array = value as? [Any], let items = schema["items"] {
      for (index, element) in array.enumerated() {
        found += problems(element, against: items, at: "\(path)[\(index)]")
      }
    }
    return found
  }

  private func matches(_ value: Any, type: String) -> Bool {
    switch type {
    case "null": return value is NSNull
    case "object": return value is [String: Any]
    case "array": return value is [Any]
    case "string": return value is String
    case "boolean": return value is Bool
    case "integer":
      // Linux's JSONSerialization hands 0 and 1 back as values that also cast to Bool, so
      // integers are recognised by value, not by type.
      guard let number = value as? NSNumber else { return false }
      return number.doubleValue.rounded() == number.doubleValue
    case "number": return value is NSNumber
    default: return false
    }
  }
}
