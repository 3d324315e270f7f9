/// What committing a roster did, person by person.
public struct RosterImportResult: Sendable, Equatable {
  /// People new to the registry.
  public var created: Int
  /// People employed by another unit until today, now employed here (the same person).
  public var transferred: Int
  /// People already on this unit's roster; their details are updated.
  public var updated: Int

  public init(created: Int = 0, transferred: Int = 0, updated: Int = 0) {
    self.created = created
    self.transferred = transferred
    self.updated = updated
  }

  public var total: Int { created + transferred + updated }
}

/// Where a person with a given ID number works now, for roster previews.
public struct CurrentEmployment: Sendable, Equatable {
  public let worker: Worker.ID
  public let unit: WorkUnit.ID
  public let unitName: String

  public init(worker: Worker.ID, unit: WorkUnit.ID, unitName: String) {
    self.worker = worker
    self.unit = unit
    self.unitName = unitName
  }
}

extension RosterPreview {
  /// The warning a roster row gets for a person the registry already has.
  public static func knownPersonWarning(_ employment: CurrentEmployment, importingInto unit: WorkUnit.ID)
    -> LocalizedText
  {
    employment.unit == unit
      ? LocalizedText(zh: "已在本单位名册中，将更新其信息", en: "already on this unit's roster: details will be updated")
      : LocalizedText(
        zh: "现登记在“\(employment.unitName)”，提交后将转入本单位",
        en: "now registered at \(employment.unitName): will transfer to this unit")
  }
}

extension RegistryStore {
  /// A roster's rows checked on their own and against the registry: every row's errors and
  /// warnings, including where each known person works now. Writes nothing.
  public func previewRoster(_ cells: [[RosterCell]], into unit: WorkUnit.ID) async throws -> RosterPreview {
    let parsed = RosterReader.preview(cells)
    let known = try await currentEmployments(of: parsed.rows.compactMap(\.idNumber))
    return parsed.annotatingKnownPeople { number in
      known[number].map { RosterPreview.knownPersonWarning($0, importingInto: unit) }
    }
  }
}
