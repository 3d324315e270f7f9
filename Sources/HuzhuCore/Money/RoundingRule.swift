/// How a fraction of a fen becomes a whole fen. Each scheme declares its rule; half-up is
/// the default because it is what union finance staff do by hand.
public enum RoundingRule: String, Codable, Sendable, CaseIterable {
  /// 0.5 fen and above away from zero (四舍五入).
  case halfUp = "half_up"
  /// Ties to the even fen (banker's rounding).
  case halfEven = "half_even"
  /// Toward zero: never pays a fraction the rule did not earn (舍去).
  case down
  /// Away from zero (进位).
  case up

  /// `numerator / denominator` rounded to an integer by this rule. `denominator` > 0.
  public func divide(_ numerator: Int64, by denominator: Int64) -> Int64 {
    precondition(denominator > 0, "rounding needs a positive denominator")
    return adjust(quotient: numerator / denominator, remainder: numerator % denominator, denominator: denominator)
  }

  /// Rounds a truncated quotient given its remainder (which has the dividend's sign).
  func adjust(quotient: Int64, remainder: Int64, denominator: Int64) -> Int64 {
    precondition(denominator > 0, "rounding needs a positive denominator")
    if remainder == 0 { return quotient }
    let awayFromZero: Int64 = remainder < 0 ? -1 : 1
    let twiceRemainder = remainder.magnitude * 2
    switch self {
    case .down:
      return quotient
    case .up:
      return quotient + awayFromZero
    case .halfUp:
      return twiceRemainder >= denominator.magnitude ? quotient + awayFromZero : quotient
    case .halfEven:
      if twiceRemainder > denominator.magnitude { return quotient + awayFromZero }
      if twiceRemainder < denominator.magnitude { return quotient }
      return quotient % 2 == 0 ? quotient : quotient + awayFromZero
    }
  }
}
