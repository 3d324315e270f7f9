import Foundation

/// Validates a ``SchemeDefinition`` and compiles it. An invalid definition is rejected
/// whole, with every problem found: its path in the document (`products[0].versions[1]…`),
/// a code, and a message in Chinese and English.
public enum SchemeCompiler {
  public static func compile(_ definition: SchemeDefinition) throws(ValidationFailure) -> CompiledScheme {
    var context = Context()
    let scheme = context.compile(definition)
    guard context.errors.isEmpty, let scheme else { throw ValidationFailure(context.errors) }
    return scheme
  }

  private struct Context {
    var errors: [FieldError] = []
    var classes: [String: (list: String, definition: DiseaseClassDefinition)] = [:]
    var listClasses: [String: Set<String>] = [:]
    var rounding = RoundingRule.halfUp
    var schemePerPeriod: Money?
    var subjectCodes: [String] = []
    var subjectIndex: [String: SubjectCode] = [:]

    /// The interned form of a disease-class or category code.
    mutating func intern(_ code: String) -> SubjectCode {
      if let existing = subjectIndex[code] { return existing }
      let subject = SubjectCode(index: Int32(subjectCodes.count))
      subjectCodes.append(code)
      subjectIndex[code] = subject
      return subject
    }

    mutating func fail(_ path: String, _ code: String, zh: String, en: String) {
      errors.append(FieldError(field: path, code: code, message: LocalizedText(zh: zh, en: en)))
    }

    mutating func requireCode(_ value: String, at path: String) {
      if value.isEmpty || value.count > 64 || value.contains(where: { $0.isWhitespace }) {
        fail(path, "invalid_code", zh: "编码不能为空、不能含空格且不超过64字", en: "a code must be 1–64 characters without spaces")
      }
    }

    /// Every amount of a scheme lies in 0…``SchemeDefinition/largestAmount``: summed over a
    /// unit's members or times a stay's days, a larger one could pass 64 bits and stop the
    /// process.
    mutating func requireAmount(_ money: Money?, at path: String) {
      guard let money else { return }
      if money.isNegative {
        fail(path, "negative_amount", zh: "金额不能为负数", en: "an amount cannot be negative")
      } else if money > SchemeDefinition.largestAmount {
        let largest = SchemeDefinition.largestAmount.decimalString
        fail(path, "amount_too_large", zh: "金额不能超过 \(largest) 元", en: "an amount cannot exceed \(largest)")
      }
    }

    mutating func requireRate(_ rate: Rate, at path: String) {
      if rate.isNegative {
        fail(path, "negative_rate", zh: "比例不能为负数", en: "a rate cannot be negative")
      } else if Rate.one < rate {
        fail(path, "rate_above_100", zh: "比例不能超过100%", en: "a rate cannot exceed 100%")
      }
    }

    mutating func requirePositive(_ value: Int?, at path: String) {
      if let value, value < 1 {
        fail(path, "not_positive", zh: "应为正整数", en: "must be a positive whole number")
      }
    }

    mutating func compile(_ definition: SchemeDefinition) -> CompiledScheme? {
      requireCode(definition.scheme.code, at: "scheme.code")
      if definition.scheme.name.trimmingCharacters(in: .whitespaces).isEmpty {
        fail("scheme.name", "missing_name", zh: "方案名称不能为空", en: "the scheme needs a name")
      }
      requireAmount(definition.scheme.limits?.perPeriod, at: "scheme.limits.perPeriod")
      rounding = definition.scheme.rounding ?? .halfUp
      schemePerPeriod = definition.scheme.limits?.perPeriod

      for (listIndex, list) in (definition.diseaseLists ?? []).enumerated() {
        let path = "diseaseLists[\(listIndex)]"
        requireCode(list.code, at: "\(path).code")
        if listClasses[list.code] != nil {
          fail(
            "\(path).code", "duplicate_list", zh: "病种目录编码“\(list.code)”重复",
            en: "the list code \"\(list.code)\" is repeated")
        }
        var codes: Set<String> = []
        for (classIndex, diseaseClass) in list.classes.enumerated() {
          let classPath = "\(path).classes[\(classIndex)].code"
          requireCode(diseaseClass.code, at: classPath)
          if classes[diseaseClass.code] != nil {
            fail(
              classPath, "duplicate_class", zh: "病种编码“\(diseaseClass.code)”在方案中重复",
              en: "the disease class \"\(diseaseClass.code)\" appears twice in the scheme")
          }
          classes[diseaseClass.code] = (list.code, diseaseClass)
          codes.insert(diseaseClass.code)
        }
        if list.classes.isEmpty {
          fail("\(path).classes", "empty_list", zh: "病种目录不能为空", en: "a disease list needs at least one class")
        }
        listClasses[list.code] = codes
      }

      if definition.products.isEmpty {
        fail("products", "no_products", zh: "方案至少要有一个产品", en: "a scheme needs at least one product")
      }
      var productCodes: Set<String> = []
      var benefitOwners: [String: String] = [:]
      var products: [CompiledProduct] = []
      for (productIndex, product) in definition.products.enumerated() {
        let path = "products[\(productIndex)]"
        requireCode(product.code, at: "\(path).code")
        if !productCodes.insert(product.code).inserted {
          fail(
            "\(path).code", "duplicate_product", zh: "产品编码“\(product.code)”重复",
            en: "the product code \"\(product.code)\" is repeated")
        }
        if product.versions.isEmpty {
          fail("\(path).versions", "no_versions", zh: "产品至少要有一个规则版本", en: "a product needs at least one rule version")
        }
        var versions: [CompiledVersion] = []
        for (versionIndex, version) in product.versions.enumerated() {
          let versionPath = "\(path).versions[\(versionIndex)]"
          if let compiled = compile(version, at: versionPath, product: product.code, benefitOwners: &benefitOwners) {
            versions.append(compiled)
          }
        }
        checkOverlaps(product.versions, at: path)
        versions.sort { $0.from < $1.from }
        products.append(
          CompiledProduct(
            code: product.code, name: LocalizedText(zh: product.name, en: product.nameEn ?? product.name),
            versions: versions, position: products.count))
      }
      for (productIndex, product) in definition.products.enumerated() {
        for (versionIndex, version) in product.versions.enumerated() {
          for (index, other) in (version.enrollment?.exclusiveWith ?? []).enumerated()
          where other == product.code || !productCodes.contains(other) {
            fail(
              "products[\(productIndex)].versions[\(versionIndex)].enrollment.exclusiveWith[\(index)]",
              "unknown_product",
              zh: "互斥产品“\(other)”不存在或就是本产品", en: "the exclusive product \"\(other)\" does not exist or is this product")
          }
        }
      }
      let claims = definition.scheme.claims
      if let days = claims?.workingDays, !(0...60).contains(days) {
        fail("scheme.claims.workingDays", "invalid_days", zh: "办结时限应为0–60个工作日", en: "the promise is 0–60 working days")
      }
      var approvalByKind: [BenefitDefinition.Kind: [OrganisationKind]] = [:]
      for (kind, levels) in claims?.approvalByKind ?? [:] {
        guard let parsed = BenefitDefinition.Kind(rawValue: kind) else {
          fail(
            "scheme.claims.approvalByKind.\(kind)", "unknown_kind", zh: "没有“\(kind)”这种给付类型",
            en: "no benefit kind \"\(kind)\" (hospital, lump_sum, allowance, accident, death)")
          continue
        }
        approvalByKind[parsed] = levels
      }
      var claimsPolicy = ClaimsPolicy(
        workingDays: claims?.workingDays ?? 10,
        approval: ApprovalPolicy(default: claims?.approval ?? [], byKind: approvalByKind))
      if let oneStop = claims?.oneStop {
        if let supplies = oneStop.supplies {
          if supplies.contains(where: { $0.isEmpty || $0.count > 40 }) {
            fail(
              "scheme.claims.oneStop.supplies", "invalid_document", zh: "材料代码应为1–40个字符",
              en: "a document code is 1–40 characters")
          }
          claimsPolicy.oneStop.supplies = supplies
        }
        if let straight = oneStop.straightThrough {
          requireAmount(straight.upTo, at: "scheme.claims.oneStop.straightThrough.upTo")
          if let sample = straight.sample, sample < Rate(0, over: 1) || sample > Rate(1, over: 1) {
            fail(
              "scheme.claims.oneStop.straightThrough.sample", "invalid_rate", zh: "抽检比例应为0%–100%",
              en: "the sample is 0%–100%")
          }
          claimsPolicy.oneStop.straightThroughUpTo = straight.upTo
          claimsPolicy.oneStop.sample = straight.sample ?? Rate(0, over: 1)
        }
      }
      guard errors.isEmpty else { return nil }
      return CompiledScheme(
        claimsPolicy: claimsPolicy,
        definition: definition, rounding: definition.scheme.rounding ?? .halfUp,
        overallPerPeriod: definition.scheme.limits?.perPeriod, products: products, diseaseClasses: classes,
        subjectCodes: subjectCodes)
    }

    mutating func checkOverlaps(_ versions: [RuleVersionDefinition], at path: String) {
      let ordered = versions.enumerated().sorted { $0.element.coverageStarting.from < $1.element.coverageStarting.from }
      for (previous, next) in zip(ordered, ordered.dropFirst()) {
        let previousEnd = previous.element.coverageStarting.to
        if previousEnd == nil || previousEnd! >= next.element.coverageStarting.from {
          fail(
            "\(path).versions[\(next.offset)].coverageStarting", "overlapping_versions",
            zh: "规则版本“\(next.element.version)”与“\(previous.element.version)”的适用期间重叠",
            en: "rule version \"\(next.element.version)\" overlaps \"\(previous.element.version)\"")
        }
      }
    }

    /// Benefit codes name the same benefit in every version of a product, so that history
    /// carries over when rules change; two products may not share one.
    mutating func compile(
      _ version: RuleVersionDefinition, at path: String, product: String, benefitOwners: inout [String: String]
    ) -> CompiledVersion? {
      let errorCount = errors.count
      if let to = version.coverageStarting.to, to < version.coverageStarting.from {
        fail(
          "\(path).coverageStarting.to", "range_reversed", zh: "结束日期早于开始日期",
          en: "the range ends before it starts")
      }
      if let contribution = version.contribution {
        requireAmount(contribution.perShare, at: "\(path).contribution.perShare")
        if let months = contribution.periodMonths, !(1...36).contains(months) {
          fail("\(path).contribution.periodMonths", "invalid_period", zh: "保障期应为1–36个月", en: "a period is 1–36 months")
        }
        compile(contribution, at: "\(path).contribution")
      }
      if let enrollment = version.enrollment {
        if let window = enrollment.window, let to = window.to, to < window.from {
          fail(
            "\(path).enrollment.window.to", "range_reversed", zh: "结束日期早于开始日期", en: "the range ends before it starts")
        }
        if let share = enrollment.minParticipation { requireRate(share, at: "\(path).enrollment.minParticipation") }
        if let bands = enrollment.minParticipationBySize {
          let at = "\(path).enrollment.minParticipationBySize"
          if enrollment.minParticipation != nil {
            fail(
              at, "ambiguous_participation", zh: "minParticipation 与 minParticipationBySize 只能写一个",
              en: "give minParticipation or minParticipationBySize, not both")
          }
          if bands.isEmpty { fail(at, "empty_list", zh: "档次列表不能为空", en: "the bands cannot be empty") }
          var previous = 0
          for (index, band) in bands.enumerated() {
            requireRate(band.share, at: "\(at)[\(index)].share")
            let isLast = index == bands.count - 1
            if let below = band.headcountBelow {
              if isLast {
                fail(
                  "\(at)[\(index)].headcountBelow", "last_band_closed",
                  zh: "最后一档不能写 headcountBelow（须适用于更大的单位）",
                  en: "the last band has no headcountBelow (it takes every larger unit)")
              }
              if below <= previous {
                fail(
                  "\(at)[\(index)].headcountBelow", "bands_not_increasing", zh: "各档人数须递增且大于0",
                  en: "the headcounts must increase and be positive")
              }
              previous = below
            } else if !isLast {
              fail(
                "\(at)[\(index)].headcountBelow", "open_band_not_last", zh: "只有最后一档可以不写 headcountBelow",
                en: "only the last band may leave out headcountBelow")
            }
          }
        }
        requirePositive(enrollment.everyoneWhenHeadcountBelow, at: "\(path).enrollment.everyoneWhenHeadcountBelow")
        if let days = enrollment.lateJoinerDays, days < 0 {
          fail("\(path).enrollment.lateJoinerDays", "invalid_days", zh: "天数不能为负", en: "days cannot be negative")
        }
        if let days = enrollment.withdrawalDays, !(0...366).contains(days) {
          fail(
            "\(path).enrollment.withdrawalDays", "invalid_days", zh: "退保期限应为0–366天",
            en: "the withdrawal days are 0–366")
        }
      }
      var shares = 1...1
      if let definition = version.shares {
        if definition.min < 1 || definition.max < definition.min || definition.max > 10 {
          fail("\(path).shares", "invalid_shares", zh: "份数范围应满足 1 ≤ 最少 ≤ 最多 ≤ 10", en: "shares need 1 ≤ min ≤ max ≤ 10")
        } else {
          shares = definition.min...definition.max
        }
      }
      if let eligibility = version.eligibility {
        for (value, field) in [
          (eligibility.ageFrom, "ageFrom"), (eligibility.ageUnder, "ageUnder"),
          (eligibility.ageUnderByGender?.male, "ageUnderByGender.male"),
          (eligibility.ageUnderByGender?.female, "ageUnderByGender.female"),
        ] {
          if let value, !(0...120).contains(value) {
            fail("\(path).eligibility.\(field)", "invalid_age", zh: "年龄应在0–120之间", en: "an age is 0–120")
          }
        }
        if let from = eligibility.ageFrom, let under = eligibility.ageUnder, under <= from {
          fail("\(path).eligibility.ageUnder", "empty_age_range", zh: "年龄上限应大于下限", en: "ageUnder must exceed ageFrom")
        }
        if eligibility.genders?.isEmpty == true {
          fail("\(path).eligibility.genders", "empty_list", zh: "性别列表不能为空", en: "genders cannot be empty")
        }
      }
      if let waiting = version.waitingPeriod {
        if waiting.days < 0 || waiting.days > 730 {
          fail("\(path).waitingPeriod.days", "invalid_days", zh: "等待期应为0–730天", en: "a waiting period is 0–730 days")
        }
        if let waived = waiting.waivedOnRenewalWithinDays, waived < 0 {
          fail(
            "\(path).waitingPeriod.waivedOnRenewalWithinDays", "invalid_days", zh: "天数不能为负",
            en: "days cannot be negative")
        }
      }
      if let deadline = version.claimDeadline {
        let forms = [deadline.days != nil, deadline.years != nil, deadline.nextYearBy != nil].filter { $0 }.count
        if forms != 1 {
          fail(
            "\(path).claimDeadline", "ambiguous_deadline", zh: "申请时限须且只能用 days、years、nextYearBy 之一",
            en: "a claim deadline takes exactly one of days, years, nextYearBy")
        }
        requirePositive(deadline.days, at: "\(path).claimDeadline.days")
        requirePositive(deadline.years, at: "\(path).claimDeadline.years")
        if let text = deadline.nextYearBy, DeadlineDefinition.monthDay(text) == nil {
          fail(
            "\(path).claimDeadline.nextYearBy", "invalid_month_day", zh: "应为“MM-DD”格式的日期，如 03-31",
            en: "expected a month and day as MM-DD, e.g. 03-31")
        }
      }
      let limits = compile(version.limits, at: "\(path).limits")
      if let productLimits = version.limits,
        productLimits.perClaim != nil || productLimits.maxPaidClaims != nil || productLimits.categories != nil
          || productLimits.minimumPerClaim != nil
      {
        fail(
          "\(path).limits", "benefit_limit_on_product",
          zh: "产品层级只能设置 perPeriod；单次封顶、最低给付、次数和类别限额请写在各保障责任的 limits 中",
          en:
            "a product takes only perPeriod; per-claim, minimum, count and category limits belong in each benefit's limits"
        )
      }
      if version.benefits.isEmpty {
        fail("\(path).benefits", "no_benefits", zh: "规则版本至少要有一项保障责任", en: "a version needs at least one benefit")
      }
      var benefits: [CompiledBenefit] = []
      // Which benefit of each kind takes which treatment category.
      var treatmentOwners: [BenefitDefinition.Kind: [String: String]] = [:]
      for (index, benefit) in version.benefits.enumerated() {
        for (position, treatment) in (benefit.treatments ?? []).enumerated() {
          let at = "\(path).benefits[\(index)].treatments[\(position)]"
          if let owner = treatmentOwners[benefit.kind]?[treatment], owner != benefit.code {
            fail(
              at, "treatment_in_two_benefits",
              zh: "治疗类别“\(treatment)”已由保障责任“\(owner)”给付：同类保障中一类治疗只能归一项",
              en: "the treatment \(treatment) is already paid under \(owner): one benefit of a kind per treatment")
          }
          treatmentOwners[benefit.kind, default: [:]][treatment] = benefit.code
        }
        if let treatments = benefit.treatments {
          if treatments.isEmpty {
            fail(
              "\(path).benefits[\(index)].treatments", "empty_list", zh: "治疗类别列表不能为空",
              en: "treatments cannot be empty")
          }
          for (position, treatment) in treatments.enumerated() {
            requireCode(treatment, at: "\(path).benefits[\(index)].treatments[\(position)]")
          }
        }
      }
      for (index, benefit) in version.benefits.enumerated() {
        let benefitPath = "\(path).benefits[\(index)]"
        requireCode(benefit.code, at: "\(benefitPath).code")
        if let owner = benefitOwners[benefit.code], owner != product {
          fail(
            "\(benefitPath).code", "benefit_in_two_products", zh: "保障责任编码“\(benefit.code)”已用于产品“\(owner)”",
            en: "the benefit code \"\(benefit.code)\" already belongs to product \"\(owner)\"")
        }
        benefitOwners[benefit.code] = product
        let leaves = benefit.treatments == nil ? (treatmentOwners[benefit.kind] ?? [:]).keys.sorted() : []
        if let compiled = compile(benefit, at: benefitPath, leaving: leaves) { benefits.append(compiled) }
      }
      if Set(version.benefits.map(\.code)).count != version.benefits.count {
        fail(
          "\(path).benefits", "duplicate_benefit", zh: "同一版本中保障责任编码重复", en: "benefit codes repeat within the version")
      }
      let exclusive = compileExclusive(version, at: path)
      guard errors.count == errorCount else { return nil }
      return CompiledVersion(
        label: version.version, from: version.coverageStarting.from, to: version.coverageStarting.to,
        contributionPerShare: version.contribution?.perShare,
        contributionSteps: (version.contribution?.continuity ?? []).map { ($0.fromYear, $0.perShare) },
        enrollment: version.enrollment,
        periodMonths: version.contribution?.periodMonths ?? 12,
        activation: version.contribution?.activation ?? .onPayment,
        shares: shares, eligibility: version.eligibility, waitingPeriod: version.waitingPeriod,
        continuityDays: version.waitingPeriod?.waivedOnRenewalWithinDays ?? 30, deadline: version.claimDeadline,
        limits: limits, requiredDocuments: version.requiredDocuments ?? [], benefits: benefits, rounding: rounding,
        schemePerPeriod: schemePerPeriod, exclusive: exclusive)
    }

    /// The version's groups of benefits not both paid, by the benefits' places.
    mutating func compileExclusive(_ version: RuleVersionDefinition, at path: String)
      -> [CompiledVersion.ExclusiveGroup]
    {
      var groups: [CompiledVersion.ExclusiveGroup] = []
      var grouped: Set<String> = []
      for (index, group) in (version.exclusive ?? []).enumerated() {
        let at = "\(path).exclusive[\(index)].benefits"
        if group.benefits.count < 2 {
          fail(at, "too_few_benefits", zh: "互不重复给付的保障责任至少两项", en: "an exclusive group needs two or more benefits")
        }
        var members: [Int] = []
        for (position, code) in group.benefits.enumerated() {
          guard let place = version.benefits.firstIndex(where: { $0.code == code }) else {
            fail(
              "\(at)[\(position)]", "unknown_benefit", zh: "本版本中没有保障责任“\(code)”",
              en: "the version has no benefit \"\(code)\"")
            continue
          }
          if !grouped.insert(code).inserted {
            fail(
              "\(at)[\(position)]", "benefit_in_two_groups", zh: "保障责任“\(code)”已在互不重复给付的一组中",
              en: "the benefit \(code) is already in an exclusive group")
          }
          members.append(place)
        }
        groups.append(CompiledVersion.ExclusiveGroup(members: members, choice: group.pay ?? .larger))
      }
      return groups
    }

    mutating func compile(_ limits: LimitsDefinition?, at path: String) -> CompiledLimits {
      guard let limits else { return .none }
      requireAmount(limits.perClaim, at: "\(path).perClaim")
      requireAmount(limits.perPeriod, at: "\(path).perPeriod")
      requireAmount(limits.minimumPerClaim, at: "\(path).minimumPerClaim")
      if let minimum = limits.minimumPerClaim, let perClaim = limits.perClaim, perClaim < minimum {
        fail(
          "\(path).minimumPerClaim", "minimum_above_cap",
          zh: "最低给付（\(minimum.formatted)）不能高于单次封顶（\(perClaim.formatted)）",
          en: "the minimum payment (\(minimum.formatted)) is above the per-claim cap (\(perClaim.formatted))")
      }
      requirePositive(limits.maxPaidClaims, at: "\(path).maxPaidClaims")
      if let perClaim = limits.perClaim, let perPeriod = limits.perPeriod, perPeriod < perClaim {
        fail(
          "\(path).perPeriod", "cap_below_claim_cap",
          zh: "年度封顶（\(perPeriod.formatted)）不能低于单次封顶（\(perClaim.formatted)）",
          en: "the period cap (\(perPeriod.formatted)) is below the per-claim cap (\(perClaim.formatted))")
      }
      var seen: Set<String> = []
      for (index, category) in (limits.categories ?? []).enumerated() {
        let categoryPath = "\(path).categories[\(index)]"
        requireCode(category.category, at: "\(categoryPath).category")
        if !seen.insert(category.category).inserted {
          fail(
            "\(categoryPath).category", "duplicate_category", zh: "类别“\(category.category)”重复",
            en: "the category is repeated")
        }
        requireAmount(category.perPeriod, at: "\(categoryPath).perPeriod")
        requirePositive(category.maxPaidClaims, at: "\(categoryPath).maxPaidClaims")
        if category.perPeriod == nil && category.maxPaidClaims == nil {
          fail(
            categoryPath, "empty_limit", zh: "类别限额须有 perPeriod 或 maxPaidClaims",
            en: "a category limit needs perPeriod or maxPaidClaims")
        }
      }
      return CompiledLimits(
        perClaim: limits.perClaim, perPeriod: limits.perPeriod, maxPaidClaims: limits.maxPaidClaims,
        categories: limits.categories ?? [], minimumPerClaim: limits.minimumPerClaim)
    }

    /// `leaving`: the treatment categories other benefits of its kind in the version take.
    mutating func compile(_ benefit: BenefitDefinition, at path: String, leaving: [String]) -> CompiledBenefit? {
      let limits = compile(benefit.limits, at: "\(path).limits")
      let present: [BenefitDefinition.Kind] = [
        benefit.hospital.map { _ in .hospital }, benefit.lumpSum.map { _ in .lumpSum },
        benefit.allowance.map { _ in .allowance }, benefit.accident.map { _ in .accident },
        benefit.death.map { _ in .death },
      ].compactMap { $0 }
      guard present == [benefit.kind] else {
        fail(
          path, "kind_mismatch", zh: "类型为“\(benefit.kind.rawValue)”的保障责任须且只能写 \(benefit.kind.fieldName) 一节",
          en: "a benefit of kind \(benefit.kind.rawValue) needs exactly its \(benefit.kind.fieldName) section")
        return nil
      }
      let name = LocalizedText(zh: benefit.name, en: benefit.nameEn ?? benefit.name)
      let rule: CompiledBenefit.Rule?
      switch benefit.kind {
      case .hospital: rule = compile(benefit.hospital!, at: "\(path).hospital").map(CompiledBenefit.Rule.hospital)
      case .lumpSum: rule = compile(benefit.lumpSum!, at: "\(path).lumpSum").map(CompiledBenefit.Rule.lumpSum)
      case .allowance: rule = compile(benefit.allowance!, at: "\(path).allowance").map(CompiledBenefit.Rule.allowance)
      case .accident: rule = compile(benefit.accident!, at: "\(path).accident").map(CompiledBenefit.Rule.accident)
      case .death: rule = compile(benefit.death!, at: "\(path).death").map(CompiledBenefit.Rule.death)
      }
      if benefit.genders?.isEmpty == true {
        fail("\(path).genders", "empty_list", zh: "性别列表不能为空", en: "genders cannot be empty")
      }
      if let settings = benefit.settings {
        if benefit.kind != .hospital && benefit.kind != .allowance {
          fail(
            "\(path).settings", "settings_not_for_kind", zh: "只有住院医疗和住院津贴类保障可以限定就诊类型",
            en: "only hospital and allowance benefits pay by care setting")
        } else if settings.isEmpty {
          fail("\(path).settings", "empty_list", zh: "就诊类型列表不能为空", en: "settings cannot be empty")
        } else if Set(settings).count != settings.count {
          fail("\(path).settings", "duplicate_setting", zh: "就诊类型重复", en: "a setting is listed twice")
        }
      }
      if let hospitals = benefit.hospitals { compile(hospitals, at: "\(path).hospitals") }
      let continuity = compile(benefit.continuity, of: benefit, rule: rule, at: "\(path).continuity")
      var codes = limits.categories.map(\.category) + (benefit.allowance?.excludedClasses ?? [])
      if let list = benefit.lumpSum?.list { codes += (listClasses[list] ?? []).sorted() }
      var subjects: [String: SubjectCode] = [:]
      for code in codes { subjects[code] = intern(code) }
      return rule.map {
        CompiledBenefit(
          code: benefit.code, name: name, genders: benefit.genders, rule: $0, limits: limits, subjects: subjects,
          requiredDocuments: benefit.requiredDocuments ?? [], treatments: benefit.treatments,
          leavesTreatments: leaving, settings: Self.settings(of: benefit), hospitals: benefit.hospitals,
          continuity: continuity)
      }
    }

    /// A continuity step's year (of a benefit's rewards or a contribution's prices): 2–100, and
    /// later than the step before (`previous`: 1 for the first). False, with the error, if not.
    mutating func checkStepYear(_ fromYear: Int, after previous: Int, at stepPath: String) -> Bool {
      if fromYear < 2 || fromYear > 100 {
        fail(
          "\(stepPath).fromYear", "from_year_out_of_range", zh: "连续参保年数应在 2–100 之间", en: "fromYear must be 2–100")
        return false
      }
      if fromYear <= previous {
        fail("\(stepPath).fromYear", "not_ascending", zh: "连续参保年数应逐级递增", en: "fromYear must increase step by step")
        return false
      }
      return true
    }

    /// Contribution steps: from the second year on, each longer than the one before, each price
    /// at most the one before it (a reward for staying, never a surcharge).
    mutating func compile(_ contribution: ContributionDefinition, at path: String) {
      guard let steps = contribution.continuity else { return }
      if steps.isEmpty {
        fail("\(path).continuity", "empty_list", zh: "连续参保缴费标准不能为空", en: "continuity cannot be empty")
      }
      var fromYear = 1
      var price = contribution.perShare
      for (index, step) in steps.enumerated() {
        let stepPath = "\(path).continuity[\(index)]"
        if checkStepYear(step.fromYear, after: fromYear, at: stepPath) { fromYear = step.fromYear }
        requireAmount(step.perShare, at: "\(stepPath).perShare")
        if price < step.perShare {
          fail(
            "\(stepPath).perShare", "price_raised", zh: "连续参保的缴费标准不能高于前一级（\(price.decimalString) 元）",
            en: "a longer membership cannot pay more than the step before (\(price.decimalString))")
        } else {
          price = step.perShare
        }
      }
    }

    /// Continuity steps: from the second year on, each longer than the one before, each
    /// rewarding something; a rate increase only on a hospital benefit, never lifting a rate
    /// past 100%.
    mutating func compile(
      _ steps: [ContinuityRewardDefinition]?, of benefit: BenefitDefinition, rule: CompiledBenefit.Rule?,
      at path: String
    ) -> [ContinuityReward] {
      guard let steps else { return [] }
      if steps.isEmpty { fail(path, "empty_list", zh: "连续参保奖励不能为空", en: "continuity cannot be empty") }
      var rewards: [ContinuityReward] = []
      for (index, step) in steps.enumerated() {
        let stepPath = "\(path)[\(index)]"
        guard checkStepYear(step.fromYear, after: rewards.last?.fromYear ?? 1, at: stepPath) else { continue }
        let rate = step.rateIncrease ?? .zero
        let cap = step.capIncrease ?? .zero
        requireAmount(step.capIncrease, at: "\(stepPath).capIncrease")
        if rate.isNegative || rate == .zero && cap.fen <= 0 || cap.fen < 0 {
          fail(
            stepPath, "empty_reward", zh: "每一级须提高比例（rateIncrease）或封顶线（capIncrease），且不能为负",
            en: "each step raises the rate (rateIncrease) or the caps (capIncrease), never lowers them")
          continue
        }
        if rate != .zero {
          guard benefit.kind == .hospital, case .hospital(let hospital)? = rule else {
            fail(
              "\(stepPath).rateIncrease", "rate_increase_not_for_kind", zh: "只有住院医疗类保障可以提高给付比例",
              en: "only a hospital benefit's rates can rise")
            continue
          }
          let schedules =
            [hospital.schedule] + hospital.overrides.compactMap(\.schedule)
            + hospital.hospitalOverrides.compactMap(\.schedule)
          let highest = schedules.map(\.highestRate).max() ?? .zero
          guard let raised = highest.adding(rate), !(Rate.one < raised) else {
            fail(
              "\(stepPath).rateIncrease", "rate_above_100", zh: "提高后的给付比例不能超过100%",
              en: "a raised rate cannot exceed 100%")
            continue
          }
        }
        rewards.append(ContinuityReward(fromYear: step.fromYear, rateIncrease: rate, capIncrease: cap))
      }
      return rewards
    }

    /// The care settings a benefit pays: as written; else stays and day cases for hospital and
    /// allowance benefits (every setting for one that names its treatments); any for the rest.
    static func settings(of benefit: BenefitDefinition) -> [CareSetting]? {
      if let settings = benefit.settings { return settings }
      guard benefit.kind == .hospital || benefit.kind == .allowance, benefit.treatments == nil else { return nil }
      return [.inpatient, .dayCase]
    }

    mutating func check(_ base: BaseDefinition, at path: String) {
      switch base {
      case .figure: break
      case .min(let parts), .max(let parts), .subtract(let parts):
        if parts.count < 2 {
          fail(
            path, "too_few_parts", zh: "min/max/subtract 至少需要两项", en: "min, max and subtract need at least two parts")
        }
        for (index, part) in parts.enumerated() { check(part, at: "\(path)[\(index)]") }
      }
    }

    mutating func compile(_ deductible: DeductibleDefinition?, at path: String) {
      requireAmount(deductible?.firstStay, at: "\(path).firstStay")
      requireAmount(deductible?.laterStays, at: "\(path).laterStays")
    }

    mutating func compile(_ hospital: HospitalBenefitDefinition, at path: String) -> HospitalRule? {
      let errorCount = errors.count
      check(hospital.base, at: "\(path).base")
      compile(hospital.deductible, at: "\(path).deductible")
      let schedule = compile(hospital.schedule, at: "\(path).schedule", nested: false)
      var overrides: [(category: MemberCategory, deductible: DeductibleDefinition?, schedule: CompiledSchedule?)] = []
      var seen: Set<MemberCategory> = []
      for (index, override) in (hospital.categoryOverrides ?? []).enumerated() {
        let overridePath = "\(path).categoryOverrides[\(index)]"
        if !seen.insert(override.category).inserted {
          fail("\(overridePath).category", "duplicate_category", zh: "人员类别重复", en: "the category is repeated")
        }
        if override.deductible == nil && override.schedule == nil {
          fail(
            overridePath, "empty_override", zh: "类别规则须有 deductible 或 schedule",
            en: "a category override needs a deductible or a schedule")
        }
        compile(override.deductible, at: "\(overridePath).deductible")
        let overrideSchedule = override.schedule.flatMap { compile($0, at: "\(overridePath).schedule", nested: false) }
        overrides.append((override.category, override.deductible, overrideSchedule))
      }
      var hospitalOverrides: [HospitalOverride] = []
      for (index, override) in (hospital.hospitalOverrides ?? []).enumerated() {
        let overridePath = "\(path).hospitalOverrides[\(index)]"
        compile(override.hospitals, at: "\(overridePath).hospitals")
        if override.deductible == nil && override.schedule == nil {
          fail(
            overridePath, "empty_override", zh: "医院规则须有 deductible 或 schedule",
            en: "a hospital override needs a deductible or a schedule")
        }
        compile(override.deductible, at: "\(overridePath).deductible")
        let overrideSchedule = override.schedule.flatMap { compile($0, at: "\(overridePath).schedule", nested: false) }
        hospitalOverrides.append(
          HospitalOverride(
            hospitals: CompiledHospitals(override.hospitals), definition: override.hospitals,
            deductible: override.deductible, schedule: overrideSchedule))
      }
      guard errors.count == errorCount, let schedule else { return nil }
      return HospitalRule(
        base: hospital.base, deductible: hospital.deductible, schedule: schedule, overrides: overrides,
        hospitalOverrides: hospitalOverrides)
    }

    /// Named levels or locations: not empty, each once, and at least one of the two named.
    mutating func compile(_ hospitals: HospitalsDefinition, at path: String) {
      if hospitals.levels == nil && hospitals.locations == nil {
        fail(
          path, "no_hospitals", zh: "须写出医院等级（levels）或所在地（locations）",
          en: "name the hospitals' levels or locations")
      }
      for (key, count, distinct) in [
        ("levels", hospitals.levels?.count, Set(hospitals.levels ?? []).count),
        ("locations", hospitals.locations?.count, Set(hospitals.locations ?? []).count),
      ] {
        guard let count else { continue }
        if count == 0 {
          fail("\(path).\(key)", "empty_list", zh: "列表不能为空", en: "the list cannot be empty")
        } else if distinct != count {
          fail("\(path).\(key)", "duplicate_entry", zh: "列表中有重复项", en: "the list repeats an entry")
        }
      }
    }

    mutating func compile(_ schedule: ScheduleDefinition, at path: String, nested: Bool) -> CompiledSchedule? {
      switch schedule {
      case .flat(let rate):
        requireRate(rate, at: "\(path).flat")
        return .flat(rate)
      case .progressive(let bands):
        return compile(bands, at: "\(path).progressive", fixedAmounts: false).map(CompiledSchedule.progressive)
      case .wholeAmount(let bands):
        return compile(bands, at: "\(path).wholeAmount", fixedAmounts: true).map(CompiledSchedule.wholeAmount)
      case .byStay(let stays):
        if nested {
          fail(path, "nested_by_stay", zh: "byStay 不能嵌套", en: "byStay cannot be nested")
          return nil
        }
        if stays.isEmpty {
          fail("\(path).byStay", "empty_list", zh: "byStay 不能为空", en: "byStay cannot be empty")
          return nil
        }
        var compiled: [(stay: Int, schedule: CompiledSchedule)] = []
        for (index, entry) in stays.enumerated() {
          let expected = index + 1
          if entry.stay != expected {
            fail(
              "\(path).byStay[\(index)].stay", "stay_sequence", zh: "住院次序应依次为 1、2、3…（此处应为 \(expected)）",
              en: "stays must be numbered 1, 2, 3… (expected \(expected))")
          }
          if let inner = compile(entry.schedule, at: "\(path).byStay[\(index)].schedule", nested: true) {
            compiled.append((entry.stay, inner))
          }
        }
        return compiled.count == stays.count ? .byStay(compiled) : nil
      }
    }

    /// `fixedAmounts`: whether a band may pay a fixed amount instead of a rate (a whole-amount
    /// schedule; in a progressive one each slice is paid at a rate).
    mutating func compile(_ bands: [BandDefinition], at path: String, fixedAmounts: Bool) -> [CompiledBand]? {
      guard !bands.isEmpty else {
        fail(path, "empty_list", zh: "分段不能为空", en: "bands cannot be empty")
        return nil
      }
      let errorCount = errors.count
      var lower: Int64 = 0
      var compiled: [CompiledBand] = []
      for (index, band) in bands.enumerated() {
        let bandPath = "\(path)[\(index)]"
        switch (band.rate, band.amount) {
        case (let rate?, nil): requireRate(rate, at: "\(bandPath).rate")
        case (nil, let amount?):
          requireAmount(amount, at: "\(bandPath).amount")
          if !fixedAmounts {
            fail(
              "\(bandPath).amount", "amount_in_progressive", zh: "定额（amount）只能用于全额分档（wholeAmount），超额累进的每段须写比例",
              en: "a fixed amount is for whole-amount bands only; each progressive band needs a rate")
          }
        default:
          fail(
            bandPath, "rate_or_amount", zh: "每段须写给付比例（rate）或定额（amount），且只写其一",
            en: "each band needs either a rate or a fixed amount, not both")
        }
        requireAmount(band.from, at: "\(bandPath).from")
        requireAmount(band.upTo, at: "\(bandPath).upTo")
        let rate = band.rate ?? .zero
        let amount = band.amount?.fen
        if let from = band.from, from.fen != lower {
          let expected = Money(fen: lower).decimalString
          if from.fen > lower {
            fail(
              "\(bandPath).from", "band_gap", zh: "分段之间有空档：上一段止于 \(expected)，本段却从 \(from.decimalString) 开始",
              en:
                "bands leave a gap: the previous band ends at \(expected) but this one starts at \(from.decimalString)")
          } else {
            fail(
              "\(bandPath).from", "band_overlap", zh: "分段重叠：上一段止于 \(expected)，本段却从 \(from.decimalString) 开始",
              en: "bands overlap: the previous band ends at \(expected) but this one starts at \(from.decimalString)")
          }
        }
        // "10,000（含）以上": the edge moves into this band, one fen below it (the band before
        // ends there). The first band's lower edge is 0, and a base of 0 pays nothing anyway.
        var includesLower = false
        if band.includesFrom == true {
          if band.from == nil {
            fail(
              "\(bandPath).includesFrom", "includes_from_without_from", zh: "写 includesFrom 时须同时写出本段的起点 from",
              en: "includesFrom needs the band's from written")
          } else if let previous = compiled.popLast() {
            compiled.append(previous.endingBelowUpper())
            includesLower = true
          }
        }
        let bandLower = includesLower ? lower - 1 : lower
        let isLast = index == bands.count - 1
        guard let upTo = band.upTo else {
          if !isLast {
            fail(
              "\(bandPath).upTo", "open_band_not_last", zh: "只有最后一段可以不设上限",
              en: "only the last band may be open-ended")
          }
          compiled.append(
            CompiledBand(lower: bandLower, upper: .max, rate: rate, amount: amount, includesLower: includesLower))
          continue
        }
        if upTo.fen <= lower {
          fail(
            "\(bandPath).upTo", "band_not_increasing", zh: "分段上限应逐段递增（须大于 \(Money(fen: lower).decimalString)）",
            en: "band limits must increase (above \(Money(fen: lower).decimalString))")
        }
        if isLast {
          fail(
            "\(bandPath).upTo", "band_gap_above",
            zh: "最后一段不应设上限，否则超过 \(upTo.decimalString) 的部分没有比例",
            en: "the last band must be open-ended, or amounts above \(upTo.decimalString) have no rate")
        }
        compiled.append(
          CompiledBand(lower: bandLower, upper: upTo.fen, rate: rate, amount: amount, includesLower: includesLower))
        lower = upTo.fen
      }
      return errors.count == errorCount ? compiled : nil
    }

    mutating func requireClass(_ code: String, in list: String?, at path: String) {
      if let list {
        if listClasses[list]?.contains(code) != true {
          fail(
            path, "unknown_class", zh: "病种“\(code)”不在目录“\(list)”中",
            en: "the class \"\(code)\" is not in the list \"\(list)\"")
        }
      } else if classes[code] == nil {
        fail(
          path, "unknown_class", zh: "病种“\(code)”不在方案的任何目录中",
          en: "the class \"\(code)\" is in none of the scheme's lists")
      }
    }

    mutating func compile(_ lumpSum: LumpSumDefinition, at path: String) -> LumpSumRule? {
      let errorCount = errors.count
      if listClasses[lumpSum.list] == nil {
        fail(
          "\(path).list", "unknown_list", zh: "病种目录“\(lumpSum.list)”不存在",
          en: "the disease list \"\(lumpSum.list)\" does not exist")
      }
      requireAmount(lumpSum.amount, at: "\(path).amount")
      var amounts: [String: Money] = [:]
      for (index, entry) in (lumpSum.classAmounts ?? []).enumerated() {
        requireClass(entry.class, in: lumpSum.list, at: "\(path).classAmounts[\(index)].class")
        requireAmount(entry.amount, at: "\(path).classAmounts[\(index)].amount")
        amounts[entry.class] = entry.amount
      }
      requireAmount(lumpSum.severityAmounts?.mild, at: "\(path).severityAmounts.mild")
      requireAmount(lumpSum.severityAmounts?.severe, at: "\(path).severityAmounts.severe")
      var previousDay = 0
      for (index, step) in (lumpSum.observation ?? []).enumerated() {
        let stepPath = "\(path).observation[\(index)]"
        if step.untilDay <= previousDay {
          fail(
            "\(stepPath).untilDay", "observation_not_increasing", zh: "观察期天数应逐级递增",
            en: "observation steps must end on increasing days")
        }
        previousDay = step.untilDay
        requireAmount(step.pay, at: "\(stepPath).pay")
        if lumpSum.amount < step.pay {
          fail(
            "\(stepPath).pay", "consolation_above_sum", zh: "观察期给付不能高于保障金额",
            en: "an observation payment cannot exceed the sum")
        }
      }
      guard errors.count == errorCount else { return nil }
      return LumpSumRule(
        list: lumpSum.list, classes: listClasses[lumpSum.list] ?? [], amount: lumpSum.amount, classAmounts: amounts,
        severityAmounts: lumpSum.severityAmounts,
        observation: lumpSum.observation ?? [], coverEndsAfterPayment: lumpSum.coverEndsAfterPayment ?? true)
    }

    mutating func compile(_ allowance: AllowanceDefinition, at path: String) -> AllowanceDefinition? {
      let errorCount = errors.count
      if allowance.perDay.fen <= 0 {
        fail("\(path).perDay", "not_positive", zh: "每日津贴应大于0", en: "the daily amount must be positive")
      } else if allowance.perDay > AllowanceDefinition.largestPerDay {
        // Times a stay's days (and shares), a daily amount of fifteen digits passed 64 bits and
        // stopped the process on the first allowance claim.
        fail(
          "\(path).perDay", "amount_too_large",
          zh: "每日津贴不能超过 \(AllowanceDefinition.largestPerDay.decimalString) 元",
          en: "the daily amount cannot exceed \(AllowanceDefinition.largestPerDay.decimalString)")
      }
      requirePositive(allowance.fromDay, at: "\(path).fromDay")
      requirePositive(allowance.staysLongerThan, at: "\(path).staysLongerThan")
      requirePositive(allowance.maxDaysPerStay, at: "\(path).maxDaysPerStay")
      if let bands = allowance.paidDaysByStay {
        let at = "\(path).paidDaysByStay"
        if allowance.fromDay != nil {
          fail(
            at, "paid_days_with_from_day", zh: "paidDaysByStay 与 fromDay 只能写一个",
            en: "give paidDaysByStay or fromDay, not both")
        }
        if bands.isEmpty { fail(at, "empty_list", zh: "档次列表不能为空", en: "the bands cannot be empty") }
        var previous = 0
        for (index, band) in bands.enumerated() {
          if band.days < 0 {
            fail("\(at)[\(index)].days", "negative_days", zh: "给付天数不能为负数", en: "the days paid cannot be negative")
          }
          for (key, value) in [("days", band.days), ("upTo", band.upTo ?? 0)]
          where value > AllowanceDefinition.longestStay {
            fail(
              "\(at)[\(index)].\(key)", "days_too_large",
              zh: "天数不能超过 \(AllowanceDefinition.longestStay)",
              en: "days cannot exceed \(AllowanceDefinition.longestStay)")
          }
          guard let upTo = band.upTo else {
            if index != bands.count - 1 {
              fail(
                "\(at)[\(index)].upTo", "open_band_not_last", zh: "只有最后一档可以不写 upTo",
                en: "only the last band may leave upTo out")
            }
            continue
          }
          if index == bands.count - 1 {
            fail(
              "\(at)[\(index)].upTo", "last_band_closed", zh: "最后一档不能写 upTo（须适用于更长的住院）",
              en: "the last band has no upTo (it takes every longer stay)")
          }
          if upTo <= previous {
            fail(
              "\(at)[\(index)].upTo", "bands_not_increasing", zh: "各档住院天数须递增且大于0",
              en: "the days must increase and be positive")
          }
          previous = upTo
        }
      }
      requirePositive(allowance.maxDaysPerPeriod, at: "\(path).maxDaysPerPeriod")
      for (index, code) in (allowance.excludedClasses ?? []).enumerated() {
        requireClass(code, in: nil, at: "\(path).excludedClasses[\(index)]")
      }
      return errors.count == errorCount ? allowance : nil
    }

    mutating func compile(_ death: DeathDefinition, at path: String) -> DeathDefinition? {
      let errorCount = errors.count
      if (death.amount == nil) == (death.madeUpTo == nil) {
        fail(
          path, "amount_or_made_up_to", zh: "身故保障须写定额（amount）或补足标准（madeUpTo），且只写其一",
          en: "a death benefit needs either an amount or a madeUpTo floor, not both")
      }
      requireAmount(death.amount, at: "\(path).amount")
      requireAmount(death.madeUpTo, at: "\(path).madeUpTo")
      return errors.count == errorCount ? death : nil
    }

    mutating func compile(_ accident: AccidentDefinition, at path: String) -> AccidentRule? {
      let errorCount = errors.count
      if accident.sumInsured.fen <= 0 {
        fail("\(path).sumInsured", "not_positive", zh: "保障金额应大于0", en: "the sum insured must be positive")
      } else {
        requireAmount(accident.sumInsured, at: "\(path).sumInsured")
      }
      var sums: [Int: Money] = [:]
      for (index, tier) in (accident.sumInsuredByRiskClass ?? []).enumerated() {
        if sums[tier.riskClass] != nil {
          fail(
            "\(path).sumInsuredByRiskClass[\(index)].riskClass", "duplicate_tier", zh: "风险等级重复",
            en: "the risk class is repeated")
        }
        requireAmount(tier.sumInsured, at: "\(path).sumInsuredByRiskClass[\(index)].sumInsured")
        sums[tier.riskClass] = tier.sumInsured
      }
      if let death = accident.death { requireRate(death, at: "\(path).death") }
      var grades: [Int: Rate] = [:]
      for (index, grade) in (accident.disabilityGrades ?? []).enumerated() {
        let gradePath = "\(path).disabilityGrades[\(index)]"
        if !(1...10).contains(grade.grade) {
          fail("\(gradePath).grade", "invalid_grade", zh: "伤残等级应为1–10级", en: "disability grades are 1–10")
        }
        if grades[grade.grade] != nil {
          fail("\(gradePath).grade", "duplicate_grade", zh: "伤残等级重复", en: "the grade is repeated")
        }
        requireRate(grade.rate, at: "\(gradePath).rate")
        grades[grade.grade] = grade.rate
      }
      if let medical = accident.medical {
        requireRate(medical.rate, at: "\(path).medical.rate")
        requireAmount(medical.cap, at: "\(path).medical.cap")
        requireAmount(medical.deductible, at: "\(path).medical.deductible")
      }
      guard errors.count == errorCount else { return nil }
      return AccidentRule(
        sumInsured: accident.sumInsured, sumByRiskClass: sums, death: accident.death ?? .one, disability: grades,
        medical: accident.medical)
    }
  }
}

extension BenefitDefinition.Kind {
  var fieldName: String {
    switch self {
    case .hospital: "hospital"
    case .lumpSum: "lumpSum"
    case .allowance: "allowance"
    case .accident: "accident"
    case .death: "death"
    }
  }
}

extension DeadlineDefinition {
  /// `03-31` → (3, 31).
  static func monthDay(_ text: String) -> (month: Int, day: Int)? {
    let parts = text.split(separator: "-")
    guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let month = Int(parts[0]),
      let day = Int(parts[1]),
      CalendarDate(year: 2000, month: month, day: day) != nil
    else { return nil }
    return (month, day)
  }
}
