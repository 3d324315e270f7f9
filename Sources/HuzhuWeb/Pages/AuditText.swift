import HuzhuCore

/// The audit log's entries as a Chinese page reads them. Entries are stored as written when
/// they happened (in English, the chain's hashes cover them, exports keep them); the page puts
/// their subjects' kinds, the fixed phrases and the routes of page and API changes in Chinese.
enum AuditText {
  /// "account:ay-window" → "账号 ay-window"; "POST /claims/:id/act" → "提交 申请/:id/办理";
  /// "claim:<id>" → "申请 LP-ANYANG-2020-000007" when `names` knows the subject by its number.
  static func subject(_ subject: String, _ language: DisplayLanguage, names: [String: String] = [:]) -> String {
    guard language == .zh else { return names[subject].map { "\(subject.prefix { $0 != ":" }) \($0)" } ?? subject }
    if let space = subject.firstIndex(of: " "), let method = methods[String(subject[..<space])] {
      return method + " " + route(String(subject[subject.index(after: space)...]))
    }
    guard let colon = subject.firstIndex(of: ":"), let kind = kinds[String(subject[..<colon])] else {
      return kinds[subject] ?? subject
    }
    return kind + " " + (names[subject] ?? String(subject[subject.index(after: colon)...]))
  }

  /// The detail with its fixed phrases in Chinese (names, numbers and reasons as typed).
  static func detail(_ detail: String, _ language: DisplayLanguage) -> String {
    guard language == .zh else { return detail }
    if let whole = phrases[detail] { return whole }
    var text = detail
    for (english, chinese) in fragments where text.contains(english) {
      text = text.replacingOccurrences(of: english, with: chinese)
    }
    return text
  }

  private static func route(_ path: String) -> String {
    path.split(separator: "/", omittingEmptySubsequences: true).map { segments[String($0)] ?? String($0) }
      .joined(separator: "/")
  }

  private static let methods = ["POST": "提交", "PUT": "修改", "PATCH": "修改", "DELETE": "删除"]

  private static let kinds: [String: String] = [
    "account": "账号", "claim": "申请", "worker": "职工", "settlement": "结算记录", "settlements": "结算来源",
    "settlement-source": "结算来源", "payment_batch": "支付批次", "bill": "缴费单", "unit": "单位", "takeover": "承接",
    "receipt": "收据", "payment": "缴费", "organisation": "组织", "fund": "基金", "certificate": "保障书",
    "renewal": "续保", "refund": "退费", "refunds": "退费", "document": "材料", "portal": "职工端", "audit_log": "审计日志",
    "recovery": "追回", "correction": "更正", "scheme": "方案", "holidays": "节假日", "claims": "申请",
  ]

  private static let segments: [String: String] = [
    "api": "接口", "v1": "v1", "accounts": "账号", "unlock": "解锁", "password": "密码", "claims": "申请",
    "act": "办理", "actions": "办理", "adjust": "调整金额", "adjustment": "调整金额", "upload": "上传材料",
    "documents": "材料", "new": "新建", "workers": "职工", "units": "单位", "organisations": "组织", "roster": "花名册",
    "enroll": "参保", "bills": "缴费单", "payments": "支付", "settle": "银行回单", "return": "退汇", "funds": "基金",
    "receipts": "收据", "void": "作废", "reissue": "重开", "corrections": "更正", "decision": "审批", "refunds": "退费",
    "transfer": "转账", "recoveries": "追回", "recovery": "追回", "repayments": "收款", "settlements": "一站式结算",
    "records": "记录", "schemes": "方案", "renewals": "续保", "imports": "导入", "details": "单位信息",
    "headcount": "职工人数", "outreach": "走访", "pairings": "包联", "visits": "走访", "transfers": "调动",
    "certificates": "保障书", "withdrawal": "退保", "bank-account": "银行账户", "second-factor": "两步验证",
    "holidays": "节假日", "targets": "目标", "year-end": "年终", "settle-all": "全部到账", "answers": "银行回盘文件",
    "assign": "分派",
  ]

  /// Whole details written by the sign-in, account and data-view steps.
  private static let phrases: [String: String] = [
    "wrong password": "密码错误", "unknown or disabled": "账号不存在或已停用", "locked": "已锁定",
    "unlocked": "已解锁", "two-factor reset": "两步验证已重置", "two-factor removed": "两步验证已取消",
    "two-factor enrolled": "两步验证已启用", "password reset": "密码已重置", "own password changed": "本人修改密码",
    "wrong one-time code": "动态码错误", "password and one-time code": "密码及动态码", "password": "密码",
    "ID number, phone, bank account": "身份证号、手机号、银行账户", "printable certificate": "打印保障书",
    "self-service claim": "职工自助申请", "no match": "身份证号与手机号不匹配",
    "held back from this address": "该地址暂被限制登录",
  ]

  /// Fixed parts of details that carry names, numbers or reasons.
  private static let fragments: [(String, String)] = [
    (" lines marked paid at once, total ", " 笔一次登记为已到账，合计 "), ("bank answer file ", "银行回盘文件 "),
    (" withheld lines confirmed", " 笔全额抵扣随文件确认"), (" paid (", " 笔到账（"), (" failed, ", " 笔失败，"),
    (" claims assigned to ", " 件申请分派给 "), (" claims taken back from their reviewers", " 件申请收回（不分派）"),
    ("printable certificates of ", "打印保障书，缴费单 "),
    (": diagnosis, hospital, costs, member's details, documents", "：诊断、医院、费用、参保人信息、材料"),
    (" payees' names and bank accounts", " 名收款人的姓名及银行账户"), ("payer and amount of ", "缴费人及金额，"),
    ("exception closed: ", "异常已处理："), ("settlement feed: ", "结算数据推送："), ("settlement file ", "结算文件 "),
    ("matched again: ", "重新匹配："), ("recovery opened: ", "发起追回："), ("recovery repaid: ", "追回收款："),
    ("refund paid: ", "退费已付："), ("period closed", "期间已结账"), ("opening balance ", "期初余额 "),
    ("receipt reissued as ", "收据重开为 "), (" facts changed: ", " 信息修改："), (" returned by the bank ", " 银行退汇 "),
    ("year-end renewal of ", "年度续保 "), (" units: ", " 家单位："), ("updated by import: ", "导入更新："),
    ("imported: ", "导入："), ("created: ", "创建："), ("roster import into ", "花名册导入 "),
    ("took over the cover of ", "承接参保 "), (" members (sheet ", " 人（文件 "), ("scan ", "材料 "), (" of claim:", "，申请 "),
    ("settlement source for scheme ", "结算来源，方案 "), (" entries", " 条"), ("all periods", "全部期间"),
    (": diagnoses, costs", "：诊断、费用"), ("transfer ", "调动 "), ("from ", "自 "), (" until ", " 至 "),
    ("an unknown address", "未知地址"), (" to unit:", " 至单位 "),
  ]
}
