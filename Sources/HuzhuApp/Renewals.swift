import Foundation
import HuzhuCore
import HuzhuPersistence

/// The year-end renewal of every unit of a node: each unit's members of a product carried into
/// the next period, previewed first (exactly, by a renewal rolled back), then committed unit by
/// unit. A unit renewed already is skipped, so a commit that stopped halfway is run again.
public struct Renewals: UseCase {
  let services: AppServices
  let actor: Actor

  public init(_ services: AppServices, actor: Actor) {
    self.services = services
    self.actor = actor
  }

  /// What renewing one unit does, or did.
  public enum Outcome: Sendable {
    /// Renews (or renewed) into the bill: who was carried over, who was not and why.
    case renews(RenewalResult)
    /// The unit has members in a later period already.
    case alreadyRenewed
    /// The rules refuse the unit as a whole (participation, enrollment window…).
    case refused([FieldError])
  }

  public struct Line: Sendable {
    public let unit: WorkUnit
    public let members: Int
    public let outcome: Outcome
  }

  /// What to renew: the period's product, and the node whose units (at any depth) renew.
  public struct Order: Sendable {
    public var scheme: String
    public var product: String
    public var periodStart: CalendarDate
    public var node: Organisation.ID

    public init(scheme: String, product: String, periodStart: CalendarDate, node: Organisation.ID) {
      self.scheme = scheme
      self.product = product
      self.periodStart = periodStart
      self.node = node
    }
  }

  /// The outcome for every unit, nothing written.
  public func preview(_ order: Order) async throws -> [Line] {
    try await run(order, commit: false)
  }

  /// Renews every unit that can be, each in its own transaction; the lines say what happened.
  public func commit(_ order: Order) async throws -> [Line] {
    let lines = try await run(order, commit: true)
    let renewed = lines.compactMap { line -> String? in
      guard case .renews(let result) = line.outcome else { return nil }
      return "\(line.unit.name) \(result.plan.bill.number) (\(result.plan.enrollments.count))"
    }
    if !renewed.isEmpty {
      try await audit.record(
        .dataChange, subject: "renewal:\(order.scheme):\(order.product):\(order.periodStart)",
        detail: "year-end renewal of \(renewed.count) units: " + renewed.joined(separator: ", "))
    }
    return lines
  }

  private func run(_ order: Order, commit: Bool) async throws -> [Line] {
    try actor.require(.enroll)
    guard actor.scope.contains(organisation: order.node) else { throw UseCaseError.notFound }
    let subtree = OrganisationTree.subtreeIDs(of: order.node, in: actor.organisations)
    let scheme = try await Enrollments(services, actor: actor).scheme(order.scheme, serving: order.node)
    guard scheme.product(order.product) != nil else {
      throw ValidationFailure([
        FieldError(
          field: "product", code: "unknown_product",
          message: LocalizedText(zh: "方案中没有产品 \(order.product)", en: "the scheme has no product \(order.product)"))
      ])
    }
    let candidates = try await enrollmentStore.renewalCandidates(
      scheme: order.scheme, productCode: order.product, periodStart: order.periodStart
    ).filter { subtree.contains($0.unit.organisationID) }
    var lines: [Line] = []
    for candidate in candidates {
      guard !candidate.renewed else {
        lines.append(Line(unit: candidate.unit, members: candidate.members, outcome: .alreadyRenewed))
        continue
      }
      do {
        let result =
          commit
          ? try await enrollmentStore.renew(
            unit: candidate.unit.id, productCode: order.product, periodStart: order.periodStart, split: nil,
            requestDate: services.today, scheme: scheme)
          : try await enrollmentStore.previewRenewal(
            unit: candidate.unit.id, productCode: order.product, periodStart: order.periodStart,
            requestDate: services.today, scheme: scheme)
        lines.append(Line(unit: candidate.unit, members: candidate.members, outcome: .renews(result)))
      } catch let failure as ValidationFailure {
        lines.append(Line(unit: candidate.unit, members: candidate.members, outcome: .refused(failure.errors)))
      }
    }
    return lines
  }
}
