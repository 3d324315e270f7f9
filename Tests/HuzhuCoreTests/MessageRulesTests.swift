import Foundation
import HuzhuCore
import Testing

@Suite("Text messages: retries, rate, kinds")
struct MessageRulesTests {
  let now = Date(timeIntervalSince1970: 1_800_000_000)

  @Test func aTemporaryFailureIsTriedAgainAfterEachWaitThenGivenUp() {
    let policy = MessageRetryPolicy.standard
    let busy = GatewayFailure(permanent: false, reason: "HTTP 503")
    let waits = (1..<policy.maximumAttempts).map { attempts -> TimeInterval? in
      guard case .retry(let at) = policy.decision(after: attempts, failure: busy, now: now, expiresAt: nil) else {
        return nil
      }
      return at.timeIntervalSince(now)
    }
    #expect(waits == [30, 120, 600, 1800, 7200, 21600])
    #expect(policy.maximumAttempts == 7)
    #expect(policy.decision(after: 7, failure: busy, now: now, expiresAt: nil) == .giveUp)
    #expect(policy.decision(after: 0, failure: busy, now: now, expiresAt: nil) == .giveUp)
  }

  @Test func aPermanentRefusalIsGivenUpAtOnce() {
    let wrongNumber = GatewayFailure(permanent: true, reason: "isv.MOBILE_NUMBER_ILLEGAL")
    #expect(MessageRetryPolicy.standard.decision(after: 1, failure: wrongNumber, now: now, expiresAt: nil) == .giveUp)
  }

  @Test func theProvidersRetryAfterIsHonouredButBounded() {
    let policy = MessageRetryPolicy.standard
    let throttled = GatewayFailure(permanent: false, reason: "HTTP 429", retryAfter: 300)
    #expect(policy.decision(after: 1, failure: throttled, now: now, expiresAt: nil) == .retry(at: now + 300))
    // Shorter than our own wait: ours.
    let brief = GatewayFailure(permanent: false, reason: "HTTP 429", retryAfter: 1)
    #expect(policy.decision(after: 2, failure: brief, now: now, expiresAt: nil) == .retry(at: now + 120))
    // A provider asking for a year is held to a day.
    let absurd = GatewayFailure(permanent: false, reason: "HTTP 429", retryAfter: 1e12)
    #expect(policy.decision(after: 1, failure: absurd, now: now, expiresAt: nil) == .retry(at: now + 86_400))
  }

  @Test func aCodeIsNotTriedAgainAfterItExpires() {
    let policy = MessageRetryPolicy.standard
    let busy = GatewayFailure(permanent: false, reason: "timeout")
    // Ten minutes of validity: the 30 s and 2 min waits fit, the 10 min one does not.
    let expires = now + PortalSignIn.validity
    #expect(policy.decision(after: 1, failure: busy, now: now, expiresAt: expires) == .retry(at: now + 30))
    #expect(policy.decision(after: 3, failure: busy, now: now, expiresAt: expires) == .giveUp)
  }

  @Test func aStoredCodeAcceptsOnlyItsOwnCodeUnusedInTimeAndWithinItsTries() {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    func accepts(
      offered: String = "h", tries: Int = 1, expiresAt: Date? = nil, used: Bool = false
    ) -> Bool {
      PortalSignIn.accepts(
        storedHash: "h", offeredHash: offered, tries: tries, expiresAt: expiresAt ?? now + 60, used: used, at: now)
    }
    #expect(accepts())
    #expect(accepts(tries: PortalSignIn.maximumAttempts))
    #expect(!accepts(tries: PortalSignIn.maximumAttempts + 1))
    #expect(!accepts(offered: "other"))
    #expect(!accepts(expiresAt: now))
    #expect(!accepts(used: true))
  }

  @Test func theRateSpacesMessagesOutAfterTheFirstSecondsWorth() {
    var rate = SendingRate(perSecond: 4)
    let waits = (0..<8).map { _ in rate.reserve(at: now) }
    #expect(waits[0..<4].allSatisfy { $0 == 0 })
    #expect(waits[4...].map { ($0 * 1000).rounded() } == [250, 500, 750, 1000])
    // A second later the bucket has refilled by four: the waits start again from the queue's end.
    var idle = SendingRate(perSecond: 4)
    for _ in 0..<4 { _ = idle.reserve(at: now) }
    #expect(idle.reserve(at: now + 10) == 0)
    // Nonsense rates are held to one a second.
    #expect(SendingRate(perSecond: 0).perSecond == 1)
  }

  @Test func everyClaimNoticeHasAKindAndBack() {
    for notice in ClaimNotice.allCases {
      #expect(MessageKind(notice).notice == notice)
    }
    #expect(MessageKind.portalCode.notice == nil)
    #expect(MessageKind.allCases.filter(\.isSecret) == [.portalCode, .accountCode])
  }

  @Test func aNoticeCarriesItsTemplatesParametersBesideTheText() {
    let message = OutgoingMessage.notice(
      .approved, claimNumber: "LP-2020-000001", amount: Money(fen: 80_000), note: nil,
      dueOn: CalendarDate(year: 2020, month: 4, day: 1), phone: "13800000000", organisationID: nil, claimID: .init(),
      workerID: .init(), at: now)
    #expect(message.kind == .claimApproved)
    #expect(message.parameters == ["number": "LP-2020-000001", "amount": "800.00", "due": "2020-04-01"])
    #expect(message.text.contains("800.00"))
    let code = OutgoingMessage.portalCode(
      "123456", phone: "13800000000", organisationID: nil, workerID: .init(), at: now)
    #expect(code.parameters == ["code": "123456"])
    #expect(code.expiresAt == now + PortalSignIn.validity)
    #expect(OutgoingMessage.redactedCode.firstMatch(of: /\d{6}/) == nil)
  }
}
