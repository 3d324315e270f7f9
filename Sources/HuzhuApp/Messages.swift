import Foundation
import HuzhuCore
import HuzhuPersistence
import Synchronization

/// Drains the outbox of text messages through a gateway: leases what is due, sends it at the
/// configured rate, and records each result (sent with the provider's id; failed with the
/// reason, tried again after ``MessageRetryPolicy``'s wait or given up). Any number of
/// dispatchers, in one process or several, can drain one database: a message is sent by the
/// one holding its lease.
///
/// A message whose sending was under way when its process died is sent again once its lease
/// lapses (a minute): at least once. The message's id goes to the gateway with it, so a
/// provider that deduplicates by request id sends it once even then.
public actor MessageDispatcher {
  let services: AppServices
  let gateway: any MessageGateway
  /// This dispatcher's name in the leases (the host and process, for whoever reads the table).
  public nonisolated let owner: String
  let policy: MessageRetryPolicy
  var rate: SendingRate
  /// Messages sent side by side (each waits for its rate token first).
  let parallel: Int
  let leaseDuration: TimeInterval = 60
  private var wakeUp: AsyncStream<Void>.Continuation?

  public init(
    _ services: AppServices, gateway: any MessageGateway, owner: String = MessageDispatcher.defaultOwner(),
    policy: MessageRetryPolicy = .standard, perSecond: Int = 20, parallel: Int = 4
  ) {
    self.services = services
    self.gateway = gateway
    self.owner = owner
    self.policy = policy
    self.rate = SendingRate(perSecond: perSecond)
    self.parallel = max(1, parallel)
  }

  public static func defaultOwner() -> String {
    "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
  }

  var store: FluentMessageStore { FluentMessageStore(database: services.database) }

  /// What one round did.
  public struct Round: Sendable, Equatable {
    public var sent = 0
    public var retrying = 0
    public var gaveUp = 0
    /// Results that could not be recorded because the lease had lapsed meanwhile.
    public var lost = 0

    public init(sent: Int = 0, retrying: Int = 0, gaveUp: Int = 0, lost: Int = 0) {
      self.sent = sent
      self.retrying = retrying
      self.gaveUp = gaveUp
      self.lost = lost
    }

    public var handled: Int { sent + retrying + gaveUp + lost }
  }

  /// One round: up to `limit` messages due at `now`.
  public func drain(at now: Date = Date(), limit: Int = 100) async throws -> Round {
    try await send(store.lease(owner: owner, for: leaseDuration, now: now, limit: limit, only: nil), at: now)
  }

  /// Sends these messages now, if they are still waiting and nobody else holds them (a
  /// sign-in code, which the worker is waiting for).
  public func deliver(_ ids: [OutgoingMessage.ID], at now: Date = Date()) async throws -> Round {
    guard !ids.isEmpty else { return Round() }
    return try await send(
      store.lease(owner: owner, for: leaseDuration, now: now, limit: ids.count, only: ids), at: now)
  }

  private func send(_ leased: [QueuedMessage], at start: Date) async throws -> Round {
    var round = Round()
    var index = 0
    while index < leased.count {
      let chunk = Array(leased[index..<min(index + parallel, leased.count)])
      index += chunk.count
      var waits: [TimeInterval] = []
      for _ in chunk { waits.append(rate.reserve(at: Date())) }
      let results = try await withThrowingTaskGroup(of: Outcome.self) { group in
        for (message, wait) in zip(chunk, waits) {
          group.addTask { [gateway, store, policy] in
            if wait > 0 { try await Task.sleep(for: .milliseconds(Int(wait * 1000))) }
            return try await Self.attempt(message, gateway: gateway, store: store, policy: policy)
          }
        }
        var outcomes: [Outcome] = []
        for try await outcome in group { outcomes.append(outcome) }
        return outcomes
      }
      for outcome in results {
        switch outcome {
        case .sent: round.sent += 1
        case .retrying: round.retrying += 1
        case .gaveUp: round.gaveUp += 1
        case .lost: round.lost += 1
        }
      }
    }
    return round
  }

  enum Outcome: Sendable { case sent, retrying, gaveUp, lost }

  static func attempt(
    _ message: QueuedMessage, gateway: any MessageGateway, store: FluentMessageStore, policy: MessageRetryPolicy
  ) async throws -> Outcome {
    let failure: GatewayFailure
    if let expiresAt = message.message.expiresAt, expiresAt <= Date() {
      failure = GatewayFailure(permanent: true, reason: "expired before it could be sent")
    } else {
      do {
        let receipt = try await gateway.send(message.message)
        return try await store.recordSent(message, providerID: receipt.providerID, at: Date()) ? .sent : .lost
      } catch let refused as GatewayFailure {
        failure = refused
      } catch is CancellationError {
        throw CancellationError()
      } catch {
        failure = GatewayFailure(permanent: false, reason: String(describing: error))
      }
    }
    let now = Date()
    let decision = policy.decision(
      after: message.attempts, failure: failure, now: now, expiresAt: message.message.expiresAt)
    let retryAt: Date? =
      switch decision {
      case .retry(let at): at
      case .giveUp: nil
      }
    guard try await store.recordFailure(message, reason: failure.reason, retryAt: retryAt, at: now) else {
      return .lost
    }
    return retryAt == nil ? .gaveUp : .retrying
  }

  /// Drains until cancelled: a round whenever woken (``wake()``) or every `interval`, rounds
  /// back to back while there is more to send. A round that fails is reported and the loop
  /// goes on.
  public func run(
    every interval: Duration = .seconds(2), report: @escaping @Sendable (Result<Round, any Error>) -> Void
  )
    async
  {
    let (signals, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    wakeUp = continuation
    await withTaskGroup(of: Void.self) { group in
      group.addTask {
        while !Task.isCancelled {
          try? await Task.sleep(for: interval)
          continuation.yield()
        }
      }
      continuation.yield()
      for await _ in signals {
        if Task.isCancelled { break }
        while !Task.isCancelled {
          do {
            let round = try await drain()
            if round.handled > 0 { report(.success(round)) }
            guard round.handled >= 100 else { break }
          } catch {
            if !Task.isCancelled { report(.failure(error)) }
            break
          }
        }
      }
      group.cancelAll()
    }
    continuation.finish()
    wakeUp = nil
  }

  /// Asks the running loop for a round now (messages were just queued).
  public func wake() {
    wakeUp?.yield()
  }
}

/// The gateway of the demo and the tests: takes every message (or fails as told) and keeps what
/// it delivered in memory, by phone, where the demo shows a phone's latest code.
public final class FakeMessageGateway: MessageGateway {
  struct State {
    var delivered: [OutgoingMessage] = []
    var failures: [GatewayFailure] = []
    var sendCount = 0
  }

  private let state = Mutex(State())
  /// How many delivered messages are kept (the oldest go first).
  let keep: Int

  public init(keep: Int = 2_000) {
    self.keep = keep
  }

  public func send(_ message: OutgoingMessage) async throws -> GatewayReceipt {
    try state.withLock { state in
      state.sendCount += 1
      if !state.failures.isEmpty { throw state.failures.removeFirst() }
      state.delivered.append(message)
      if state.delivered.count > keep { state.delivered.removeFirst(state.delivered.count - keep) }
      return GatewayReceipt(providerID: "fake-\(state.sendCount)")
    }
  }

  /// The next sends fail with these, in order.
  public func fail(with failures: [GatewayFailure]) {
    state.withLock { $0.failures += failures }
  }

  /// Every message delivered (the most recent `keep`), oldest first.
  public var delivered: [OutgoingMessage] { state.withLock { $0.delivered } }

  /// Every call, failed ones included.
  public var attempts: Int { state.withLock { $0.sendCount } }

  /// The latest message of `kind` delivered to `phone`.
  public func latest(_ kind: MessageKind, to phone: String) -> OutgoingMessage? {
    state.withLock { $0.delivered.last { $0.kind == kind && $0.phone == phone } }
  }
}

/// The outbox as staff see it: what was sent, what waits, what could not be delivered (the
/// dead letters), and sending one again once the phone is put right. An area's messages only;
/// phones masked.
public struct Messages: UseCase {
  let services: AppServices
  let actor: Actor

  public init(_ services: AppServices, actor: Actor) {
    self.services = services
    self.actor = actor
  }

  var store: FluentMessageStore { FluentMessageStore(database: services.database, scope: actor.scope) }

  public func list(status: MessageStatus?, troubledOnly: Bool, page: PageQuery) async throws
    -> PagedResult<QueuedMessage>
  {
    try actor.require(.viewClaims)
    return try await store.messages(status: status, troubledOnly: troubledOnly, page: page)
  }

  public func counts() async throws -> [MessageStatus: Int] {
    try actor.require(.viewClaims)
    return try await store.counts()
  }

  /// Sends a message given up again (after the member's phone was corrected); audited.
  public func resend(_ id: OutgoingMessage.ID) async throws -> QueuedMessage {
    try actor.require(.intakeClaims)
    guard let message = try await store.resend(id, at: Date()) else { throw UseCaseError.notFound }
    guard message.status == .pending else {
      throw ValidationFailure([
        FieldError(
          field: "message", code: "not_resendable",
          message: LocalizedText(
            zh: message.message.kind.isSecret
              ? "验证码短信不能重发，请职工重新获取验证码" : "该短信不是发送失败状态或没有手机号，不能重发",
            en: message.message.kind.isSecret
              ? "a sign-in code is not sent again: the worker asks for a new one"
              : "only an undelivered message with a phone can be sent again"))
      ])
    }
    try await audit.record(
      .dataChange, subject: "message:\(id)", detail: "message sent again: \(message.message.kind.rawValue)")
    return message
  }
}
