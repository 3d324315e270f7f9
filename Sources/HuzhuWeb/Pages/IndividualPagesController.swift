import HuzhuApp
import HuzhuCore
import Vapor

/// People on their own at the window: registering a gig worker (or anyone whose unit has not
/// joined) and enrolling them individually; their bill is then paid from their page.
struct IndividualPagesController {
  func register(authenticated routes: any RoutesBuilder) {
    routes.get(.newIndividual, requires: .enroll, use: registrationForm)
    routes.post(.newIndividual, requires: .enroll, use: registerIndividual)
    routes.get(.individualEnroll(.key), requires: .enroll, use: enrollForm)
    routes.post(.individualEnroll(.key), requires: .enroll, use: enroll)
  }

  /// Individuals are kept by organisation nodes: a unit officer, who sees one unit, has none.
  private func organisationOperator(_ request: Request) throws -> AuthenticatedAccount {
    guard let signedIn = request.operatorAccount else { throw APIError.unauthorized }
    guard signedIn.keepsIndividuals else { throw APIError.forbidden }
    return signedIn
  }

  // MARK: Registration

  private func render(_ model: IndividualRegistrationPage.Model, _ request: Request, status: HTTPResponseStatus = .ok)
    -> Response
  {
    IndividualRegistrationPage.View(model: model, language: request.displayLanguage, viewer: request.viewer!).html()
      .response(status: status)
  }

  @Sendable func registrationForm(_ request: Request) async throws -> Response {
    let signedIn = try organisationOperator(request)
    return render(
      IndividualRegistrationPage.Model(
        form: IndividualRegistration(
          categories: [MemberCategory.gigWorker.rawValue], organisationID: signedIn.organisation.id),
        organisations: signedIn.visibleTree), request)
  }

  struct RegistrationBody: Content {
    var name, idNumber, phone, insuranceType, bankName, bankAccount, organisationId: String?
    var categories: [String]?

    var registration: IndividualRegistration {
      IndividualRegistration(
        name: name ?? "", idNumber: idNumber ?? "", phone: phone ?? "",
        insuranceType: insuranceType ?? InsuranceType.urbanEmployee.rawValue, categories: categories ?? [],
        bankName: bankName ?? "", bankAccount: bankAccount ?? "",
        organisationID: organisationId.flatMap(Organisation.ID.init))
    }
  }

  @Sendable func registerIndividual(_ request: Request) async throws -> Response {
    let signedIn = try organisationOperator(request)
    let form = try request.content.decode(RegistrationBody.self).registration
    var model = IndividualRegistrationPage.Model(form: form, organisations: signedIn.visibleTree)
    do {
      let worker = try form.validated().get()
      let stored = try await request.registry.register(individual: worker)
      request.flash(
        stored.id == worker.id
          ? LocalizedText(
            zh: "已登记 \(stored.name)，可为其办理个人参保", en: "\(stored.name) registered: enroll them on their own next")
          : LocalizedText(
            zh: "\(stored.name) 此前已登记，现转由本组织管理，信息已更新",
            en: "\(stored.name) was registered before: taken over, details updated"))
      return request.redirect(to: SiteURL.worker(.value(stored.id)).path)
    } catch let failure as ValidationFailure {
      model.errors = failure.errors
      return render(model, request, status: .unprocessableEntity)
    }
  }

  // MARK: Enrollment

  /// Products some version of which takes individual enrollment.
  private func model(_ request: Request, form: EnrollPage.Form? = nil) async throws -> IndividualEnrollPage.Model {
    let worker = try await request.registry.worker(try request.identifier())
    let products = try await request.productChoices(takingIndividuals: true)
    var initial = EnrollPage.Form(today: request.today)
    initial.employerKind = "none"
    return IndividualEnrollPage.Model(worker: worker, products: products, form: form ?? initial)
  }

  @Sendable func enrollForm(_ request: Request) async throws -> Response {
    let model = try await model(request)
    return IndividualEnrollPage.View(model: model, language: request.displayLanguage, viewer: request.viewer!).html()
      .response()
  }

  struct EnrollBody: Content {
    var product, periodStart, requestDate, requestDateReason, subsidyPayer, subsidyPerPerson, thirdPartyName: String?

    var fields: [String: String] {
      let pairs: [(String, String?)] = [
        ("product", product), ("periodStart", periodStart), ("requestDate", requestDate),
        ("requestDateReason", requestDateReason), ("subsidyPayer", subsidyPayer),
        ("subsidyPerPerson", subsidyPerPerson), ("thirdPartyName", thirdPartyName),
        ("employerKind", "none"),
      ]
      return Dictionary(uniqueKeysWithValues: pairs.compactMap { key, value in value.map { (key, $0) } })
    }
  }

  @Sendable func enroll(_ request: Request) async throws -> Response {
    let body = try request.content.decode(EnrollBody.self)
    let form = EnrollPage.Form(fields: body.fields, workerIDs: [])
    var model = try await model(request, form: form)
    let worker = model.worker
    func refuse(_ errors: [FieldError]) -> Response {
      model.errors = errors
      return IndividualEnrollPage.View(model: model, language: request.displayLanguage, viewer: request.viewer!).html()
        .response(status: .unprocessableEntity)
    }
    let basics = form.basics()
    var errors: [FieldError] = []
    if case .failure(let failure) = basics { errors = failure.errors }
    let payer = form.thirdPartyName.trimmingCharacters(in: .whitespaces)
    var split = PayerSplitRule()
    switch form.split(thirdPartyWorker: payer.isEmpty ? nil : worker.id) {
    case .success(let value): split = value
    case .failure(let failure): errors += failure.errors
    }
    guard errors.isEmpty, case .success(let basic) = basics else { return refuse(errors) }
    do {
      let plan = try await request.enrollmentWork.enroll(
        Enrollments.Order(
          scheme: basic.scheme, product: basic.product, periodStart: basic.periodStart, split: split,
          requestedOn: basic.requestDate, reason: form.requestDateReason),
        individual: worker.id)
      request.flash(
        LocalizedText(
          zh: "已办理个人参保，缴费单 \(plan.bill.number)，应缴 \(plan.bill.totalDue.formatted)",
          en: "Enrolled individually; bill \(plan.bill.number), \(plan.bill.totalDue.formatted) due"))
      return request.redirect(to: SiteURL.worker(.value(worker.id)).path)
    } catch let failure as ValidationFailure {
      return refuse(failure.errors)
    }
  }
}
