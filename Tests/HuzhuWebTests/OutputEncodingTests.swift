import Foundation
import HuzhuCore
import HuzhuPersistence
import HuzhuTestSupport
import SQLKit
import Testing
import Vapor
import VaporTesting

/// What people typed comes back as text, never as markup, a redirect off the site or a formula.
@Suite("Output encoding")
struct OutputEncodingTests {
  /// Markup that, arriving unescaped, would redirect whoever opens the page or run script.
  static let payload = #""'><meta http-equiv=refresh content=0;url=//ev.il><script>alert(1)</script>"#
  static let markupLeaks = ["<meta http-equiv", "<script>alert"]

  // MARK: Escaping by construction

  /// Every function of Plot's that writes a string into an attribute is declared again in
  /// `Plot+Escaping.swift` with the same signature (so HuzhuWeb's calls take the escaping one).
  /// A Plot update that adds one fails here until it is declared too.
  @Test func everyStringAttributeOfPlotIsRedeclaredToEscape() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let plot = root.appendingPathComponent(".build/checkouts/Plot/Sources/Plot/API")
    var theirs: Set<String> = []
    for file in ["HTMLAttributes.swift", "Attribute.swift", "Node.swift"] {
      let text = try String(contentsOf: plot.appendingPathComponent(file), encoding: .utf8)
      // Of Node.swift, only the attribute with a value (the rest build elements and text, which Plot escapes).
      theirs.formUnion(
        Self.stringSignatures(in: text).filter {
          file != "Node.swift" || $0.contains("attribute(named: String, value:")
        })
    }
    #expect(theirs.count > 40, "read \(theirs.count) signatures from Plot")
    let ours = Self.stringSignatures(
      in: try String(
        contentsOf: root.appendingPathComponent("Sources/HuzhuWeb/Pages/Plot+Escaping.swift"), encoding: .utf8))
    let missing = theirs.subtracting(ours).sorted()
    #expect(missing.isEmpty, "not redeclared in Plot+Escaping.swift: \(missing)")
  }

  /// Plot's head helpers copy their string into `<meta>` attributes unescaped; only the two
  /// redeclared (`title`, `stylesheet`) may be used.
  @Test func headHelpersThatCopyIntoMetaTagsAreNotUsed() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let sources = root.appendingPathComponent("Sources/HuzhuWeb")
    let files = try #require(FileManager.default.enumerator(atPath: sources.path)).compactMap { $0 as? String }
      .filter { $0.hasSuffix(".swift") }
    #expect(files.count > 40)
    for file in files {
      let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
      let uses = text.matches(
        of: /[(,\s]\.(siteName|socialImageLink|twitterUsername|favicon|rssFeedLink|description|url|onclick)\(/)
      #expect(uses.isEmpty, "\(file) uses \(uses.map { String($0.output.1) })")
    }
  }

  /// `X where C name(label: Type, …)` for every static function of an `extension X where C`
  /// that takes a String or a URL, parameter names and default values left out. Plot's internal
  /// extensions are skipped: no one outside Plot can call them.
  static func stringSignatures(in source: String) -> Set<String> {
    let extensions = source.matches(of: /(?m)^[ \t]*(public |internal )?extension ([^{\n]+?)\s*\{/).map {
      (start: $0.range.lowerBound, header: String($0.output.2), isInternal: $0.output.1 == "internal ")
    }
    var result: Set<String> = []
    for function in source.matches(of: /static func `?(\w+)`?(?:<\w+>)?\(([^)]*)\)/) {
      let parameters = function.output.2
      guard parameters.contains("String") || parameters.contains("URLRepresentable") else { continue }
      let owner = extensions.last { $0.start < function.range.lowerBound }
      if owner?.isInternal == true { continue }
      let labels = parameters.split(separator: ",").map { parameter -> String in
        let parts = parameter.split(separator: ":", maxSplits: 1)
        let label = parts[0].split(whereSeparator: \.isWhitespace).first.map(String.init) ?? "_"
        let written = parts.count > 1 ? parts[1].split(separator: "=")[0].trimmingCharacters(in: .whitespaces) : ""
        let type = written.hasPrefix("any ") ? String(written.dropFirst(4)) : written
        return "\(label): \(type)"
      }
      result.insert("\(owner?.header ?? "") \(function.output.1)(\(labels.joined(separator: ", ")))")
    }
    return result
  }

  // MARK: Reflected text

  @Test func whatARequestSaysComesBackEscaped() async throws {
    try await withTestApp(.sqlite) { test in
      let encoded = try #require(Self.payload.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
      let session = try await test.signIn("ay-window")
      for (path, headers) in [
        ("/login?next=/workers%3Fq%3D\(encoded)", HTTPHeaders()), ("/login?next=\(encoded)", HTTPHeaders()),
        ("/verify?number=\(encoded)", HTTPHeaders()), ("/workers?q=\(encoded)", session.cookie),
        ("/claims?q=\(encoded)", session.cookie),
      ] {
        let response = try await test.get(path, headers: headers)
        #expect(response.status.code < 500, "\(path)")
        for leak in Self.markupLeaks { #expect(!response.text.contains(leak), "\(path) reflects \(leak)") }
      }
      // The search box keeps what was typed, as text.
      let search = try await test.get("/workers?q=\(encoded)", headers: session.cookie)
      #expect(search.text.contains("&quot;&#39;&gt;&lt;meta http-equiv"))
    }
  }

  /// After signing in, `next` leads only to a path of this site.
  @Test func signingInNeverLeadsOffTheSite() async throws {
    try await withTestApp(.sqlite) { test in
      let cases: [(next: String, expected: String)] = [
        ("/%09/evil.example", "/"), ("/%0A/evil.example", "/"), ("/%0d%0a/evil.example", "/"),
        ("//evil.example", "/"), ("https://evil.example", "/"), ("/%5Cevil.example", "/"),
        ("%2F%2Fevil.example", "/"), ("/%E2%80%AE/evil", "/"), ("/workers?q=x%26y%3D1", "/workers?q=x&y=1"),
        ("/claims", "/claims"),
      ]
      for (next, expected) in cases {
        let login = try await test.get("/login")
        var headers = HTTPHeaders()
        headers.cookie = [
          "huzhu_session": .init(string: try #require(login.headers.setCookie?["huzhu_session"]?.string))
        ]
        headers.contentType = .urlEncodedForm
        let token = try #require(TestApp.csrfToken(in: login.text))
        let password = try #require(
          test.administrator?.password.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
        let response = try await test.send(
          .POST, "/login", body: "_csrf=\(token)&username=ay-window&password=\(password)&next=\(next)",
          headers: headers)
        #expect(response.status == .seeOther)
        #expect(response.headers.first(name: .location) == expected, "next=\(next)")
      }
    }
  }

  // MARK: Headers

  @Test func pagesAreNeitherCachedNorFramedAndFormsPostOnlyHere() async throws {
    try await withTestApp(.sqlite) { test in
      let session = try await test.signIn("ay-window")
      for (path, headers) in [
        ("/workers", session.cookie), ("/api/v1/claims", test.headers("ay-window")), ("/login", HTTPHeaders()),
      ] {
        let response = try await test.get(path, headers: headers)
        #expect(response.headers.first(name: .cacheControl) == "no-store", "\(path)")
        let policy = try #require(response.headers.first(name: "Content-Security-Policy"))
        for directive in ["base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'", "object-src 'none'"] {
          #expect(policy.contains(directive), "\(path): \(policy)")
        }
        #expect(response.headers.first(name: "Strict-Transport-Security")?.hasPrefix("max-age=") == true)
      }
      // The stylesheet may be cached: it holds nobody's data.
      #expect(try await test.get("/huzhu.css").headers.first(name: .cacheControl) != "no-store")
    }
  }

  // MARK: Characters that are no text

  @Test func aNullCharacterIsRefusedBeforeAnyHandler() async throws {
    try await withTestApp(.sqlite) { test in
      let clerk = test.headers("ay-window")
      let query = try await test.get("/api/v1/units?q=%00", headers: clerk)
      #expect(query.status == .badRequest)
      #expect(query.text.contains("null_character"))
      let json = try await test.send(
        .POST, "/api/v1/individuals",
        body: #"{"name":"李\u0000娜","idNumber":"110105194912310029","phone":"13945678901"}"#, headers: clerk)
      #expect(json.status == .badRequest)
      // An escaped backslash before u0000 is text; the name is refused for its backslash-free reasons only.
      let text = try await test.send(
        .POST, "/api/v1/individuals", body: #"{"name":"李\\u0000娜","idNumber":"1","phone":"5"}"#, headers: clerk)
      #expect(text.status == .unprocessableEntity)
      var form = HTTPHeaders()
      form.contentType = .urlEncodedForm
      let signIn = try await test.send(.POST, "/login", body: "username=ay-window%00&password=x", headers: form)
      #expect(signIn.status == .badRequest)
      #expect(try await test.get("/healthz").status == .ok)
    }
  }

  @Test(arguments: ["\u{202E}", "\u{0007}", "\u{2066}", "\n"])
  func namesWithControlCharactersAreRefusedByField(character: String) async throws {
    try await withTestApp(.sqlite) { test in
      let name = "李\(character)娜".unicodeScalars.map { scalar in
        scalar.value < 0x80 ? String(format: "\\u%04x", scalar.value) : String(scalar)
      }.joined()
      let registered = try await test.send(
        .POST, "/api/v1/individuals",
        body: #"{"name":"\#(name)","idNumber":"110105194912310029","phone":"13945678901"}"#,
        headers: test.headers("ay-window"))
      #expect(registered.status == .unprocessableEntity, "\(registered.text)")
      let fields = try #require(
        (try TestApp.object(registered)["error"] as? [String: Any])?["fields"] as? [[String: Any]])
      #expect(fields.contains { $0["field"] as? String == "name" && $0["code"] as? String == "invalid_character" })
      let organisation = try #require(
        try await FluentRegistryStore(database: test.app.db).organisations().first { $0.code == "HA-AY" })
      let unit = try await test.send(
        .POST, "/api/v1/units",
        body: #"{"organisationId":"\#(organisation.id)","name":"\#(name)","sector":"government"}"#,
        headers: test.headers("ay-window"))
      #expect(unit.status == .unprocessableEntity, "\(unit.text)")
      #expect(unit.text.contains("invalid_character"))
    }
  }

  // MARK: Every page, hostile text in every stored field

  /// Text columns people fill in. Every table's column of these names gets the payload
  /// appended (identifiers, codes, states and JSON documents, such as a claim's explanation, are
  /// left alone: they are not typed text, and the stores parse them).
  static let typedColumns: Set<String> = [
    "name", "name_en", "display_name", "bank_name", "payee_name", "payer_name", "cadre_name", "address", "contact",
    "note", "memo", "explanation", "rejection_reason", "decline_reason", "file_name", "visitor",
    "materials", "reference",
  ]

  @Test func everyPageShowsHostileStoredTextAsText() async throws {
    try await withTestApp(.sqlite) { test in
      try await TenancyTests.makeHistory(test)
      let federations = [try await Federation.read("HA-AY", test), try await Federation.read("HLJ", test)]
      let sql = test.app.db as! any SQLDatabase
      // Append-only tables refuse updates; their guards are lifted here because the payload
      // stands for text typed when the row was written.
      for trigger in try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'trigger'").all() {
        try await sql.raw("DROP TRIGGER \(ident: try trigger.decode(column: "name", as: String.self))").run()
      }
      var changed: [String] = []
      for table in try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table'").all() {
        let name = try table.decode(column: "name", as: String.self)
        if name.hasPrefix("_fluent") || name.hasPrefix("sqlite_") || name == "audit_events" { continue }
        for column in try await sql.raw("SELECT name FROM pragma_table_info(\(bind: name))").all() {
          let field = try column.decode(column: "name", as: String.self)
          guard Self.typedColumns.contains(field) else { continue }
          try await sql.raw(
            """
            UPDATE \(ident: name) SET \(ident: field) = \(ident: field) || \(bind: Self.payload)
            WHERE \(ident: field) IS NOT NULL AND \(ident: field) <> ''
              AND \(ident: field) NOT LIKE '{%' AND \(ident: field) NOT LIKE '[%'
            """
          ).run()
          changed.append("\(name).\(field)")
        }
      }
      #expect(changed.count >= 12, "\(changed)")

      var pages = 0
      var shown = 0
      let encoded = Self.payload.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
      let query = ["q", "next", "number", "from", "to", "month", "asOf", "state", "status", "kind", "actor", "table"]
        .map { "\($0)=\(encoded)" }.joined(separator: "&")
      for federation in federations {
        for username in federation.usernames {
          let session = try await test.signIn(username)
          for route in test.app.routes.all where route.method == .GET {
            let path = federation.path(for: route)
            for address in [path, path + "?" + query] {
              let response = try await test.get(address, headers: session.cookie)
              #expect(response.status.code < 500, "\(username) \(address): \(response.status)")
              guard response.headers.contentType == .html else { continue }
              pages += 1
              for leak in Self.markupLeaks {
                #expect(!response.text.contains(leak), "\(username) \(address) shows markup: \(leak)")
              }
              if response.text.contains("&lt;meta http-equiv") { shown += 1 }
            }
          }
        }
      }
      // The payload did reach the pages (as text): the test looks at what it means to.
      #expect(pages > 500 && shown > 200, "\(pages) pages, \(shown) with the payload shown")
    }
  }
}
