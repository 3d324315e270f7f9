import Foundation

/// One line of the audit log (append-only in the database). Who did what to which record,
/// from where, when: sign-ins and failures, data changes, exports, views of personal data.
public struct AuditEvent: Sendable, Hashable, Identifiable {
  public typealias ID = Identifier<AuditEvent>

  public let id: ID
  public let at: Date
  public let kind: AuditKind
  /// The username, or `worker:<id>` in the worker portal, or the name typed at a failed sign-in.
  public let actor: String
  public let organisationID: Organisation.ID?
  /// What was touched: `claim:<id>`, `worker:<id>`, `POST /api/v1/…`.
  public let subject: String
  public let detail: String
  public let address: String?

  public init(
    id: ID = ID(), at: Date, kind: AuditKind, actor: String, organisationID: Organisation.ID? = nil,
    subject: String, detail: String = "", address: String? = nil
  ) {
    self.id = id
    self.at = at
    self.kind = kind
    self.actor = actor
    self.organisationID = organisationID
    self.subject = subject
    self.detail = detail
    self.address = address
  }
}

public enum AuditKind: String, Sendable, Codable, CaseIterable {
  case login
  case loginFailed = "login_failed"
  case accountLocked = "account_locked"
  case logout
  case dataChange = "data_change"
  case export
  case personalDataView = "personal_data_view"
  case accountChange = "account_change"
  case portalLogin = "portal_login"

  public var label: LocalizedText {
    switch self {
    case .login: LocalizedText(zh: "登录", en: "Sign-in")
    case .loginFailed: LocalizedText(zh: "登录失败", en: "Failed sign-in")
    case .accountLocked: LocalizedText(zh: "账号锁定", en: "Account locked")
    case .logout: LocalizedText(zh: "退出", en: "Sign-out")
    case .dataChange: LocalizedText(zh: "数据变更", en: "Data change")
    case .export: LocalizedText(zh: "导出", en: "Export")
    case .personalDataView: LocalizedText(zh: "查看个人信息", en: "Personal data viewed")
    case .accountChange: LocalizedText(zh: "账号变更", en: "Account change")
    case .portalLogin: LocalizedText(zh: "职工登录", en: "Worker portal sign-in")
    }
  }
}

/// Filters for reading the log; newest first.
public struct AuditQuery: Sendable, Equatable {
  public var kind: AuditKind?
  public var actor: String?
  public var from: Date?
  public var until: Date?

  public init(kind: AuditKind? = nil, actor: String? = nil, from: Date? = nil, until: Date? = nil) {
    self.kind = kind
    self.actor = actor
    self.from = from
    self.until = until
  }
}

public protocol AuditStore: Sendable {
  func record(_ event: AuditEvent) async throws
  func events(_ query: AuditQuery, page: PageQuery) async throws -> PagedResult<AuditEvent>
}
