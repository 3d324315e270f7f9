import FluentKit
import HuzhuCore

/// What every use case works with besides the actor: the database, the files kept by content
/// (scans, rosters between preview and import), and the server's clock.
public struct AppServices: Sendable {
  public let database: any Database
  public let documents: any DocumentStorage
  public let clock: ServerClock

  public init(database: any Database, documents: any DocumentStorage, clock: ServerClock = .system) {
    self.database = database
    self.documents = documents
    self.clock = clock
  }

  public var today: CalendarDate { clock.today }
}
