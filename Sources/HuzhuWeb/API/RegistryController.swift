import HuzhuApp
import HuzhuCore
import Vapor

/// `/api/v1` endpoints for the organisation tree, units and workers.
struct RegistryController {
  func register(authenticated routes: any RoutesBuilder) {
    routes.get(.api(.organisations), use: listOrganisations)
    routes.get(.api(.organisation(.key)), use: showOrganisation)
    routes.get(.api(.units), requires: .viewRegistry, use: listUnits)
    routes.get(.api(.unit(.key)), requires: .viewRegistry, use: showUnit)
    routes.get(.api(.unitWorkers(.key)), requires: .viewRegistry, use: listWorkers)
    routes.get(.api(.registryCounts), requires: .viewRegistry, use: counts)
    routes.post(.api(.organisations), requires: .manageOrganisations, use: createOrganisation)
    routes.post(.api(.units), requires: .manageUnits, use: createUnit)
    routes.post(.api(.individuals), requires: .enroll, use: registerIndividual)
    routes.put(.api(.workerBankAccount(.key)), requires: .manageUnits, use: correctBankAccount)
  }

  /// A person on their own (a gig worker), kept by the caller's node unless another of its
  /// subtree is named; an earlier record of someone who left their unit is taken over (200).
  @Sendable func registerIndividual(_ request: Request) async throws -> Response {
    guard let signedIn = request.operatorAccount else { throw APIError.unauthorized }
    let input = try request.content.decode(NewIndividual.self)
    let worker = try IndividualRegistration(
      name: input.name, idNumber: input.idNumber, phone: input.phone,
      insuranceType: input.insuranceType ?? InsuranceType.urbanEmployee.rawValue, categories: input.categories ?? [],
      bankName: input.bankName ?? "", bankAccount: input.bankAccount ?? "",
      organisationID: input.organisationId.map { .init($0) } ?? signedIn.organisation.id
    ).validated().get()
    let stored = try await request.registry.register(individual: worker)
    let response = try await WorkerListItem(stored).encodeResponse(
      status: stored.id == worker.id ? .created : .ok, for: request)
    response.headers.replaceOrAdd(name: .location, value: SiteURL.worker(.value(stored.id)).path)
    return response
  }

  struct BankAccountInput: Content {
    let bankName: String
    let account: String
  }

  /// Replaces a member's account for transfers (audited, the accounts shown by their last
  /// four digits); a returned transfer's account stops holding their claims back.
  @Sendable func correctBankAccount(_ request: Request) async throws -> WorkerBankAccountResource {
    let input = try request.content.decode(BankAccountInput.self)
    let worker = try await request.registry.correctBankAccount(
      of: try request.identifier(), bankName: input.bankName, account: input.account)
    return WorkerBankAccountResource(worker)
  }

  @Sendable func listOrganisations(_ request: Request) async throws -> ListResource<OrganisationResource> {
    let registry = try request.registry
    async let organisations = registry.organisations()
    async let unitCounts = registry.unitCounts()
    let counts = try await unitCounts
    return ListResource(items: try await organisations.map { OrganisationResource($0, unitCount: counts[$0.id] ?? 0) })
  }

  @Sendable func showOrganisation(_ request: Request) async throws -> OrganisationResource {
    OrganisationResource(try await request.registry.organisation(try request.identifier()))
  }

  @Sendable func createOrganisation(_ request: Request) async throws -> Response {
    let input = try request.content.decode(NewOrganisation.self)
    let organisation = Organisation(
      parentID: input.parentId.map { .init($0) }, kind: input.kind,
      code: input.code.trimmingCharacters(in: .whitespaces),
      name: input.name.trimmingCharacters(in: .whitespaces), nameEn: input.nameEn)
    try await request.registry.create(organisation)
    let response = try await OrganisationResource(organisation).encodeResponse(status: .created, for: request)
    response.headers.replaceOrAdd(name: .location, value: SiteURL.api(.organisation(.value(organisation.id))).path)
    return response
  }

  @Sendable func listUnits(_ request: Request) async throws -> PageResource<UnitResource> {
    let organisation = try request.organisationFilter()
    let page = try await request.registry.units(
      in: organisation, matching: request.query[String.self, at: "q"], page: try request.pageRequest())
    return PageResource(page, map: UnitResource.init)
  }

  @Sendable func showUnit(_ request: Request) async throws -> UnitResource {
    UnitResource(try await request.registry.unit(try request.identifier()))
  }

  @Sendable func createUnit(_ request: Request) async throws -> Response {
    let input = try request.content.decode(NewUnit.self)
    let unit = WorkUnit(
      organisationID: .init(input.organisationId), name: input.name.trimmingCharacters(in: .whitespaces),
      creditCode: input.creditCode?.trimmingCharacters(in: .whitespaces).uppercased(), sector: input.sector)
    try await request.registry.create(unit)
    let response = try await UnitResource(unit).encodeResponse(status: .created, for: request)
    response.headers.replaceOrAdd(name: .location, value: SiteURL.api(.unit(.value(unit.id))).path)
    return response
  }

  @Sendable func listWorkers(_ request: Request) async throws -> PageResource<WorkerListItem> {
    let page = try await request.registry.workers(in: try request.identifier(), page: try request.pageRequest())
    return PageResource(page, map: WorkerListItem.init)
  }

  @Sendable func counts(_ request: Request) async throws -> RegistryCounts {
    try await request.registry.counts()
  }
}

extension RegistryCounts: Content {}
