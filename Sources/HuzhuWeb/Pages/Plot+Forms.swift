import HuzhuCore
import Plot

/// Form pieces Plot does not offer as we need them: an `<option>` with text (Plot's is
/// self-closing, label-attribute only), a named `<select>`, and a `<legend>`.
extension Node where Context == HTML.SelectContext {
  static func choice(_ value: String, _ label: String, selected: Bool = false) -> Node {
    .element(
      named: "option",
      nodes: [
        // An empty value is written too ("all"): without it the browser would send the label.
        .attribute(named: "value", value: value, ignoreIfValueIsEmpty: false),
        selected ? .attribute(named: "selected") : .empty, .text(label),
      ])
  }
}

extension Node where Context: HTML.BodyContext {
  static func namedSelect(_ name: String, id: String, _ options: [Node<HTML.SelectContext>]) -> Node {
    .element(
      named: "select",
      nodes: [.attribute(named: "name", value: name), .attribute(named: "id", value: id)]
        + options.map { Node($0) })
  }

  /// A picker of organisation nodes, indented by depth (its id is `name` unless given).
  static func organisationSelect(
    _ name: String, nodes: [(depth: Int, organisation: Organisation)], selected: String, language: DisplayLanguage,
    leading: [Node<HTML.SelectContext>] = [], id: String? = nil
  ) -> Node {
    namedSelect(
      name, id: id ?? name,
      leading
        + nodes.map { node in
          .choice(
            node.organisation.id.description,
            String(repeating: "　", count: node.depth) + node.organisation.displayName(language),
            selected: node.organisation.id.description == selected)
        })
  }

  static func legend(_ text: String) -> Node {
    .element(named: "legend", text: text)
  }
}

extension Node {
  /// A node of another context, for the few elements Plot types too narrowly.
  init<Other>(_ node: Node<Other>) {
    self = .raw(node.render())
  }
}

extension Node where Context == HTML.FormContext {
  /// A labelled control with the errors for its field under it, in the reader's language.
  static func labelled(
    _ label: String, for id: String, errors: [FieldError], language: DisplayLanguage, _ control: Node<HTML.BodyContext>
  ) -> Node {
    .div(
      .class(errors.isEmpty ? "field" : "field field-error"),
      .label(.for(id), .text(label)),
      Node(control),
      .forEach(errors) { .span(.class("field-message"), .text($0.message.text(for: language))) })
  }
}

/// The inputs of one form, each marked and followed by the errors of its field when a refusal
/// named it, in the reader's language.
struct FormControls {
  let errors: [FieldError]
  let language: DisplayLanguage

  func errors(for field: String) -> [FieldError] { errors.filter { $0.field == field } }

  func input(_ name: String, _ value: String, type: HTMLInputType = .text) -> Node<HTML.BodyContext> {
    .input(
      .type(type), .name(name), .id(name), .value(value),
      .attribute(named: "aria-invalid", value: errors(for: name).isEmpty ? "false" : "true"))
  }

  func field(_ name: String, _ label: String, _ control: Node<HTML.BodyContext>) -> Node<HTML.FormContext> {
    .labelled(label, for: name, errors: errors(for: name), language: language, control)
  }
}

extension Node where Context == HTML.DescriptionListContext {
  /// One fact of a record's page: its label, and its value or a dash.
  static func fact(_ label: String, _ value: String?) -> Node {
    .group(.dt(.text(label)), .dd(.text(value.flatMap { $0.isEmpty ? nil : $0 } ?? "—")))
  }
}
