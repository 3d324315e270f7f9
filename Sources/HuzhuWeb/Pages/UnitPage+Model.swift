import HuzhuApp
import HuzhuCore

/// One unit: its details and headcount, members, cover, bills and the outreach log.
enum UnitPage {
  typealias Model = Registry.UnitOverview
}
