import Plot

// Plot escapes text nodes but writes attribute values verbatim between double quotes, so a
// stored name such as `"><meta http-equiv=refresh …>` would end the attribute and inject
// markup. Every Plot function that puts a string into an attribute is declared again here
// with the same signature; Swift prefers a declaration of the calling module over an
// identical one it imports, so every `.value(…)`, `.href(…)`, `.attribute(named:value:)` …
// written in HuzhuWeb escapes its value. `OutputEncodingTests` fails when Plot gains a string
// attribute that is not declared here, and renders every page with hostile text in every
// stored field. The head helpers that copy a string into `<meta>` tags
// (`.description`, `.twitterUsername`, …) are not used; `.title` is redeclared to write the
// `<title>` element only, `.stylesheet` to escape its address.

/// Escaping for a double-quoted attribute value and for hand-built markup (the SVG charts).
enum HTMLEscaping {
  static func attribute(_ value: String) -> String {
    var escaped = ""
    escaped.reserveCapacity(value.utf8.count)
    for character in value.unicodeScalars {
      switch character {
      case "&": escaped += "&amp;"
      case "\"": escaped += "&quot;"
      case "'": escaped += "&#39;"
      case "<": escaped += "&lt;"
      case ">": escaped += "&gt;"
      default: escaped.unicodeScalars.append(character)
      }
    }
    return escaped
  }

  static func attribute(_ url: any URLRepresentable) -> String { attribute(url.description) }
}

extension Attribute {
  static func attribute(named name: String, value: String?) -> Self {
    Attribute(name: name, value: value.map(HTMLEscaping.attribute))
  }
}

extension Node {
  static func attribute(named name: String, value: String?, ignoreIfValueIsEmpty: Bool = true) -> Node {
    .attribute(
      Attribute(name: name, value: value.map(HTMLEscaping.attribute), ignoreIfValueIsEmpty: ignoreIfValueIsEmpty))
  }
}

extension Attribute where Context: HTMLContext {
  static func id(_ id: String) -> Attribute { .attribute(named: "id", value: id) }
  static func `class`(_ className: String) -> Attribute { .attribute(named: "class", value: className) }
  static func data(named name: String, value: String) -> Attribute { .attribute(named: "data-" + name, value: value) }
  static func title(_ title: String) -> Attribute { .attribute(named: "title", value: title) }
}

extension Node where Context: HTMLContext {
  static func id(_ id: String) -> Node { .attribute(named: "id", value: id) }
  static func `class`(_ className: String) -> Node { .attribute(named: "class", value: className) }
  static func data(named name: String, value: String) -> Node { .attribute(named: "data-" + name, value: value) }
  static func title(_ title: String) -> Node { .attribute(named: "title", value: title) }
}

extension Attribute where Context: HTMLNamableContext {
  static func name(_ name: String) -> Attribute { .attribute(named: "name", value: name) }
}

extension Node where Context: HTMLNamableContext {
  static func name(_ name: String) -> Node { .attribute(named: "name", value: name) }
}

extension Attribute where Context == HTML.MetaContext {
  static func property(_ property: String) -> Attribute { .attribute(named: "property", value: property) }
  static func content(_ content: String) -> Attribute { .attribute(named: "content", value: content) }
}

extension Attribute where Context: HTMLTypeContext {
  static func type(_ type: String) -> Attribute { .attribute(named: "type", value: type) }
}

extension Attribute where Context: HTMLValueContext {
  static func value(_ value: String) -> Attribute { .attribute(named: "value", value: value) }
}

extension Node where Context: HTMLValueContext {
  static func value(_ value: String) -> Node { .attribute(named: "value", value: value) }
}

extension Attribute where Context == HTML.LinkContext {
  static func sizes(_ sizes: String) -> Attribute { .attribute(named: "sizes", value: sizes) }
  static func color(_ color: String) -> Attribute { .attribute(named: "color", value: color) }
}

extension Attribute where Context: HTMLLinkableContext {
  static func href(_ url: any URLRepresentable) -> Attribute { .attribute(named: "href", value: url.description) }
}

extension Node where Context: HTMLLinkableContext {
  static func href(_ url: any URLRepresentable) -> Node { .attribute(named: "href", value: url.description) }
}

extension Node where Context == HTML.TimeContext {
  static func datetime(_ datetime: String) -> Node { .attribute(named: "datetime", value: datetime) }
}

extension Attribute where Context: HTMLSourceContext {
  static func src(_ url: any URLRepresentable) -> Attribute { .attribute(named: "src", value: url.description) }
}

extension Node where Context: HTMLSourceContext {
  static func src(_ url: any URLRepresentable) -> Node { .attribute(named: "src", value: url.description) }
}

extension Attribute where Context == HTML.ObjectContext {
  static func data(_ url: any URLRepresentable) -> Attribute { .attribute(named: "data", value: url.description) }
}

extension Node where Context == HTML.ObjectContext {
  static func data(_ url: any URLRepresentable) -> Node { .attribute(named: "data", value: url.description) }
}

extension Attribute where Context == HTML.PictureSourceContext {
  static func srcset(_ set: String) -> Attribute { .attribute(named: "srcset", value: set) }
  static func media(_ query: String) -> Attribute { .attribute(named: "media", value: query) }
  static func type(_ type: String) -> Attribute { .attribute(named: "type", value: type) }
}

extension Node where Context == HTML.FormContext {
  static func action(_ url: any URLRepresentable) -> Node { .attribute(named: "action", value: url.description) }
}

extension Node where Context == HTML.LabelContext {
  static func `for`(_ target: String) -> Node { .attribute(named: "for", value: target) }
}

extension Attribute where Context == HTML.InputContext {
  static func placeholder(_ placeholder: String) -> Attribute { .attribute(named: "placeholder", value: placeholder) }
}

extension Node where Context == HTML.TextAreaContext {
  static func placeholder(_ placeholder: String) -> Node { .attribute(named: "placeholder", value: placeholder) }
}

extension Attribute where Context == HTML.OptionContext {
  static func label(_ label: String) -> Attribute { .attribute(named: "label", value: label) }
}

extension Node where Context: HTMLStylableContext {
  static func style(_ css: String) -> Node { .attribute(named: "style", value: css) }
}

extension Attribute where Context == HTML.IFrameContext {
  static func allow(_ features: String...) -> Attribute {
    .attribute(named: "allow", value: features.joined(separator: "; "))
  }
}

extension Attribute where Context == HTML.ImageContext {
  static func alt(_ text: String) -> Attribute { .attribute(named: "alt", value: text) }
}

extension Node where Context: HTML.BodyContext {
  static func ariaLabel(_ label: String) -> Node { .attribute(named: "aria-label", value: label) }
  static func ariaControls(_ child: String) -> Node { .attribute(named: "aria-controls", value: child) }
  static func onclick(_ script: String) -> Node { .attribute(named: "onclick", value: script) }
}

extension Attribute where Context: HTMLIntegrityContext {
  static func integrity(_ hash: String) -> Attribute { .attribute(named: "integrity", value: hash) }
}

extension Node where Context: HTMLIntegrityContext {
  static func integrity(_ hash: String) -> Node { .attribute(named: "integrity", value: hash) }
}

extension Node where Context == HTML.HeadContext {
  /// The document title alone: Plot's own `.title` also copies the title into `og:title` and
  /// `twitter:title` meta tags unescaped, and a page's title can be a worker's name.
  static func title(_ title: String) -> Node { .element(named: "title", text: title) }

  static func stylesheet(_ url: any URLRepresentable, integrity: String? = nil) -> Node {
    .link(.rel(.stylesheet), .href(url), .type("text/css"), .unwrap(integrity) { .integrity($0) })
  }
}
