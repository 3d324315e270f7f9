import HuzhuCore
import HuzhuPersistence

/// What every use case is made of: the services and the acting account. The stores it works
/// with are built here and only here, each bound to the actor's scope (the scheme store to its
/// reach), so no use case can read outside them by forgetting to ask.
protocol UseCase: Sendable {
  var services: AppServices { get }
  var actor: Actor { get }
}

extension UseCase {
  var registryStore: FluentRegistryStore { FluentRegistryStore(database: services.database, scope: actor.scope) }
  var enrollmentStore: FluentEnrollmentStore {
    FluentEnrollmentStore(database: services.database, scope: actor.scope)
  }
  var claimStore: FluentClaimStore { FluentClaimStore(database: services.database, scope: actor.scope) }
  var schemeStore: FluentSchemeStore { FluentSchemeStore(database: services.database, reach: actor.schemeReach) }
  var unionWorkStore: FluentUnionWorkStore { FluentUnionWorkStore(database: services.database, scope: actor.scope) }
  var settlementStore: FluentSettlementStore {
    FluentSettlementStore(database: services.database, scope: actor.scope)
  }
  var audit: AuditTrail { AuditTrail(services, actor: actor) }
}
