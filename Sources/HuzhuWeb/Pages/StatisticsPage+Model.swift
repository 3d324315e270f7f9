import HuzhuApp
import HuzhuCore
import Vapor

/// The statistics leaders read: for one organisation node (and everything under it), one
/// period and optionally one scheme, the indicators, the charts and every table, each table
/// downloadable as CSV or Excel. Drill-down is a link to the same page for a child node.
enum StatisticsPage {
  /// What the address asks for; anything unreadable is reported next to its field and the
  /// default used instead.
  struct Query: Equatable {
    var organisationID: Organisation.ID?
    var from: CalendarDate
    var to: CalendarDate
    var schemeCode: String?
    var problems: [FieldError] = []
    /// Whether the address named a start (without one, the report starts when the schemes did).
    var fromGiven = false

    /// From everything on record to today, by default.
    static let earliest = CalendarDate(year: 2000, month: 1, day: 1)!

    /// - Parameter years: the longest period a report covers (``InputLimits/reportYears``); a
    ///   longer one is cut to its last `years` years, with a problem shown on `to`.
    static func parse(_ request: Request, today: CalendarDate, years: Int) -> Query {
      var query = Query(organisationID: nil, from: earliest, to: today, schemeCode: nil)
      if let text = request.query[String.self, at: "org"], !text.isEmpty {
        if let id = UUID(uuidString: text) {
          query.organisationID = .init(id)
        } else {
          query.problems.append(
            FieldError(
              field: "org", code: "invalid", message: LocalizedText(zh: "机构编号无效", en: "not an organisation")))
        }
      }
      for (field, keyPath) in [("from", \Query.from), ("to", \Query.to)] {
        guard let text = request.query[String.self, at: field], !text.isEmpty else { continue }
        if let date = CalendarDate(text) {
          query[keyPath: keyPath] = date
          if field == "from" { query.fromGiven = true }
        } else {
          query.problems.append(
            FieldError(
              field: field, code: "invalid_date",
              message: LocalizedText(zh: "日期格式应为 2020-11-30", en: "a date is written 2020-11-30")))
        }
      }
      if query.to < query.from {
        query.problems.append(
          FieldError(
            field: "to", code: "before_from",
            message: LocalizedText(zh: "截止日期不能早于起始日期", en: "the end cannot be before the start")))
        query.to = query.from
      }
      let longest = ReportPeriod(from: query.from, to: query.to)
      if longest?.isLonger(thanYears: years) == true {
        if query.fromGiven { query.problems.append(ReportPeriod.tooLong(years: years)) }
        query.from = Self.start(of: years, endingOn: query.to)
      }
      if let code = request.query[String.self, at: "scheme"], !code.isEmpty { query.schemeCode = code }
      return query
    }

    /// The first day of the `years` years that end on `end`.
    static func start(of years: Int, endingOn end: CalendarDate) -> CalendarDate {
      end.adding(years: -years).adding(days: 1)
    }

    /// The query string for the same report of another node (or the same one).
    func string(organisation: Organisation.ID? = nil, extra: [(String, String)] = []) -> String {
      var items: [(String, String)] = []
      if let id = organisation ?? organisationID { items.append(("org", id.description)) }
      items.append(("from", from.description))
      items.append(("to", to.description))
      if let schemeCode { items.append(("scheme", schemeCode)) }
      items += extra
      return "?"
        + items.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? $0.1)" }
        .joined(separator: "&")
    }
  }

  struct Model {
    let query: Query
    let root: Organisation
    /// The nodes the reader may pick, parents before children, with their depth.
    let nodes: [(depth: Int, organisation: Organisation)]
    /// From the root down to the report's node, for the breadcrumbs.
    let path: [Organisation]
    let schemes: [StoredScheme]
    let period: ReportPeriod
    let report: StatisticsReport
    /// The schemes' funds (a fund is the whole scheme's, not an area's): nil when the reader
    /// does not see funds.
    let fund: FundBalance?
    let ranking: [TargetAchievement]
    let names: StatisticsReport.Names

    /// - Parameter unitLimit: how many units to list one by one (nil: all of them, for the
    ///   export; a province has 20,000).
    static func load(_ request: Request, query: Query, today: CalendarDate, unitLimit: Int? = unitsOnPage)
      async throws -> Model
    {
      let reports = try request.reports
      var query = query
      if !query.fromGiven, let start = Self.firstCover(of: try await reports.reachableSchemes()), start <= query.to {
        query.from = max(start, Query.start(of: request.services.limits.reportYears, endingOn: query.to))
      }
      let statistics = try await reports.statistics(
        node: query.organisationID, period: ReportPeriod(from: query.from, to: query.to)!, scheme: query.schemeCode,
        unitLimit: unitLimit)
      return Model(
        query: query, root: statistics.root, nodes: try request.actor.visibleTree, path: statistics.path,
        schemes: statistics.schemes, period: statistics.period, report: statistics.report,
        fund: statistics.fund, ranking: statistics.ranking, names: statistics.names)
    }

    /// The units table on the page shows the largest; its export has every unit.
    static let unitsOnPage = 100

    /// Every table of the page, in its order; the export finds a table here by its id.
    /// `whole`: every row (for a file) rather than what the page shows.
    func tables(english: Bool, whole: Bool = false) -> [ReportTable] {
      let organisationNames = Dictionary(
        nodes.map {
          (
            $0.organisation.id,
            LocalizedText(zh: $0.organisation.name, en: $0.organisation.nameEn ?? $0.organisation.name)
          )
        },
        uniquingKeysWith: { first, _ in first })
      var tables = [
        report.indicatorTable(fund: fund),
        report.areaTable(english: english) { group in
          nodes.first { $0.organisation.code == group.key }.map {
            SiteURL.statistics.path + query.string(organisation: $0.organisation.id)
          }
        },
        report.monthTable(english: english),
        report.payerTable(english: english),
        report.benefitTable(english: english, names: names),
        report.rejectionTable(english: english),
        report.sectorTable(english: english),
        report.genderTable(english: english),
        report.unitTable(english: english, limit: whole ? nil : Self.unitsOnPage) {
          SiteURL.unit(.value($0.unitID)).path
        },
      ]
      if !ranking.isEmpty {
        tables.insert(TargetRanking.table(ranking, names: organisationNames, english: english), at: 1)
      }
      return tables
    }

    /// The first day any scheme's cover could start: where "everything" begins.
    static func firstCover(of schemes: [StoredScheme]) -> CalendarDate? {
      schemes.flatMap { $0.definition.products.flatMap { $0.versions.map(\.coverageStarting.from) } }.min()
    }

    /// Quick periods: everything, this year, last year, and each scheme's first year.
    func presets(today: CalendarDate) -> [(label: LocalizedText, from: CalendarDate, to: CalendarDate)] {
      var result: [(label: LocalizedText, from: CalendarDate, to: CalendarDate)] = [
        (LocalizedText(zh: "全部", en: "All"), Self.firstCover(of: schemes) ?? Query.earliest, today),
        (LocalizedText(zh: "今年", en: "This year"), CalendarDate(year: today.year, month: 1, day: 1)!, today),
        (
          LocalizedText(zh: "去年", en: "Last year"), CalendarDate(year: today.year - 1, month: 1, day: 1)!,
          CalendarDate(year: today.year - 1, month: 12, day: 31)!
        ),
      ]
      for scheme in schemes {
        guard let start = scheme.definition.products.flatMap({ $0.versions.map(\.coverageStarting.from) }).min() else {
          continue
        }
        result.append(
          (
            LocalizedText(
              zh: "\(scheme.definition.scheme.name) 首年",
              en: "\(scheme.definition.scheme.nameEn ?? scheme.code), first year"),
            start, start.adding(years: 1).adding(days: -1)
          ))
      }
      return result
    }
  }
}

extension Request {
  var reports: Reports {
    get throws { Reports(services, actor: try actor) }
  }
}
