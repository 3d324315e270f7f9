import HuzhuCore
import Plot

extension WorkerSearchPage {
  struct View: LocalizedView {
    let model: Model
    let language: DisplayLanguage
    let viewer: Viewer

    func html() -> HTML {
      Layout(
        title: text("职工查询", "Find a worker"), language: language, currentPath: SiteURL.workers.path, viewer: viewer,
        content: .group(
          .form(
            .class("inline-form"), .method(.get), .action(SiteURL.workers.path),
            .input(
              .type(.search), .name("q"), .id("q"), .value(model.query),
              .placeholder(text("姓名、身份证号或手机号", "Name, ID number or phone")), .autofocus(true)),
            .button(.type(.submit), .text(text("查询", "Search")))),
          .if(
            viewer.mayRegisterIndividuals,
            .p(
              .a(
                .class("button"), .id("new-individual"), .href(SiteURL.newIndividual.path),
                .text(text("个人参保登记（新就业形态等）", "Register a person on their own (gig workers…)"))))),
          results())
      )
      .html()
    }

    private func results() -> Node<HTML.BodyContext> {
      guard let results = model.results else { return .empty }
      let matches = results.matches
      guard matches.total > 0 else {
        return .p(.class("muted"), .text(text("在您的管辖范围内没有找到匹配的职工。", "No matching worker in your area.")))
      }
      let pager = Pager(path: SiteURL.workers.path, page: matches, language: language, query: [("q", model.query)])
      return .group(
        pager.range,
        .div(
          .class("table-scroll"),
          .table(
            .class("data-table"), .id("worker-results"),
            .thead(
              .tr(
                .th(.text(text("姓名", "Name"))), .th(.text(text("身份证号", "ID number"))),
                .th(.text(text("手机", "Phone"))), .th(.text(text("单位", "Unit"))),
                .th(.text(text("保障", "Cover"))))),
            .tbody(
              .forEach(matches.items) { match in
                let worker = match.worker
                return .tr(
                  .td(.a(.href(SiteURL.worker(.value(worker.id)).path), .text(worker.name))),
                  .td(.text(worker.idNumber.masked)),
                  .td(.text(PersonalDataMask.phone(worker.phone))),
                  .td(.text(match.unitName ?? text("个人参保", "on their own"))),
                  .td(.text(cover(match, names: results.productNames))))
              }))),
        pager.node)
    }

    /// "保障中：职工住院互助" or the latest enrollment's state, or that there is none.
    private func cover(_ match: Match, names: [String: LocalizedText]) -> String {
      if !match.inForce.isEmpty {
        let products = match.inForce.map { names[$0]?.text(for: language) ?? $0 }
        return text("保障中：", "In force: ") + products.joined(separator: text("、", ", "))
      }
      return match.latest?.label.text(for: language) ?? text("未参保", "Not enrolled")
    }
  }
}

extension WorkerPage {
  struct View: LocalizedView {
    let model: Model
    let language: DisplayLanguage
    let viewer: Viewer
    var notice: LocalizedText? = nil
    var error: LocalizedText? = nil

    func html() -> HTML {
      let worker = model.worker
      let path = SiteURL.worker(.value(worker.id)).path
      return Layout(
        title: worker.name, language: language, currentPath: path, viewer: viewer,
        content: .group(
          .nav(.class("breadcrumbs"), .a(.href(SiteURL.workers.path), .text(text("职工查询", "Find a worker")))),
          .unwrap(notice) { .div(.class("notice notice-good"), .id("worker-notice"), .text($0.text(for: language))) },
          .unwrap(error) {
            .div(
              .class("notice notice-bad"), .id("worker-error"), .attribute(named: "role", value: "alert"),
              .text($0.text(for: language)))
          },
          .unwrap(model.accountToCorrect) { returned in
            .div(
              .class("notice notice-bad"), .id("account-returned"), .attribute(named: "role", value: "alert"),
              .text(
                text(
                  "银行于 \(returned.returnedOn) 退回汇往该账户的互助金（申请 \(returned.claimNumber)，原因：\(returned.reason)）。请核对并更正银行账户；更正前该职工的申请不会列入支付批次。",
                  "On \(returned.returnedOn) the bank returned a transfer to this account (claim \(returned.claimNumber): \(returned.reason)). Check and correct the account: until then no batch pays this worker."
                )))
          },
          identity(path: path),
          cover(),
          bills(),
          claims())
      )
      .html()
    }

    private func identity(path: String) -> Node<HTML.BodyContext> {
      let worker = model.worker
      let revealed = model.revealed
      return .group(
        .dl(
          .class("facts"),
          .dt(.text(text("身份证号", "ID number"))),
          .dd(.id("worker-id-number"), .text(revealed ? worker.idNumber.value : worker.idNumber.masked)),
          .dt(.text(text("性别 / 出生", "Gender / born"))),
          .dd(.text("\(worker.gender.label.text(for: language)) · \(worker.birthDate)")),
          .dt(.text(text("手机", "Phone"))),
          .dd(.id("worker-phone"), .text(revealed ? (worker.phone ?? "—") : PersonalDataMask.phone(worker.phone))),
          .dt(.text(text("开户行及账号", "Bank account"))),
          .dd(
            .text(
              (worker.bankName ?? "—") + " "
                + (revealed ? (worker.bankAccount ?? "") : PersonalDataMask.bankAccount(worker.bankAccount)))),
          .dt(.text(text("所在单位", "Unit"))),
          .dd(
            .unwrap(
              model.unit, { .a(.href(SiteURL.unit(.value($0.id)).path), .text($0.name)) },
              else: .text(text("无（个人参保）", "None (on their own)"))))),
        .if(
          viewer.may(.manageUnits),
          .details(
            .id("bank-account-form"),
            .attribute(named: "open", value: model.accountToCorrect == nil ? nil : "open"),
            .summary(.text(text("更正银行账户", "Correct the bank account"))),
            .form(
              .class("inline-form"), .method(.post), .action(SiteURL.workerBankAccount(.value(worker.id)).path),
              .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
              .input(
                .type(.text), .name("bankName"), .required(true), .attribute(named: "maxlength", value: "60"),
                .placeholder(text("开户行", "Bank"))),
              .input(
                .type(.text), .name("bankAccount"), .required(true), .attribute(named: "inputmode", value: "numeric"),
                .attribute(named: "maxlength", value: "40"), .placeholder(text("银行账号", "Account number"))),
              .button(.type(.submit), .id("save-bank-account"), .text(text("保存（记入审计日志）", "Save (audited)")))))),
        .if(
          !revealed && viewer.may(.viewPersonalData),
          .p(
            .a(
              .class("button"), .id("reveal"), .href(path + "?reveal=1"),
              .text(text("显示完整个人信息（将记入审计日志）", "Show personal data in full (audited)"))))))
    }

    private func cover() -> Node<HTML.BodyContext> {
      .group(
        .h2(.text(text("参保与保障书", "Cover and certificates"))),
        model.enrollments.isEmpty
          ? .p(.class("muted"), .text(text("没有参保记录。", "No enrollment.")))
          : .table(
            .class("data-table"),
            .thead(
              .tr(
                .th(.text(text("保障书编号", "Certificate"))), .th(.text(text("产品", "Product"))),
                .th(.text(text("保障期", "Period"))), .th(.text(text("状态", "State"))))),
            .tbody(
              .forEach(model.enrollments) { enrollment in
                .tr(
                  .td(
                    .a(
                      .href(SiteURL.certificate(.value(enrollment.certificateNumber)).path),
                      .text(enrollment.certificateNumber))),
                  .td(.text(model.productNames[enrollment.productCode]?.text(for: language) ?? enrollment.productCode)),
                  .td(.text("\(enrollment.period.start) – \(enrollment.period.end)")),
                  .td(.text(enrollment.coverState(on: model.today).label.text(for: language))))
              })),
        .if(
          viewer.mayRegisterIndividuals,
          .p(
            .a(
              .class("button"), .id("enroll-individual"), .href(SiteURL.individualEnroll(.value(model.worker.id)).path),
              .text(text("办理个人参保", "Enroll on their own"))))),
        .if(
          viewer.may(.intakeClaims) && !model.enrollments.isEmpty,
          .p(
            .a(
              .class("button primary"), .id("new-claim"),
              .href(SiteURL.newClaim.path + "?worker=\(model.worker.id)"),
              .text(text("为该职工受理互助金申请", "Open a claim for this worker"))))))
    }

    private func bills() -> Node<HTML.BodyContext> {
      .if(
        !model.bills.isEmpty,
        BillsTable(
          bills: model.bills, payments: model.payments, title: LocalizedText(zh: "个人参保缴费单", en: "Individual bills"),
          today: model.today, language: language, viewer: viewer
        ).node())
    }

    private func claims() -> Node<HTML.BodyContext> {
      .group(
        .h2(.text(text("互助金申请", "Claims"))),
        model.claims.isEmpty
          ? .p(.class("muted"), .text(text("没有申请记录。", "No claims.")))
          : .table(
            .class("data-table"),
            .thead(
              .tr(
                .th(.text(text("编号", "Number"))), .th(.text(text("申请日期", "Claimed"))),
                .th(.text(text("状态", "State"))), .th(.class("number"), .text(text("金额（元）", "Amount (yuan)"))))),
            .tbody(
              .forEach(model.claims) { claim in
                .tr(
                  .td(.a(.href(SiteURL.claimPage(.value(claim.id)).path), .text(claim.number))),
                  .td(.text(claim.intake.event.claimDate.description)),
                  .td(.text(claim.state.label.text(for: language))),
                  .td(.class("number"), .text(claim.payable.formatted)))
              })))
    }
  }
}
