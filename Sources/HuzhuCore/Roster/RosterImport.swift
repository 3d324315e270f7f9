/// What committing a roster did, person by person.
public struct RosterImportResult: Sendable, Equatable {
  /// People new to the registry.
  public var created: Int
  /// People moved here from a unit (or a node) within the importer's area: the same person.
  public var transferred: Int
  /// People already on this unit's roster; their details are updated.
  public var updated: Int
  /// People employed or kept outside the importer's area: a transfer request each, which the
  /// other side confirms. Nothing of them changes until then.
  public var requested: Int

  public init(created: Int = 0, transferred: Int = 0, updated: Int = 0, requested: Int = 0) {
    self.created = created
    self.transferred = transferred
    self.updated = updated
    self.requested = requested
  }

  public var total: Int { created + transferred + updated + requested }
}

/// Where a person with a given ID number works now.
public struct CurrentEmployment: Sendable, Equatable {
  public let worker: Worker.ID
  public let unit: WorkUnit.ID
  public let unitName: String
  /// The unit's node: with the unit, what decides whose area the person is in.
  public let organisation: Organisation.ID

  public init(worker: Worker.ID, unit: WorkUnit.ID, unitName: String, organisation: Organisation.ID) {
    self.worker = worker
    self.unit = unit
    self.unitName = unitName
    self.organisation = organisation
  }
}

/// What the registry holds of a person, whoever keeps them: read for every roster row whose ID
/// number is known, and decided on by ``RosterRowPlan``. Never shown as it is to someone whose
/// area the person is not in.
public struct RegistryStanding: Sendable, Equatable {
  public let worker: Worker.ID
  /// The unit employing them now, if any.
  public let employment: CurrentEmployment?
  /// The node keeping the record of someone employed by nobody (a gig worker).
  public let homeOrganisation: Organisation.ID?

  public init(worker: Worker.ID, employment: CurrentEmployment?, homeOrganisation: Organisation.ID?) {
    self.worker = worker
    self.employment = employment
    self.homeOrganisation = homeOrganisation
  }
}

/// What one roster row will do to the registry. A roster may create people, and update or move
/// people within the importer's area; a person employed or kept outside it becomes a transfer
/// request the other side confirms, and the importer learns nothing of them.
public enum RosterRowPlan: Sendable, Equatable {
  /// Nobody has this ID number: a new person employed here.
  case create
  /// On this unit's roster already: the row's details replace theirs.
  case update(Worker.ID)
  /// Employed by another unit of the importer's area, kept by a node of it, or attached to
  /// nobody (someone who left their job): moved here now, details updated.
  case transfer(Worker.ID)
  /// Employed or kept outside the importer's area: a request to the other side.
  case requestTransfer(Worker.ID)

  public static func plan(for standing: RegistryStanding?, into unit: WorkUnit.ID, scope: AccessScope)
    -> RosterRowPlan
  {
    guard let standing else { return .create }
    if let employment = standing.employment {
      if employment.unit == unit { return .update(standing.worker) }
      return scope.contains(unit: employment.unit, at: employment.organisation)
        ? .transfer(standing.worker) : .requestTransfer(standing.worker)
    }
    if let home = standing.homeOrganisation, !scope.contains(organisation: home) {
      return .requestTransfer(standing.worker)
    }
    return .transfer(standing.worker)
  }

  public var worker: Worker.ID? {
    switch self {
    case .create: nil
    case .update(let id), .transfer(let id), .requestTransfer(let id): id
    }
  }

  /// The preview's word on the row. Where the person is outside the importer's area it says
  /// only that a request will be made: not who they are, nor where they work.
  public func warning(_ standing: RegistryStanding?) -> LocalizedText? {
    switch self {
    case .create: nil
    case .update: LocalizedText(zh: "已在本单位名册中，将更新其信息", en: "already on this unit's roster: details will be updated")
    case .transfer:
      if let employment = standing?.employment {
        LocalizedText(
          zh: "现登记在“\(employment.unitName)”，提交后将转入本单位",
          en: "now registered at \(employment.unitName): will transfer to this unit")
      } else {
        LocalizedText(
          zh: "已登记为个人参保人员，提交后将转入本单位", en: "registered on their own: will join this unit")
      }
    case .requestTransfer:
      LocalizedText(
        zh: "此人已由其他地区登记，提交后将向其现登记单位发出调入申请，经对方确认后生效；确认前其信息不作改动",
        en:
          "registered by another area: a transfer request goes to them and takes effect once they confirm; nothing changes until then"
      )
    }
  }
}

/// A roster checked against the registry and ready to commit: each valid row with what it will
/// do and the facts that decided it. The store commits it only if those facts still hold.
public struct RosterCommit: Sendable {
  public struct Row: Sendable {
    public let row: RosterRow
    public let plan: RosterRowPlan
    public let standing: RegistryStanding?

    public init(row: RosterRow, plan: RosterRowPlan, standing: RegistryStanding?) {
      self.row = row
      self.plan = plan
      self.standing = standing
    }
  }

  public let unit: WorkUnit.ID
  public let rows: [Row]

  public init(unit: WorkUnit.ID, rows: [Row]) {
    self.unit = unit
    self.rows = rows
  }
}

extension RosterPreview {
  /// Every row planned against what the registry holds (`standings`, by ID number) as the
  /// importer's `scope` sees it: the preview with each known person's warning, and the commit.
  public func planned(
    into unit: WorkUnit.ID, standings: [ResidentIDNumber: RegistryStanding], scope: AccessScope
  ) -> (preview: RosterPreview, commit: RosterCommit) {
    var plans: [ResidentIDNumber: RosterRowPlan] = [:]
    let annotated = annotatingKnownPeople { number in
      let plan = RosterRowPlan.plan(for: standings[number], into: unit, scope: scope)
      plans[number] = plan
      return plan.warning(standings[number])
    }
    let rows = annotated.rows.compactMap { row -> RosterCommit.Row? in
      guard let number = row.idNumber else { return nil }
      let plan = plans[number] ?? RosterRowPlan.plan(for: standings[number], into: unit, scope: scope)
      return RosterCommit.Row(row: row, plan: plan, standing: standings[number])
    }
    return (annotated, RosterCommit(unit: unit, rows: rows))
  }
}
