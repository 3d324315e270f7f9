import HuzhuCore

/// The first page after sign-in: the work waiting for this operator's roles in their
/// part of the organisation, and the key figures of that part.
enum DashboardPage {
  struct Model {
    let organisation: Organisation
    let roles: Set<Role>
    let claims: ClaimSummary?
    let registry: RegistryCounts?
    let unit: WorkUnit?
    let today: CalendarDate

    static func load(
      account: UserAccount, organisation: Organisation, today: CalendarDate, registry: any RegistryStore,
      claims: any ClaimStore
    ) async throws -> Model {
      let permissions = account.permissions
      async let claimSummary = permissions.contains(.viewClaims) ? claims.summary(today: today) : nil
      async let counts = permissions.contains(.viewRegistry) ? registry.counts() : nil
      async let unit = account.unitID.asyncMap { try await registry.unit($0) } ?? nil
      return Model(
        organisation: organisation, roles: account.roles, claims: try await claimSummary,
        registry: try await counts, unit: try await unit, today: today)
    }
  }
}
