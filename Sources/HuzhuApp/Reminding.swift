import Foundation
import HuzhuCore
import HuzhuPersistence

/// The reminders of a housekeeping round (``Reminders`` decides when and what): documents still
/// missing a week (two, three) after a claim began to wait for them; cover ending within a
/// month and not renewed, to the unit's contact or the member enrolled on their own; a
/// certificate issued, to its member. Each goes into the outbox once, by its key, however
/// many rounds and instances ask.
public struct Reminding: Sendable {
  let services: AppServices

  public init(_ services: AppServices) {
    self.services = services
  }

  public struct Report: Sendable, Equatable {
    public var documents = 0
    public var renewals = 0
    public var certificates = 0

    public init(documents: Int = 0, renewals: Int = 0, certificates: Int = 0) {
      self.documents = documents
      self.renewals = renewals
      self.certificates = certificates
    }
  }

  public func run(today: CalendarDate, now: Date = Date()) async throws -> Report {
    let database = services.database
    let registry = FluentRegistryStore(database: database)
    let outbox = FluentMessageStore(database: database)
    var report = Report()

    let waiting = try await ReminderQueries.claimsAwaitingDocuments(on: database)
      .compactMap { claim, since in Reminders.documentsStep(since: since, today: today).map { (claim, $0) } }
    let claimants = try await registry.workers(Array(Set(waiting.map(\.0.workerID))))
    report.documents = try await outbox.enqueueOnce(
      waiting.map { claim, step in
        Reminders.documents(
          claimID: claim.id, claimNumber: claim.number,
          missing: claim.progress.missingDocuments.map { RequiredDocument.label($0).zh }, step: step,
          phone: claimants[claim.workerID]?.phone, organisationID: claim.organisationID, workerID: claim.workerID,
          at: now)
      })

    let products = try await productNames()
    let ending = try await ReminderQueries.coverEndingUnrenewed(
      from: today, through: today.adding(days: Reminders.renewalDays), on: database)
    let issued = try await ReminderQueries.certificatesIssued(
      since: today.adding(days: -Reminders.certificateDays), on: database)
    let members = try await registry.workers(Array(Set((ending + issued).map(\.workerID))))
    let units = try await registry.unitsWithDetails(Array(Set(ending.compactMap(\.unitID))))
    let memberUnits = try await registry.units(Array(Set(members.values.compactMap(\.unitID))))
    func node(of worker: Worker?) -> Organisation.ID? {
      worker.flatMap { $0.unitID.flatMap { memberUnits[$0]?.organisationID } ?? $0.homeOrganisationID }
    }

    var renewals: [OutgoingMessage] = []
    let byUnit = Dictionary(grouping: ending.filter { $0.unitID != nil }) {
      UnitPeriod(unit: $0.unitID!, end: $0.period.end)
    }
    for (key, enrollments) in byUnit.sorted(by: { $0.key.end < $1.key.end }) {
      guard let (unit, details) = units[key.unit] else { continue }
      renewals.append(
        Reminders.unitRenewal(
          unitID: unit.id, unitName: unit.name, members: Set(enrollments.map(\.workerID)).count, end: key.end,
          phone: details.contactPhone, organisationID: unit.organisationID, at: now))
    }
    for enrollment in ending where enrollment.unitID == nil {
      let member = members[enrollment.workerID]
      renewals.append(
        Reminders.memberRenewal(
          workerID: enrollment.workerID, productName: products[enrollment.productCode] ?? enrollment.productCode,
          end: enrollment.period.end, phone: member?.phone, organisationID: node(of: member), at: now))
    }
    report.renewals = try await outbox.enqueueOnce(renewals)

    report.certificates = try await outbox.enqueueOnce(
      issued.map { enrollment in
        let member = members[enrollment.workerID]
        return Reminders.certificate(
          enrollmentID: enrollment.id, certificateNumber: enrollment.certificateNumber,
          productName: products[enrollment.productCode] ?? enrollment.productCode, period: enrollment.period,
          phone: member?.phone, organisationID: node(of: member), workerID: enrollment.workerID, at: now)
      })
    return report
  }

  struct UnitPeriod: Hashable {
    let unit: WorkUnit.ID
    let end: CalendarDate
  }

  /// Every product's name by its code, across the stored schemes.
  private func productNames() async throws -> [String: String] {
    var names: [String: String] = [:]
    for scheme in try await FluentSchemeStore(database: services.database).schemes() {
      for product in scheme.definition.products { names[product.code] = product.name }
    }
    return names
  }
}
