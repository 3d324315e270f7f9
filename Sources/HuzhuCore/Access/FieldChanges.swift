import Foundation

/// What a change did to a record, for the audit log: each field that differs as
/// `path: before → after`. Fields are found by reflection, so a field added to a type later
/// is audited without anyone remembering to; values that identify a person (ID numbers,
/// phones, bank accounts) are shown by their last four characters only, since the audit log
/// is read by people who may not see them in full.
public enum FieldChanges {
  /// The differing fields of two values of one type, in path order.
  public static func between<T>(_ before: T, _ after: T) -> [String] {
    var old: [String: String] = [:]
    var new: [String: String] = [:]
    flatten(before, path: "", into: &old)
    flatten(after, path: "", into: &new)
    return Set(old.keys).union(new.keys).sorted().compactMap { path in
      let was = old[path] ?? "—"
      let now = new[path] ?? "—"
      guard was != now else { return nil }
      return "\(path): \(masked(was, at: path)) → \(masked(now, at: path))"
    }
  }

  /// The paths of the fields that differ, without their values: for records whose values the
  /// audit log should not repeat (a claim's diagnosis and costs are medical data).
  public static func paths<T>(_ before: T, _ after: T) -> [String] {
    var old: [String: String] = [:]
    var new: [String: String] = [:]
    flatten(before, path: "", into: &old)
    flatten(after, path: "", into: &new)
    return Set(old.keys).union(new.keys).sorted().filter { old[$0] != new[$0] }
  }

  /// ``between(_:_:)`` as one line (at most `limit` fields named, then how many more).
  public static func summary<T>(_ before: T, _ after: T, limit: Int = 20) -> String {
    let changes = between(before, after)
    guard !changes.isEmpty else { return unchanged }
    let shown = changes.prefix(limit).joined(separator: "; ")
    return changes.count > limit ? shown + "; … \(changes.count - limit) more" : shown
  }

  public static let unchanged = "no field changed"

  static let sensitive = ["idnumber", "phone", "bankaccount", "mobile"]

  static func masked(_ value: String, at path: String) -> String {
    let field = path.split(separator: ".").last.map { $0.lowercased() } ?? ""
    guard value != "—", sensitive.contains(where: field.contains) else { return value }
    return "••••" + value.suffix(4)
  }

  static func flatten(_ value: Any, path: String, into leaves: inout [String: String]) {
    let mirror = Mirror(reflecting: value)
    switch mirror.displayStyle {
    case .optional:
      if let wrapped = mirror.children.first {
        flatten(wrapped.value, path: path, into: &leaves)
      } else {
        leaves[path] = "—"
      }
    case .set:
      leaves[path] = mirror.children.map { String(describing: $0.value) }.sorted().joined(separator: ", ")
    case .collection:
      for (index, child) in mirror.children.enumerated() {
        flatten(child.value, path: "\(path)[\(index)]", into: &leaves)
      }
      if mirror.children.isEmpty { leaves[path] = "[]" }
    case .struct, .class:
      // A value that describes itself (money, dates, identifiers) is one field.
      guard !(value is any CustomStringConvertible), !mirror.children.isEmpty else {
        leaves[path] = String(describing: value)
        return
      }
      for child in mirror.children {
        let label = child.label ?? "?"
        flatten(child.value, path: path.isEmpty ? label : "\(path).\(label)", into: &leaves)
      }
    default:
      leaves[path] = String(describing: value)
    }
  }
}
