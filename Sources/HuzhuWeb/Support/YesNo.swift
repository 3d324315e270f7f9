/// A form's yes-or-no switch (a consent given or taken back, a story shown or not). Anything
/// else fails the form's decoding, a 400 that changes nothing: a careless client's odd value
/// must not read as "no" and take a consent back.
enum YesNo: String, Codable, Sendable {
  case yes
  case no

  var isYes: Bool { self == .yes }
}
