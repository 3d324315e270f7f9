import Fluent
import Foundation
import HuzhuCore

// Fluent models are rows, not domain values: each maps to and from its core type, and
// nothing outside this target sees them.

final class OrganisationModel: Model, @unchecked Sendable {
  static let schema = "organisations"

  @ID(key: .id) var id: UUID?
  @OptionalField(key: "parent_id") var parentID: UUID?
  @Field(key: "kind") var kind: String
  @Field(key: "code") var code: String
  @Field(key: "name") var name: String
  @OptionalField(key: "name_en") var nameEn: String?
  @Timestamp(key: "created_at", on: .create) var createdAt: Date?

  init() {}

  init(_ organisation: Organisation) {
    id = organisation.id.rawValue
    parentID = organisation.parentID?.rawValue
    kind = organisation.kind.rawValue
    code = organisation.code
    name = organisation.name
    nameEn = organisation.nameEn
  }

  func domain() throws -> Organisation {
    guard let kind = OrganisationKind(rawValue: kind) else { throw CorruptRow(table: Self.schema, column: "kind") }
    return Organisation(
      id: .init(try requireID()), parentID: parentID.map { .init($0) }, kind: kind, code: code, name: name,
      nameEn: nameEn)
  }
}

final class UnitModel: Model, @unchecked Sendable {
  static let schema = "units"

  @ID(key: .id) var id: UUID?
  @Field(key: "organisation_id") var organisationID: UUID
  @Field(key: "name") var name: String
  @OptionalField(key: "credit_code") var creditCode: String?
  @Field(key: "sector") var sector: String
  @OptionalField(key: "address") var address: String?
  @OptionalField(key: "contact_name") var contactName: String?
  @OptionalField(key: "contact_phone") var contactPhone: String?
  @OptionalField(key: "bank_name") var bankName: String?
  @OptionalField(key: "bank_account") var bankAccount: String?
  @Timestamp(key: "created_at", on: .create) var createdAt: Date?

  init() {}

  var details: UnitDetails {
    get {
      UnitDetails(
        address: address, contactName: contactName, contactPhone: contactPhone, bankName: bankName,
        bankAccount: bankAccount)
    }
    set {
      address = newValue.address
      contactName = newValue.contactName
      contactPhone = newValue.contactPhone
      bankName = newValue.bankName
      bankAccount = newValue.bankAccount
    }
  }

  init(_ unit: WorkUnit) {
    id = unit.id.rawValue
    organisationID = unit.organisationID.rawValue
    name = unit.name
    creditCode = unit.creditCode
    sector = unit.sector.rawValue
  }

  func domain() throws -> WorkUnit {
    guard let sector = Sector(rawValue: sector) else { throw CorruptRow(table: Self.schema, column: "sector") }
    return WorkUnit(
      id: .init(try requireID()), organisationID: .init(organisationID), name: name, creditCode: creditCode,
      sector: sector)
  }
}

final class WorkerModel: Model, @unchecked Sendable {
  static let schema = "workers"

  @ID(key: .id) var id: UUID?
  @Field(key: "id_number") var idNumber: String
  @Field(key: "name") var name: String
  @Field(key: "gender") var gender: String
  @Field(key: "birth_date") var birthDate: String
  @OptionalField(key: "phone") var phone: String?
  @Field(key: "insurance_type") var insuranceType: String
  /// Comma-separated category codes.
  @Field(key: "categories") var categories: String
  @OptionalField(key: "bank_name") var bankName: String?
  @OptionalField(key: "bank_account") var bankAccount: String?
  /// The node keeping the record of a person registered on their own (M011).
  @OptionalField(key: "home_organisation_id") var homeOrganisationID: UUID?
  @Timestamp(key: "created_at", on: .create) var createdAt: Date?

  init() {}

  init(_ worker: Worker) {
    id = worker.id.rawValue
    idNumber = worker.idNumber.value
    name = worker.name
    gender = worker.gender.rawValue
    birthDate = worker.birthDate.description
    homeOrganisationID = worker.homeOrganisationID?.rawValue
    update(from: worker)
  }

  /// The details a later roster may change; identity (ID number, name of record) stays.
  func update(from worker: Worker) {
    phone = worker.phone
    insuranceType = worker.insuranceType.rawValue
    categories = Self.categoriesText(worker.categories)
    bankName = worker.bankName
    bankAccount = worker.bankAccount
  }

  /// How categories are stored: comma-separated codes.
  static func categoriesText(_ categories: MemberCategories) -> String {
    categories.all.map(\.rawValue).joined(separator: ",")
  }

  /// The person, employed by `unitID` now (nil: by nobody).
  func domain(unitID: UUID?) throws -> Worker {
    guard let number = ResidentIDNumber(idNumber) else { throw CorruptRow(table: Self.schema, column: "id_number") }
    return Worker(
      id: .init(try requireID()), name: name, idNumber: number, unitID: unitID.map { .init($0) },
      homeOrganisationID: homeOrganisationID.map { .init($0) }, phone: phone,
      insuranceType: InsuranceType(rawValue: insuranceType) ?? .urbanEmployee,
      categories: MemberCategories(
        categories.split(separator: ",").compactMap { MemberCategory(rawValue: String($0)) }),
      bankName: bankName, bankAccount: bankAccount)
  }
}

final class EmploymentModel: Model, @unchecked Sendable {
  static let schema = "employments"

  @ID(key: .id) var id: UUID?
  @Field(key: "worker_id") var workerID: UUID
  @Field(key: "unit_id") var unitID: UUID
  @Field(key: "start_date") var startDate: String
  @OptionalField(key: "end_date") var endDate: String?

  init() {}

  init(workerID: UUID, unitID: UUID, startDate: CalendarDate) {
    self.id = UUID()
    self.workerID = workerID
    self.unitID = unitID
    self.startDate = startDate.description
  }
}

final class UserAccountModel: Model, @unchecked Sendable {
  static let schema = "user_accounts"

  @ID(key: .id) var id: UUID?
  @Field(key: "username") var username: String
  @Field(key: "display_name") var displayName: String
  @Field(key: "organisation_id") var organisationID: UUID
  @OptionalField(key: "unit_id") var unitID: UUID?
  @Field(key: "roles") var roles: String
  @Field(key: "password_hash") var passwordHash: String
  @Field(key: "failed_logins") var failedLogins: Int
  @OptionalField(key: "locked_until") var lockedUntil: Date?
  @Field(key: "disabled") var disabled: Bool
  @OptionalField(key: "last_login_at") var lastLoginAt: Date?
  @Field(key: "must_change_password") var mustChangePassword: Bool
  @OptionalField(key: "second_factor_secret") var secondFactorSecret: String?
  @OptionalField(key: "second_factor_enrolled_at") var secondFactorEnrolledAt: Date?
  @OptionalField(key: "second_factor_last_step") var secondFactorLastStep: Int64?
  @Timestamp(key: "created_at", on: .create) var createdAt: Date?

  init() {}

  init(_ account: UserAccount) {
    id = account.id.rawValue
    username = account.username
    displayName = account.displayName
    organisationID = account.organisationID.rawValue
    unitID = account.unitID?.rawValue
    roles = account.roles.map(\.rawValue).sorted().joined(separator: ",")
    passwordHash = account.passwordHash
    failedLogins = account.login.failedAttempts
    lockedUntil = account.login.lockedUntil
    disabled = account.isDisabled
    mustChangePassword = account.mustChangePassword
  }

  func domain() throws -> UserAccount {
    var parsed: Set<Role> = []
    for code in roles.split(separator: ",") {
      guard let role = Role(rawValue: String(code)) else { throw CorruptRow(table: Self.schema, column: "roles") }
      parsed.insert(role)
    }
    return UserAccount(
      id: .init(try requireID()), username: username, displayName: displayName, organisationID: .init(organisationID),
      unitID: unitID.map { .init($0) }, roles: parsed, passwordHash: passwordHash,
      login: LoginState(failedAttempts: failedLogins, lockedUntil: lockedUntil), isDisabled: disabled,
      mustChangePassword: mustChangePassword, secondFactorEnrolledAt: secondFactorEnrolledAt)
  }
}

final class AuditEventModel: Model, @unchecked Sendable {
  static let schema = "audit_events"

  @ID(key: .id) var id: UUID?
  @Field(key: "at") var at: Date
  @Field(key: "kind") var kind: String
  @Field(key: "actor") var actor: String
  @OptionalField(key: "organisation_id") var organisationID: UUID?
  @Field(key: "subject") var subject: String
  @Field(key: "detail") var detail: String
  @OptionalField(key: "address") var address: String?
  /// The entry's place in the hash chain (``AuditChain``); nil only on a row written around
  /// the application.
  @OptionalField(key: "sequence") var sequence: Int64?
  @OptionalField(key: "previous_hash") var previousHash: String?
  @OptionalField(key: "entry_hash") var entryHash: String?

  init() {}

  convenience init(_ event: AuditEvent, seal: AuditChain.Seal) {
    self.init(event)
    sequence = seal.sequence
    previousHash = seal.previous
    entryHash = seal.hash
  }

  init(_ event: AuditEvent) {
    id = event.id.rawValue
    at = event.at
    kind = event.kind.rawValue
    actor = event.actor
    organisationID = event.organisationID?.rawValue
    subject = event.subject
    detail = event.detail
    address = event.address
  }

  func domain() throws -> AuditEvent {
    guard let kind = AuditKind(rawValue: kind) else { throw CorruptRow(table: Self.schema, column: "kind") }
    return AuditEvent(
      id: .init(try requireID()), at: at, kind: kind, actor: actor, organisationID: organisationID.map { .init($0) },
      subject: subject, detail: detail, address: address)
  }

  func link() throws -> AuditChain.Link? {
    guard let sequence, let previousHash, let entryHash else { return nil }
    return AuditChain.Link(event: try domain(), sequence: sequence, previous: previousHash, hash: entryHash)
  }
}

/// Where the kept part of the audit chain begins after a retention prune.
final class AuditPruneModel: Model, @unchecked Sendable {
  static let schema = "audit_prunes"

  @ID(key: .id) var id: UUID?
  @Field(key: "at") var at: Date
  @Field(key: "actor") var actor: String
  @Field(key: "kept_from") var keptFrom: Int64
  @Field(key: "previous_hash") var previousHash: String
  @Field(key: "removed") var removed: Int64
  @Field(key: "archive_digest") var archiveDigest: String

  init() {}
}

/// A stored value no longer parses as its domain type: data written outside the stores.
public struct CorruptRow: Error, CustomStringConvertible {
  public let table: String
  public let column: String
  public var description: String { "a row of \(table) has an invalid \(column)" }
}
