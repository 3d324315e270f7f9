import HuzhuApp
import HuzhuCore

/// The first page after sign-in: the work waiting for this operator's roles in their
/// part of the organisation, and the key figures of that part.
enum DashboardPage {
  typealias Model = Registry.Dashboard
}
