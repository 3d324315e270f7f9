import Fluent

/// Every migration, in order. Append only: a released migration is never edited, a change
/// is a new numbered migration.
public enum HuzhuMigrations {
  public static var all: [any Migration] {
    [
      M001_CreateRegistry(),
      M002_CreateAccounts(),
      M003_WorkerDetails(),
      M004_EnrollmentAndFund(),
      M005_Claims(),
      M006_OpenPairingPerWorker(),
      M007_AccessControl(),
      // Vapor's session table (`_fluent_sessions`), for the web application's sign-in.
      SessionRecord.migration,
      M008_Statistics(),
      M009_StatisticsAggregates(),
      M010_MonthAggregates(),
      M011_IndividualMembers(),
      M012_ClaimReplays(),
      M013_PersonsPaid(),
      M014_HeadcountsAndRejections(),
      M015_FundBalanceIndex(),
      M016_ReplayFacts(),
      M017_RedundantIndexes(),
      M018_Tenancy(),
      M019_WriteGate(),
      M020_AuditChain(),
      M021_SecondFactor(),
      M022_InstallationFacts(),
      M023_FundPeriods(),
      M024_TakenOverClaims(),
      M025_Settlements(),
      M026_PaymentReturns(),
      M027_Corrections(),
      M028_Recoveries(),
      M029_CorrectionsFixed(),
      M030_EnrollmentVoids(),
      M031_ReplayedRefusals(),
      M032_MemberPrices(),
      M033_PartialClaimIndexes(),
      M034_ClaimAssignments(),
      M035_Messages(),
      M036_ClaimStories(),
      M037_AccountChanges(),
      M038_ClusteredReplays(),
      M039_ClaimStays(),
    ]
  }

  public static func register(on migrations: Migrations) {
    migrations.add(all)
  }
}
