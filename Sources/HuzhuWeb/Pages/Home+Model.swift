import HuzhuApp
import HuzhuCore

/// What the home page shows: the whole organisation tree with unit counts, and totals.
enum Home {
  typealias Model = Registry.Overview
}
