import HuzhuCore

/// What the home page shows: the whole organisation tree with unit counts, and totals.
enum Home {
  struct Model {
    let tree: OrganisationTree
    let counts: RegistryCounts

    static func load(from registry: any RegistryStore) async throws -> Model {
      async let organisations = registry.organisations()
      async let unitCounts = registry.unitCounts()
      async let counts = registry.counts()
      return Model(
        tree: OrganisationTree(organisations: try await organisations, unitCounts: try await unitCounts),
        counts: try await counts)
    }
  }
}
