import Foundation
import HuzhuCore
import Plot

extension ClaimPage {
  struct View: LocalizedView {
    let model: Model
    let language: DisplayLanguage
    var viewer: Viewer? = nil
    /// What the last action did, or why it was refused; the note typed is kept on refusal.
    var notice: LocalizedText? = nil
    var error: LocalizedText? = nil
    var typedNote = ""
    /// The adjustment form as typed, when it was refused (shown open with its values).
    var typedAdjustment: ClaimPage.TypedAdjustment? = nil

    func html() -> HTML {
      let claim = model.claim
      return Layout(
        title: text("互助金申请 ", "Claim ") + claim.number, language: language,
        currentPath: SiteURL.claimPage(.value(claim.id)).path, viewer: viewer,
        content: .group(
          .nav(
            .class("breadcrumbs"),
            .a(.href(SiteURL.claimQueue.path), .text(text("理赔工作台", "Claims queue")))),
          .unwrap(notice) { .div(.class("notice notice-good"), .id("claim-notice"), .text($0.text(for: language))) },
          .unwrap(error) {
            .div(
              .class("notice notice-bad"), .id("claim-error"), .attribute(named: "role", value: "alert"),
              .text($0.text(for: language)))
          },
          summary(),
          actions(),
          adjustment(),
          recovery(),
          story(),
          facts(),
          explanation(),
          documents(),
          history(),
          messages()
        )
      ).html()
    }

    /// The reviewer's amount to pay instead of the calculated one, with the reason: during
    /// review, by whoever may adjust (the approver then decides on it).
    private func adjustment() -> Node<HTML.BodyContext> {
      guard model.mayAdjust, let viewer else { return .empty }
      let claim = model.claim
      let typed = typedAdjustment ?? ClaimPage.TypedAdjustment(amount: "", justification: "")
      return .details(
        .id("claim-adjust"), typedAdjustment == nil ? .empty : .attribute(named: "open"),
        .summary(.text(text("调整拟给付金额", "Adjust the amount to pay"))),
        .form(
          .class("inline-form"), .method(.post), .action(SiteURL.claimAdjust(.value(claim.id)).path),
          .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
          .label(.for("adjust-amount"), .text(text("金额（元）", "Amount (yuan)"))),
          .input(
            .type(.text), .name("amount"), .id("adjust-amount"), .value(typed.amount), .required(true),
            .attribute(named: "inputmode", value: "decimal"), .attribute(named: "maxlength", value: "40"),
            .placeholder(claim.calculatedTotal?.decimalString ?? "")),
          .label(.for("adjust-justification"), .text(text("理由", "Reason"))),
          .input(
            .type(.text), .name("justification"), .id("adjust-justification"), .value(typed.justification),
            .required(true), .attribute(named: "maxlength", value: "200"),
            .placeholder(text("如：票据中有不属于本次住院的费用", "e.g. an invoice not of this stay"))),
          .button(.type(.submit), .id("adjust-claim"), .text(text("保存调整", "Save the adjustment")))))
    }

    private func summary() -> Node<HTML.BodyContext> {
      let claim = model.claim
      let deadline = claim.deadline(on: model.today)
      return .group(
        .div(
          .class("figures"),
          figure(claim.state.label.text(for: language), text("当前状态", "State")),
          figure(claim.calculatedTotal?.formatted ?? "—", text("系统计算", "Calculated")),
          figure(claim.payable.formatted, text(claim.approvedTotal == nil ? "拟给付" : "核定给付", "To pay")),
          figure(
            claim.dueOn?.description ?? "—",
            text("办结时限", "Due") + (deadline.map { " · " + $0.label.text(for: language) } ?? ""))),
        .if(
          !claim.duplicates.isEmpty,
          .div(
            .class("notice notice-bad"),
            .forEach(claim.duplicates) { flag in
              .p(
                .text(
                  "\(flag.kind.label.text(for: language))：\(flag.earlierClaimNumber)"
                    + (flag.detail.map { "（\($0)）" } ?? "")))
            })),
        .unwrap(claim.deadlineProblem) { problem in
          .div(.class("notice notice-bad"), .text(problem.text(for: language)))
        },
        .unwrap(claim.adjustment) { adjustment in
          .div(
            .class("notice"),
            .text(
              text(
                "审核调整：\(claim.calculatedTotal?.formatted ?? "—") → \(adjustment.amount.formatted)（\(adjustment.by)：\(adjustment.justification)）",
                "Adjusted: \(claim.calculatedTotal?.formatted ?? "—") → \(adjustment.amount.formatted) (\(adjustment.by): \(adjustment.justification))"
              )))
        })
    }

    private func facts() -> Node<HTML.BodyContext> {
      let claim = model.claim
      let event = claim.intake.event
      let figures = SettlementFigure.allCases.compactMap { figure in
        event.figures?[figure].map { (figure, $0) }
      }
      return .dl(
        .class("facts"),
        .fact(text("参保人", "Member"), model.worker.map { "\($0.name) \($0.idNumber.masked)" }),
        .fact(
          text("受理方式", "Channel"),
          claim.channel.label.text(for: language) + (claim.expedited ? text("（加急）", " (expedited)") : "")),
        .unwrap(model.detail.settlement) { settlement in
          .group(
            .dt(.text(text("结算记录", "Settlement"))),
            .dd(
              .a(
                .id("claim-settlement"), .href(SiteURL.settlementPage(.value(settlement.id)).path),
                .text("\(settlement.sourceCode) · \(settlement.record.settlementId)"))))
        },
        .fact(text("医院", "Hospital"), claim.intake.hospital),
        .fact(
          text("医院等级与就医地", "Hospital level and place"),
          [event.hospitalLevel?.label, event.hospitalLocation?.label].compactMap { $0?.text(for: language) }
            .joined(separator: text("，", ", ")).nilIfEmpty),
        .fact(
          text("住院时间", "Stay"),
          event.admissionDate.map { "\($0) – \(event.dischargeDate?.description ?? "")" }),
        .fact(
          text("就诊", "Visit"),
          event.visitDate.map { "\((event.careSetting ?? .outpatient).label.text(for: language)) \($0)" }),
        .fact(text("身故日期", "Died"), event.deathDate?.description),
        .fact(text("申请日期", "Claimed on"), event.claimDate.description),
        .forEach(figures) { figure, amount in
          .fact(figure.label.text(for: language), amount.formatted)
        },
        .fact(text("票据号", "Invoices"), claim.intake.invoiceNumbers.joined(separator: "、").nilIfEmpty),
        .fact(text("结算单号", "Settlement sheet"), claim.intake.settlementSheetNumber),
        .fact(
          text("审批层级", "Approval"),
          claim.progress.requiredLevels.map { level in
            level.label.text(for: language)
              + (claim.progress.approvals.contains { $0.level == level } ? " ✓" : "")
          }.joined(separator: " → ").nilIfEmpty ?? text("审核即批准", "approved on review")))
    }

    private func explanation() -> Node<HTML.BodyContext> {
      guard let document = model.claim.explanation else { return .empty }
      return .section(
        .h2(.text(text("给付计算明细", "Explanation of benefit"))),
        .forEach(document.outcomes) { outcome in
          .table(
            .class("data-table explanation"),
            .caption(
              .text(
                "\(outcome.benefitName.text(for: language))（\(outcome.productName.text(for: language))"
                  + (outcome.version.map { " \($0)" } ?? "") + "）")),
            .thead(
              .tr(
                .th(.text(text("步骤", "Step"))), .th(.text(text("说明", "Detail"))),
                .th(.class("number"), .text(text("基数", "Base"))), .th(.class("number"), .text(text("金额", "Amount"))))),
            .tbody(
              .forEach(outcome.lines) { line in
                .tr(
                  .td(.text(line.label.text(for: language))),
                  .td(.text(line.description.text(for: language))),
                  .td(.class("number amount"), .text(line.base?.formatted ?? "")),
                  .td(.class("number amount"), .text(line.amount.isZero ? "" : line.amount.formatted)))
              },
              .tr(
                .class("total-row"), .td(.text(text("小计", "Subtotal"))), .td(), .td(),
                .td(.class("number amount"), .text(outcome.total.formatted)))))
        },
        .p(.class("explanation-total"), .text(text("合计：", "Total: ") + document.total.formatted)))
    }

    /// The steps the viewer may take on the claim in its current state, as forms.
    private func actions() -> Node<HTML.BodyContext> {
      guard let viewer else { return .empty }
      let claim = model.claim
      let url = SiteURL.claimAct(.value(claim.id)).path
      // Steps that decide money ask first (huzhu.js shows the question; without script the
      // step simply goes ahead).
      func confirmation(_ action: String) -> String {
        switch action {
        case "approve": text("确认审批通过？给付金额将进入支付。", "Approve? The amount goes to payment.")
        case "reject": text("确认不予给付？申请人将收到短信。", "Reject? The claimant is told by text message.")
        default: ""
        }
      }
      func button(_ action: String, _ zh: String, _ en: String, primary: Bool = false) -> Node<HTML.BodyContext> {
        .form(
          .class("inline-form"), .method(.post), .action(url), .data(named: "confirm", value: confirmation(action)),
          .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
          .input(.type(.hidden), .name("action"), .value(action)),
          .button(.type(.submit), .id("action-\(action)"), .class(primary ? "primary" : ""), .text(text(zh, en))))
      }
      func withNote(_ action: String, _ zh: String, _ en: String, reasons: Bool = false) -> Node<HTML.BodyContext> {
        .form(
          .class("inline-form"), .method(.post), .action(url), .data(named: "confirm", value: confirmation(action)),
          .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
          .input(.type(.hidden), .name("action"), .value(action)),
          .if(
            reasons,
            .namedSelect(
              "rejectionReason", id: "rejection-reason",
              RejectionReason.allCases.map { .choice($0.rawValue, $0.label.text(for: language)) })),
          .input(
            .type(.text), .name("note"), .id("note-\(action)"), .value(typedNote), .required(true),
            .placeholder(text("原因（将告知申请人）", "Reason (sent to the claimant)"))),
          .button(.type(.submit), .id("action-\(action)"), .text(text(zh, en))))
      }
      // Which steps the claim offers this viewer is the workflow's decision (`Claims.Detail`).
      let forms: [Node<HTML.BodyContext>] = model.actions.map { name in
        switch name {
        case .submit: button("submit", "提交受理（开始计时）", "Submit (start the clock)", primary: true)
        case .review: button("review", "审核通过", "Reviewed", primary: true)
        case .return: withNote("return", "退回补充材料", "Return for documents")
        case .approve: button("approve", "审批通过", "Approve", primary: true)
        case .reject: withNote("reject", "不予给付", "Reject", reasons: true)
        case .appeal: withNote("appeal", "申请复核", "Appeal")
        }
      }
      let canUpload = model.takesDocuments
      let upload: Node<HTML.BodyContext> =
        canUpload
        ? .form(
          .class("inline-form upload-form"), .method(.post), .action(SiteURL.claimUpload(.value(claim.id)).path),
          .enctype(.multipartData),
          .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
          .namedSelect(
            "kind", id: "document-kind",
            ClaimAssessmentDocuments.kinds(missingFirst: claim.progress.missingDocuments).map { code in
              .choice(code, RequiredDocument.label(code).text(for: language))
            }),
          .input(
            .type(.file), .name("file"), .id("document-file"), .required(true),
            .attribute(named: "accept", value: "application/pdf,image/jpeg,image/png")),
          .button(.type(.submit), .id("upload"), .text(text("上传扫描件", "Upload scan"))))
        : .empty
      guard !forms.isEmpty || canUpload else { return .empty }
      return .section(.class("actions"), .h2(.text(text("办理", "Act"))), .group(forms), upload)
    }

    private func documents() -> Node<HTML.BodyContext> {
      .section(
        .h2(.text(text("申请材料", "Documents"))),
        .if(
          !model.claim.progress.missingDocuments.isEmpty,
          .p(
            .class("notice notice-bad"),
            .text(
              text("尚缺：", "Missing: ")
                + model.claim.progress.missingDocuments.map { RequiredDocument.label($0).text(for: language) }
                .joined(separator: "、")))),
        .ul(
          .class("plain-list"),
          .forEach(model.documents) { document in
            .li(
              .a(
                .href(SiteURL.api(.document(.value(document.id))).path),
                .text("\(RequiredDocument.label(document.kind).text(for: language))：\(document.fileName)")),
              .span(.class("muted"), .text(" \(document.format.rawValue.uppercased()) · \(document.size / 1024) KB")))
          }))
    }

    private func history() -> Node<HTML.BodyContext> {
      .section(
        .h2(.text(text("办理记录", "History"))),
        .table(
          .class("data-table"),
          .thead(
            .tr(
              .th(.text(text("时间", "When"))), .th(.text(text("经办人", "Who"))), .th(.text(text("来源", "From"))),
              .th(.text(text("操作", "Action"))), .th(.text(text("状态", "State"))), .th(.text(text("说明", "Note"))))),
          .tbody(
            .forEach(model.history) { entry in
              .tr(
                .td(.text(Layout.timestamp(entry.at))), .td(.text(entry.actor)), .td(.text(entry.address ?? "")),
                .td(.text(Self.actionLabel(entry.action).text(for: language))),
                .td(.text(entry.to.label.text(for: language))), .td(.text(note(entry))))
            })))
    }

    /// An entry's note as people read it: an attachment's is stored as `kind: file name`
    /// (`certificate: 诊断证明.png`) and shows the document's name.
    private func note(_ entry: ClaimHistoryEntry) -> String {
      guard let note = entry.note else { return "" }
      guard entry.action == "attach", let colon = note.range(of: ": ") else { return note }
      let kind = String(note[..<colon.lowerBound])
      return "\(RequiredDocument.label(kind).text(for: language))：\(note[colon.upperBound...])"
    }

    private func messages() -> Node<HTML.BodyContext> {
      .section(
        .h2(.text(text("短信通知", "Text messages"))),
        .if(model.outbox.isEmpty, .p(.class("muted"), .text(text("暂无。", "None yet.")))),
        .ul(
          .class("plain-list"),
          .forEach(model.outbox) { message in
            .li(
              .text(message.text),
              .span(
                .class("muted"),
                .text(" → \(message.phone.map { PersonalDataMask.phone($0) } ?? text("无手机号", "no phone"))")))
          }))
    }

    /// A paid claim's story: whether the worker consented (online, or on the signed form the
    /// window records here) and whether it is shown; staff choose stories on the stories page.
    private func story() -> Node<HTML.BodyContext> {
      guard StoryConsent.mayConsent(to: model.claim) else { return .empty }
      let consent = model.detail.storyConsent
      let given = consent?.isGiven == true
      let state: String =
        switch consent {
        case let consent? where consent.isPublic:
          text("职工已同意（\(consent.consentedBy)），案例正在展示", "Consent given (\(consent.consentedBy)); the story is shown")
        case let consent? where consent.isGiven:
          text("职工已同意（\(consent.consentedBy)），尚未选用展示", "Consent given (\(consent.consentedBy)); not shown yet")
        case .some: text("职工已撤回同意", "The worker took consent back")
        case nil: text("职工未同意展示本案例", "No consent to telling this story")
        }
      return .section(
        .id("claim-story"),
        .h2(.text(text("案例展示", "Story"))),
        .p(.id("claim-story-state"), .text(state)),
        .if(
          model.detail.mayRecordStoryConsent && viewer != nil,
          .form(
            .class("inline-form"), .method(.post), .action(SiteURL.claimStory(.value(model.claim.id)).path),
            .input(.type(.hidden), .name(CSRF.field), .value(viewer?.csrfToken ?? "")),
            .input(.type(.hidden), .name("consent"), .value(given ? "no" : "yes")),
            .button(
              .type(.submit), .id("claim-story-record"),
              .text(
                given
                  ? text("登记职工撤回同意", "Record the worker's withdrawal")
                  : text("登记职工书面同意（已签署同意书）", "Record the signed consent form"))))))
    }

    /// A paid claim found wrong: its recovery's state, or (for approvers and finance) the form
    /// that opens one.
    private func recovery() -> Node<HTML.BodyContext> {
      if let recovery = model.detail.recovery {
        return .section(
          .id("claim-recovery"),
          .h2(.text(text("追回", "Recovery"))),
          .p(
            .span(.class("badge"), .text(recovery.status.label.text(for: language))),
            .text(
              text(
                " 应追回 \(recovery.amountDue.formatted)，已收回 \(recovery.recovered.formatted)（\(recovery.reason.label.zh)：\(recovery.note)） ",
                " \(recovery.amountDue.formatted) due, \(recovery.recovered.formatted) back (\(recovery.reason.label.en): \(recovery.note)) "
              )),
            .a(.href(SiteURL.recoveryPage(.value(recovery.id)).path), .text(text("追回详情", "Details")))))
      }
      guard model.detail.mayOpenRecovery, let viewer else { return .empty }
      return .section(
        .id("claim-recovery"),
        .h2(.text(text("追回", "Recovery"))),
        .p(
          .class("muted"),
          .text(
            text(
              "已支付的申请经查实有误（重复支付、材料不实、医保重新结算、多付）时发起追回：申请人将收到短信，其限额恢复；收回的款项在追回详情页登记。",
              "When a paid claim is found wrong (paid twice, false documents, re-settled, overpaid), open a recovery: the member is told by text and their caps are given back; money paid back is recorded on the recovery's page."
            ))),
        .form(
          .class("inline-form"), .method(.post), .action(SiteURL.claimRecovery(.value(model.claim.id)).path),
          .data(named: "confirm", value: text("确认发起追回？将通知申请人。", "Open the recovery? The member is told.")),
          .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
          .namedSelect(
            "reason", id: "recovery-reason",
            Recovery.Reason.allCases.map { .choice($0.rawValue, $0.label.text(for: language)) }),
          .input(
            .type(.text), .name("amount"), .id("recovery-amount"), .attribute(named: "inputmode", value: "decimal"),
            .placeholder(text("金额（元，空为全额 \(model.claim.payable.decimalString)）", "Amount (yuan; empty: all)"))),
          .input(
            .type(.text), .name("note"), .id("recovery-note"), .required(true),
            .attribute(named: "maxlength", value: "200"), .placeholder(text("查实的情况", "What was found"))),
          .button(.type(.submit), .id("open-recovery"), .text(text("发起追回", "Open recovery")))))
    }

    static func actionLabel(_ action: String) -> LocalizedText {
      switch action {
      case "open": LocalizedText(zh: "登记受理", en: "opened")
      case "update": LocalizedText(zh: "修改信息", en: "updated")
      case "attach": LocalizedText(zh: "上传材料", en: "document added")
      case "submit": LocalizedText(zh: "提交", en: "submitted")
      case "open_submit": LocalizedText(zh: "登记并提交受理", en: "opened and submitted")
      case "return": LocalizedText(zh: "退回补件", en: "returned")
      case "review": LocalizedText(zh: "初审", en: "reviewed")
      case "approve": LocalizedText(zh: "审批", en: "approved")
      case "reject": LocalizedText(zh: "不予给付", en: "rejected")
      case "appeal": LocalizedText(zh: "申诉", en: "appealed")
      case "adjust": LocalizedText(zh: "调整金额", en: "amount adjusted")
      case "start_payment": LocalizedText(zh: "发起支付", en: "sent for payment")
      case "mark_paid": LocalizedText(zh: "支付成功", en: "paid")
      case "mark_payment_failed": LocalizedText(zh: "支付失败", en: "payment failed")
      case "payment_returned": LocalizedText(zh: "银行退汇", en: "returned by the bank")
      case "recovery_opened": LocalizedText(zh: "发起追回", en: "recovery opened")
      case "recovery_repaid": LocalizedText(zh: "追回收款", en: "recovery repaid")
      case "assign": LocalizedText(zh: "分派审核", en: "assigned for review")
      case "unassign": LocalizedText(zh: "收回分派", en: "taken back from its reviewer")
      default: LocalizedText(zh: action, en: action)
      }
    }

    private func figure(_ value: String, _ label: String) -> Node<HTML.BodyContext> {
      .div(.class("figure"), .span(.class("figure-value"), .text(value)), .span(.class("figure-label"), .text(label)))
    }
  }
}

extension ClaimQueuePage {
  struct View: LocalizedView {
    let model: Model
    let language: DisplayLanguage
    var viewer: Viewer? = nil

    func html() -> HTML {
      let filter = model.filter
      let pager = Pager(
        path: SiteURL.claimQueue.path, page: model.claims, language: language, query: filter.parameters)
      return Layout(
        title: text("理赔工作台", "Claims queue"), language: language, currentPath: SiteURL.claimQueue.path, viewer: viewer,
        content: .group(
          .p(
            .class("page-links"),
            .a(.href(SiteURL.messages.path), .id("messages-link"), .text(text("短信发送情况", "Text messages"))),
            .if(
              viewer?.may(.approveClaims) == true,
              .group(
                .text(" · "),
                .a(
                  .href(SiteURL.storiesManage.path), .id("stories-link"),
                  .text(text("互助故事选用", "Choosing stories")))))),
          .nav(
            .class("tabs"), .id("queue-stages"),
            .forEach(Stage.allCases) { stage in
              var target = filter
              target.stage = stage
              return stage == filter.stage
                ? .strong(.text(stage.label.text(for: language)))
                : .a(.href(target.path), .text(stage.label.text(for: language)))
            }),
          .form(
            .class("inline-form"), .id("queue-filter"), .method(.get), .action(SiteURL.claimQueue.path),
            .input(.type(.hidden), .name("stage"), .value(filter.stage.rawValue)),
            .input(
              .type(.search), .name("q"), .id("queue-q"), .value(filter.search),
              .attribute(named: "maxlength", value: "40"),
              .placeholder(text("申请号、姓名、身份证号或手机号", "Claim number, name, ID number or phone")),
              .attribute(named: "aria-label", value: text("查找", "Find"))),
            .namedSelect(
              "due", id: "queue-due",
              [.choice("", text("不限时限", "Any deadline"))]
                + Deadline.allCases.map {
                  .choice($0.rawValue, $0.label.text(for: language), selected: filter.deadline == $0)
                }),
            .namedSelect(
              "sort", id: "queue-sort",
              QueueOrder.allCases.map { .choice($0.rawValue, orderLabel($0), selected: filter.order == $0) }),
            .namedSelect(
              "who", id: "queue-who",
              [.choice("", text("不限审核人", "Anyone's"))]
                + Who.allCases.filter { $0 != .mine || viewer?.may(.reviewClaims) == true }.map {
                  .choice($0.rawValue, $0.label.text(for: language), selected: filter.who == $0)
                }),
            .button(.type(.submit), .text(text("筛选", "Filter")))),
          .unwrap(model.notice) {
            .p(
              .class("notice notice-good"), .id("queue-notice"), .attribute(named: "role", value: "status"),
              .text($0.text(for: language)))
          },
          .unwrap(model.error) {
            .p(
              .class("notice notice-bad"), .id("queue-error"), .attribute(named: "role", value: "alert"),
              .text($0.text(for: language)))
          },
          .if(
            model.page.searchCut,
            .p(
              .class("notice"),
              .text(
                text(
                  "匹配的职工过多，只按前 \(PageQuery.maximumPerPage) 人查找；请输入更完整的姓名或身份证号。",
                  "The search matched too many people; only the first \(PageQuery.maximumPerPage) are looked at.")))),
          model.claims.items.isEmpty
            ? .p(.class("muted"), .id("queue-empty"), .text(text("没有符合条件的申请。", "No claim matches.")))
            : .group(
              pager.range,
              assigning ? assignForm() : .empty,
              .div(
                .class("table-scroll"),
                .table(
                  .class("data-table"), .id("queue"),
                  .thead(
                    .tr(
                      .if(
                        assigning,
                        .th(
                          .input(
                            .type(.checkbox), .id("queue-check-all"), .data(named: "check-all", value: "claims[]"),
                            .attribute(named: "aria-label", value: text("全选本页", "Tick the whole page"))))),
                      .th(.text(text("申请号", "Claim"))), .th(.text(text("职工", "Member"))),
                      .th(.text(text("单位", "Unit"))), .th(.text(text("状态", "State"))),
                      .th(.class("number"), .text(text("金额", "Amount"))), .th(.text(text("受理日", "Received"))),
                      .th(.text(text("时限", "Due"))), .th(.text(text("审核人", "Reviewer"))),
                      .th(.text(text("提醒", "Flag"))))),
                  .tbody(
                    .forEach(model.claims.items) { entry in
                      let claim = entry.claim
                      return .tr(
                        .if(
                          assigning,
                          .td(
                            .if(
                              ClaimAssignment.states.contains(claim.state),
                              .input(
                                .type(.checkbox), .name("claims[]"), .value(claim.id.description),
                                .id("pick-\(claim.number)"), .attribute(named: "form", value: "assign-form"),
                                .attribute(named: "aria-label", value: claim.number))))),
                        .td(.a(.href(SiteURL.claimPage(.value(claim.id)).path), .text(claim.number))),
                        .td(.text(entry.memberName ?? "—")),
                        .td(.text(entry.unitName ?? text("个人参保", "on their own"))),
                        .td(.text(claim.state.label.text(for: language))),
                        .td(.class("number amount"), .text(claim.payable.formatted)),
                        .td(.class("date"), .text(claim.createdOn.description)),
                        .td(.class("date"), .text(claim.dueOn?.description ?? "—")),
                        .td(.class("assignee"), .text(entry.assignee?.name ?? "—")),
                        .td(flags(claim)))
                    }))),
              pager.node)
        )
      ).html()
    }

    /// Whether the page offers to share out its claims: the viewer leads reviewers and some
    /// claim on the page waits for review.
    private var assigning: Bool {
      !model.reviewers.isEmpty && model.claims.items.contains { ClaimAssignment.states.contains($0.claim.state) }
    }

    /// The ticked claims given to a reviewer, or taken back. The boxes in the table belong to
    /// this form by their `form` attribute (a form cannot hold the table and the filter both).
    private func assignForm() -> Node<HTML.BodyContext> {
      guard let viewer else { return .empty }
      return .form(
        .class("inline-form"), .id("assign-form"), .method(.post), .action(SiteURL.claimAssign.path),
        .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
        .input(.type(.hidden), .name("back"), .value(model.filter.path)),
        .label(.for("assign-reviewer"), .text(text("将勾选的申请分派给", "Give the ticked claims to"))),
        .namedSelect(
          "reviewer", id: "assign-reviewer",
          model.reviewers.map { .choice($0.id.description, $0.displayName) }
            + [.choice("none", text("收回（不分派）", "nobody (take back)"))]),
        .button(.type(.submit), .class("primary"), .id("assign-submit"), .text(text("分派", "Assign"))))
    }

    private func orderLabel(_ order: QueueOrder) -> String {
      switch order {
      case .due: text("加急优先、时限最近在前", "Expedited, then soonest due")
      case .amount: text("金额从高到低", "Largest amount first")
      case .received: text("受理最早在前", "Oldest first")
      }
    }

    private func flags(_ claim: ClaimRecord) -> Node<HTML.BodyContext> {
      .group(
        .if(claim.expedited, .span(.class("badge badge-expedited"), .text(text("加急", "expedited")))),
        .unwrap(claim.deadline(on: model.today)) { state in
          .span(
            .class("badge badge-\(state.rawValue)"), .text(state.label.text(for: language)))
        },
        .if(!claim.duplicates.isEmpty, .span(.class("badge badge-overdue"), .text(text("疑似重复", "possible duplicate")))))
    }
  }
}
