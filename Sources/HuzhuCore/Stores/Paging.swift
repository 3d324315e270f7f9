/// Which slice of a long list to return. Pages count from 1.
public struct PageQuery: Hashable, Sendable {
  public static let maximumPerPage = 200
  /// Far past any list's end, and small enough that the offset cannot overflow.
  public static let maximumPage = 10_000_000

  public let page: Int
  public let per: Int

  /// Out-of-range values are clamped rather than rejected: a page number from a stale link
  /// should still show something.
  public init(page: Int = 1, per: Int = 50) {
    self.page = min(max(1, page), Self.maximumPage)
    self.per = min(max(1, per), Self.maximumPerPage)
  }

  public var offset: Int { (page - 1) * per }
}

public struct PagedResult<Item: Sendable>: Sendable {
  public let items: [Item]
  public let request: PageQuery
  public let total: Int

  public init(items: [Item], request: PageQuery, total: Int) {
    self.items = items
    self.request = request
    self.total = total
  }

  public var pageCount: Int { max(1, (total + request.per - 1) / request.per) }
}

extension PagedResult: Encodable where Item: Encodable {
  private enum CodingKeys: String, CodingKey { case items, page, per, total, pageCount }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(items, forKey: .items)
    try container.encode(request.page, forKey: .page)
    try container.encode(request.per, forKey: .per)
    try container.encode(total, forKey: .total)
    try container.encode(pageCount, forKey: .pageCount)
  }
}
