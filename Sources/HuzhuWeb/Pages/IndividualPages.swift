import HuzhuCore
import Plot

/// A person registering on their own at the window (个人参保登记): a gig worker, or someone
/// whose unit has not joined. Every field is checked by ``IndividualRegistration``; the
/// refusal names each field at fault and keeps what was typed.
enum IndividualRegistrationPage {
  struct Model {
    var form: IndividualRegistration
    /// The nodes the clerk may register people at, parents first.
    let organisations: [(depth: Int, organisation: Organisation)]
    var errors: [FieldError] = []

    func errors(for field: String) -> [FieldError] { errors.filter { $0.field == field } }
  }

  /// The categories a window records for an individual.
  static let categories: [MemberCategory] = [.gigWorker, .hardship, .extremeHardship, .modelWorker]

  struct View: LocalizedView {
    let model: Model
    let language: DisplayLanguage
    let viewer: Viewer

    func html() -> HTML {
      let form = model.form
      return Layout(
        title: text("个人参保登记", "Register a person on their own"), language: language,
        currentPath: SiteURL.newIndividual.path, viewer: viewer,
        content: .group(
          .nav(.class("breadcrumbs"), .a(.href(SiteURL.workers.path), .text(text("职工查询", "Find a worker")))),
          .p(
            .class("muted"),
            .text(
              text(
                "新就业形态劳动者、所在单位尚未参保的职工，可在窗口登记后以个人身份参保。已登记但已离开原单位的人员将转为本组织管理，不会重复登记。",
                "Gig workers, and workers whose unit has not joined, are registered here and then enroll on their own. Someone registered before who has left their unit is taken over, never registered twice."
              ))),
          errorSummary(model.errors, language: language),
          .form(
            .class("stacked-form"), .method(.post), .action(SiteURL.newIndividual.path),
            .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
            .fieldset(
              .legend(text("本人信息", "The person")),
              field("name", text("姓名", "Name"), input("name", form.name)),
              field("idNumber", text("身份证号", "ID number"), input("idNumber", form.idNumber)),
              field(
                "phone", text("手机号（接收验证码和通知）", "Mobile (codes and notices)"), input("phone", form.phone, type: .tel)),
              field(
                "insuranceType", text("基本医疗保险", "Basic medical insurance"),
                .namedSelect(
                  "insuranceType", id: "insuranceType",
                  InsuranceType.allCases.map {
                    .choice($0.rawValue, $0.label.text(for: language), selected: form.insuranceType == $0.rawValue)
                  })),
              .div(
                .class(model.errors(for: "categories").isEmpty ? "field" : "field field-error"),
                .span(.class("field-label"), .text(text("人员类别", "Categories"))),
                .forEach(IndividualRegistrationPage.categories) { category in
                  .div(
                    .class("field checkbox"),
                    .input(
                      .type(.checkbox), .name("categories[]"), .value(category.rawValue),
                      .id("category-\(category.rawValue)"), .checked(form.categories.contains(category.rawValue))),
                    .label(.for("category-\(category.rawValue)"), .text(" " + category.label.text(for: language))))
                })),
            .fieldset(
              .legend(text("给付账户", "Where benefits are paid")),
              field("bankName", text("开户行", "Bank"), input("bankName", form.bankName)),
              field("bankAccount", text("银行账号", "Account number"), input("bankAccount", form.bankAccount))),
            .fieldset(
              .legend(text("管理组织", "Kept by")),
              field(
                "organisationId", text("登记到", "Registered at"),
                .organisationSelect(
                  "organisationId", nodes: model.organisations,
                  selected: form.organisationID?.description ?? viewer.organisation.id.description, language: language))
            ),
            .button(.type(.submit), .class("primary"), .id("register"), .text(text("登记", "Register"))))
        )
      )
      .html()
    }

    private var controls: FormControls { FormControls(errors: model.errors, language: language) }
    private func input(_ name: String, _ value: String, type: HTMLInputType = .text) -> Node<HTML.BodyContext> {
      controls.input(name, value, type: type)
    }
    private func field(_ name: String, _ label: String, _ control: Node<HTML.BodyContext>) -> Node<HTML.FormContext> {
      controls.field(name, label, control)
    }
  }
}

/// One person's own enrollment (个人参保): product, period, and who pays — the person, with a
/// union subsidy or a named third party (a paired cadre) where there is one. The rule version
/// decides whether the product takes individuals at all.
enum IndividualEnrollPage {
  struct Model {
    let worker: Worker
    let products: [(value: String, label: String)]
    var form: EnrollPage.Form
    var errors: [FieldError] = []

    func errors(for field: String) -> [FieldError] { errors.filter { $0.field == field } }
  }

  struct View: LocalizedView {
    let model: Model
    let language: DisplayLanguage
    let viewer: Viewer

    func html() -> HTML {
      let worker = model.worker
      let form = model.form
      let path = SiteURL.individualEnroll(.value(worker.id)).path
      return Layout(
        title: text("个人参保：", "Individual enrollment: ") + worker.name, language: language, currentPath: path,
        viewer: viewer,
        content: .group(
          .nav(.class("breadcrumbs"), .a(.href(SiteURL.worker(.value(worker.id)).path), .text(worker.name))),
          errorSummary(model.errors, language: language),
          .if(
            model.products.isEmpty,
            .p(
              .class("notice notice-bad"), .id("no-individual-products"),
              .text(text("目前没有接受个人参保的产品。", "No product takes individual enrollment at present."))),
            else: .form(
              .class("stacked-form"), .method(.post), .action(path),
              .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
              EnrollPage.productAndPeriod(form, products: model.products, controls, viewer: viewer),
              .fieldset(
                .legend(text("缴费（每人）", "Who pays")),
                .p(
                  .class("muted"),
                  .text(text("个人参保由本人缴费；工会补贴另行缴入。", "The person pays; a union subsidy is paid on top."))),
                EnrollPage.unionSubsidy(form, controls),
                field(
                  "thirdPartyName",
                  text("代缴人（如包联干部为困难职工代缴，可不填）", "Paid by someone else (e.g. a paired cadre; optional)"),
                  input("thirdPartyName", form.thirdPartyName))),
              .button(
                .type(.submit), .class("primary"), .id("enroll-individual"),
                .text(text("办理个人参保并出具缴费单", "Enroll and issue the bill")))))
        )
      )
      .html()
    }

    private var controls: FormControls { FormControls(errors: model.errors, language: language) }
    private func input(_ name: String, _ value: String, type: HTMLInputType = .text) -> Node<HTML.BodyContext> {
      controls.input(name, value, type: type)
    }
    private func field(_ name: String, _ label: String, _ control: Node<HTML.BodyContext>) -> Node<HTML.FormContext> {
      controls.field(name, label, control)
    }
  }
}

/// Every error of a refused form at its top, for readers who start there (each is also next
/// to its field).
func errorSummary(_ errors: [FieldError], language: DisplayLanguage, id: String = "form-errors")
  -> Node<HTML.BodyContext>
{
  .if(
    !errors.isEmpty,
    .div(
      .class("notice notice-bad"), .id(id), .attribute(named: "role", value: "alert"),
      .forEach(errors) { .p(.text($0.message.text(for: language))) }))
}
