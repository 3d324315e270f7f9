import HuzhuApp
import HuzhuCore

/// One organisation node: where it sits, the nodes below it, and the units in its subtree.
enum OrganisationPage {
  typealias Model = Registry.NodeOverview
}
