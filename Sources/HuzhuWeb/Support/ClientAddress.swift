import Vapor

/// Who sent a request, as the audit log and the throttles see it.
enum ClientAddress {
  /// The peer's address; when the peer is a trusted proxy, the nearest address before it in
  /// `X-Forwarded-For` that is not a trusted proxy too (read from the right: the left part is
  /// whatever the client chose to write). Anything that is not an IP address is ignored.
  static func of(peer: String?, forwardedFor: [String], trusted: [String]) -> String? {
    guard let peer, trusted.contains(peer) else { return peer }
    let chain = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
    for hop in chain.reversed() {
      guard isIPAddress(hop) else { return peer }
      if !trusted.contains(hop) { return hop }
    }
    return peer
  }

  /// An IPv4 or IPv6 address as text (no port, no zone).
  static func isIPAddress(_ text: String) -> Bool {
    guard !text.isEmpty, text.utf8.count <= 45 else { return false }
    var v4 = in_addr()
    var v6 = in6_addr()
    return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
  }
}

extension Request {
  /// The client's address (``ClientAddress``), for the audit log and the throttles.
  var clientAddress: String? {
    ClientAddress.of(
      peer: remoteAddress?.ipAddress, forwardedFor: headers[.xForwardedFor],
      trusted: application.huzhu.configuration?.trustedProxies ?? [])
  }
}

extension Request {
  /// The site's address as members reach it: `HUZHU_PUBLIC_URL`, else the host this request came
  /// to (over plain HTTP; set the setting behind TLS). A Host header of anything but a host name
  /// and port falls back to the configured listening address.
  var publicAddress: String {
    if let configured = application.huzhu.configuration?.publicURL { return configured }
    let host = headers.first(name: .host) ?? ""
    let allowed =
      host.utf8.count <= 255 && !host.isEmpty
      && host.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".-:[]".contains($0)) }
    if allowed { return "http://\(host)" }
    let configuration = application.huzhu.configuration
    return
      "http://\(configuration?.hostname ?? AppConfiguration.defaultHostname):\(configuration?.port ?? AppConfiguration.defaultPort)"
  }
}
