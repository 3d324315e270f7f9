import Plot

/// Form pieces Plot does not offer as we need them: an `<option>` with text (Plot's is
/// self-closing, label-attribute only), a named `<select>`, and a `<legend>`.
extension Node where Context == HTML.SelectContext {
  static func choice(_ value: String, _ label: String, selected: Bool = false) -> Node {
    .element(
      named: "option",
      nodes: [
        .attribute(named: "value", value: value), selected ? .attribute(named: "selected") : .empty, .text(label),
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
