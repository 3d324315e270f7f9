import HuzhuCore
import Plot

extension CertificatePage {
  /// An A4 sheet: the print stylesheet drops the site's frame and keeps only the certificate.
  struct View: LocalizedView {
    let model: Model
    let language: DisplayLanguage
    var viewer: Viewer? = nil
    var notice: LocalizedText? = nil
    var error: LocalizedText? = nil
    var publicAddress: String? = nil

    func html() -> HTML {
      let certificate = model.certificate
      let enrollment = model.enrollment
      let number = enrollment.certificateNumber
      return Layout(
        title: text("互助金保障书", "Mutual aid certificate"), language: language,
        currentPath: SiteURL.certificate(.value(number)).path, viewer: viewer,
        content: .group(
          .unwrap(notice) {
            .div(.class("notice notice-good no-print"), .id("certificate-notice"), .text($0.text(for: language)))
          },
          .unwrap(error) {
            .div(
              .class("notice notice-bad no-print"), .id("certificate-error"),
              .attribute(named: "role", value: "alert"), .text($0.text(for: language)))
          },
          .p(
            .class("no-print"),
            .text(text("打印时仅输出下方保障书（A4）。", "Printing outputs only the certificate below (A4)."))),
          .if(
            enrollment.status == .withdrawn,
            .div(
              .class("notice notice-bad"), .id("certificate-void"),
              .text(
                text(
                  "本保障书已作废：保障已撤销（参保作废或退保），缴费按付款方退还。",
                  "This certificate is void: the cover was withdrawn (enrolled in error, or withdrawn), its contributions refunded to their payers."
                )))),
          CertificateSheet(
            certificate: certificate, today: model.today, language: language, publicAddress: publicAddress
          ).node(),
          withdrawalForm()
        )
      ).html()
    }

    /// Whoever records payments asks for the cover's withdrawal here; finance approves it in
    /// the corrections queue (unless the scheme waives four eyes).
    private func withdrawalForm() -> Node<HTML.BodyContext> {
      guard let viewer, viewer.may(.recordPayments), model.enrollment.status != .withdrawn else { return .empty }
      let number = model.enrollment.certificateNumber
      return .section(
        .class("no-print card"),
        .h2(.text(text("撤销保障", "Withdraw the cover"))),
        .p(
          .class("muted"),
          .text(
            text(
              "参保登记有误（人员、产品或份数录错）选“参保作废”；本人在规则允许的期限内申请退保选“退保”。经另一人复核后，保障书作废、缴费单相应调减，各付款方多缴部分生成退费。已有申请的保障不能撤销。",
              "Enrolled in error (the wrong person, product or shares): an enrollment void; the member withdrawing within the days the rules allow: a withdrawal. Once a second person approves, the certificate is void, the bill owes less, and each payer gets back what they paid beyond it. Cover with a claim cannot be withdrawn."
            ))),
        .form(
          .method(.post), .action(SiteURL.certificateWithdrawal(.value(number)).path), .id("withdrawal-form"),
          .data(named: "confirm", value: text("确认提交撤销保障申请？", "Ask for the cover to be withdrawn?")),
          .input(.type(.hidden), .name(CSRF.field), .value(viewer.csrfToken)),
          .div(
            .class("field"),
            .label(.for("withdrawal-kind"), .text(text("类型", "Kind"))),
            .namedSelect(
              "kind", id: "withdrawal-kind",
              [Correction.Kind.enrollmentVoid, .withdrawal].map { .choice($0.rawValue, $0.label.text(for: language)) })),
          .div(
            .class("field"),
            .label(.for("withdrawal-reason"), .text(text("原因", "Reason"))),
            .input(
              .type(.text), .id("withdrawal-reason"), .name("reason"), .required(true),
              .attribute(named: "maxlength", value: "200"))),
          .div(
            .class("field"),
            .label(
              .for("refund-bank"), .text(text("退款开户行（单位或代缴人，可不填）", "Refund bank (unit or third party, optional)"))),
            .input(
              .type(.text), .id("refund-bank"), .name("refundBankName"), .attribute(named: "maxlength", value: "60"))),
          .div(
            .class("field"),
            .label(
              .for("refund-account"), .text(text("退款账号（不填则用单位登记的账户）", "Refund account (else the unit's on file)"))),
            .input(
              .type(.text), .id("refund-account"), .name("refundBankAccount"),
              .attribute(named: "inputmode", value: "numeric"),
              .attribute(named: "maxlength", value: "40"))),
          .button(
            .type(.submit), .class("danger"), .id("withdrawal-submit"), .text(text("提交撤销申请", "Ask for the withdrawal")))
        ))
    }
  }
}

/// One certificate as printed: an A4 sheet, on its own page when several print together.
struct CertificateSheet: LocalizedView {
  let certificate: Certificate
  let today: CalendarDate
  let language: DisplayLanguage
  /// The site's public address: the sheet's QR code opens the certificate's verification page.
  var publicAddress: String? = nil

  var verifyURL: String? {
    publicAddress.map {
      "\($0)\(SiteURL.verifyCertificate.path)?number=\(certificate.enrollment.certificateNumber)"
    }
  }

  func node() -> Node<HTML.BodyContext> {
    let enrollment = certificate.enrollment
    let number = enrollment.certificateNumber
    return
      .article(
        .class("certificate"),
        .header(
          .class("certificate-head"),
          .p(.class("certificate-scheme"), .text(certificate.schemeName)),
          .h2(.text(text("互助金保障书", "Mutual Aid Certificate"))),
          .p(.class("certificate-number"), .text(text("编号：", "No. ") + number))),
        .dl(
          .class("certificate-fields"),
          field(text("参保人", "Member"), certificate.holderName),
          field(text("身份证号", "ID number"), certificate.holderIDNumber.masked),
          field(text("参保单位", "Unit"), certificate.unitName ?? text("个人参保", "Individual enrollment")),
          field(text("保障项目", "Product"), certificate.productName.text(for: language)),
          field(text("份数", "Shares"), String(enrollment.shares)),
          field(
            text("保障期间", "Period"),
            text(
              "\(enrollment.period.start) 至 \(enrollment.period.end)",
              "\(enrollment.period.start) to \(enrollment.period.end)")),
          field(
            text("保障起始", "Cover from"),
            enrollment.coverFrom?.description ?? text("缴费后生效", "once the contribution is paid")),
          field(text("状态", "Status"), enrollment.coverState(on: today).label.text(for: language)),
          field(text("规则版本", "Rule version"), enrollment.versionLabel)),
        .footer(
          .class("certificate-foot"),
          .unwrap(verifyURL.flatMap { try? QRCode.encode($0).svg }) { svg in
            .div(
              .class("certificate-qr"),
              .div(.class("qr-code"), .raw(svg)),
              .p(.class("muted"), .text(text("扫码查验真伪", "Scan to verify"))))
          },
          .p(
            .text(
              text(
                "申请互助金时请携带本保障书。真伪可凭编号在本系统“保障书查验”页面查询。",
                "Bring this certificate when you claim. Anyone can check it by its number on the verification page."
              ))),
          .p(.class("muted"), .text(text("经办日期：", "Enrolled on: ") + enrollment.enrolledOn.description))))
  }

  private func field(_ label: String, _ value: String) -> Node<HTML.DescriptionListContext> {
    .group(.dt(.text(label)), .dd(.text(value)))
  }
}

extension VerifyPage {
  struct View: LocalizedView {
    let model: Model
    let language: DisplayLanguage
    var viewer: Viewer? = nil

    func html() -> HTML {
      Layout(
        title: text("保障书查验", "Verify a certificate"), language: language,
        currentPath: SiteURL.verifyCertificate.path, viewer: viewer,
        content: .group(
          .form(
            .class("inline-form"), .method(.get), .action(SiteURL.verifyCertificate.path),
            .label(.for("number"), .text(text("保障书编号", "Certificate number"))),
            .input(
              .type(.text), .id("number"), .name("number"), .value(model.number ?? ""),
              .placeholder("ANYANG-2019-000001"), .required(true),
              .attribute(named: "maxlength", value: "40")),
            .button(.type(.submit), .text(text("查验", "Check")))),
          result()
        )
      ).html()
    }

    private func result() -> Node<HTML.BodyContext> {
      guard let number = model.number else {
        return .p(
          .class("muted"),
          .text(text("输入保障书上的编号，查询其是否真实有效。", "Enter the number printed on a certificate to check it.")))
      }
      guard let found = model.found else {
        return .div(
          .class("notice notice-bad"),
          .text(text("未找到编号为“\(number)”的保障书。", "No certificate has the number \"\(number)\".")))
      }
      let enrollment = found.enrollment
      let verdict =
        enrollment.status == .withdrawn
        ? text("该保障书已作废（保障已撤销）。", "This certificate is void: the cover was withdrawn.")
        : found.inForce
          ? text("该保障书真实有效，今日在保障期内。", "Genuine, and in force today.")
          : text("该保障书真实，但今日不在保障期内。", "Genuine, but not in force today.")
      return .div(
        .class(found.inForce ? "notice notice-good" : "notice"),
        .p(.strong(.text(verdict))),
        .p(
          .text(
            "\(enrollment.certificateNumber) · \(PersonName.masked(found.certificate.holderName)) · "
              + "\(found.certificate.productName.text(for: language)) · \(enrollment.period.start)–\(enrollment.period.end) · "
              + enrollment.coverState(on: found.today).label.text(for: language))))
    }
  }
}
