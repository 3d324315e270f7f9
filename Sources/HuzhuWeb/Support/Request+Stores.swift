import HuzhuCore
import HuzhuPersistence
import Vapor

/// The stores a request works with. Each is bound to the request's ``AccessScope``, so
/// whatever a handler asks for, it only ever sees the signed-in operator's part of the data.
extension Request {
  var registry: any RegistryStore { FluentRegistryStore(database: db, scope: accessScope) }
  var enrollments: any EnrollmentStore { FluentEnrollmentStore(database: db, scope: accessScope) }
  var claims: any ClaimStore { FluentClaimStore(database: db, scope: accessScope) }
  /// The schemes in the operator's reach (``SchemeReach``); pages without an operator (the
  /// portal, public pages) read every scheme's name and rules.
  var schemes: any SchemeStore {
    FluentSchemeStore(database: db, reach: operatorAccount?.schemeReach ?? .everything)
  }
  var unionWork: any UnionWorkStore { FluentUnionWorkStore(database: db, scope: accessScope) }
  var accounts: any AccountStore { FluentAccountStore(database: db) }
  var auditLog: any AuditStore { FluentAuditStore(database: db, scope: accessScope) }
}
