import HuzhuCore

/// One organisation node: where it sits, the nodes below it, and the units in its subtree.
enum OrganisationPage {
  struct Model {
    let organisation: Organisation
    /// From the root down to the parent.
    let ancestors: [Organisation]
    let children: [Organisation]
    let units: PagedResult<WorkUnit>
    let organisationNames: [Organisation.ID: Organisation]
    /// The unit-name filter, when one was typed.
    let search: String?

    static func load(_ id: Organisation.ID, search: String?, page: PageQuery, from registry: any RegistryStore)
      async throws -> Model?
    {
      let all = try await registry.organisations()
      let byID = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0) })
      guard let organisation = byID[id] else { return nil }
      var ancestors: [Organisation] = []
      var cursor = organisation.parentID
      while let parentID = cursor, let parent = byID[parentID], !ancestors.contains(parent) {
        ancestors.insert(parent, at: 0)
        cursor = parent.parentID
      }
      let children = all.filter { $0.parentID == id }.sorted { $0.code < $1.code }
      let units = try await registry.units(in: id, matching: search, page: page)
      return Model(
        organisation: organisation, ancestors: ancestors, children: children, units: units, organisationNames: byID,
        search: search)
    }
  }
}
