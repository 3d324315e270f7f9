import Crypto
import Foundation
import Vapor

/// The stylesheet and the script, read once at start and served from memory. Vapor's
/// `FileMiddleware` opened and read the file for every request, which held a static file to
/// under a tenth of the bare route's rate.
///
/// Pages link each file with its version (`/huzhu.css?v=…`, a digest of its content), which a
/// browser may keep for a year: a new release's file has a new link. The bare address is
/// answered too, with `no-cache` and an ETag (a browser asks again and gets 304 while unchanged).
struct StaticFiles: Sendable {
  struct File: Sendable {
    let body: ByteBuffer
    let contentType: HTTPMediaType
    /// The first 10 hex digits of the content's SHA-256.
    let version: String
    var etag: String { "\"\(version)\"" }
  }

  let files: [String: File]

  /// Every regular file of `directory` (not its subfolders), by its path on the site.
  init(directory: String) {
    var files: [String: File] = [:]
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    for name in names {
      guard let data = FileManager.default.contents(atPath: (directory as NSString).appendingPathComponent(name))
      else { continue }
      let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
      let fileExtension = (name as NSString).pathExtension
      files["/" + name] = File(
        body: ByteBuffer(data: data),
        contentType: HTTPMediaType.fileExtension(fileExtension) ?? .binary,
        version: String(digest.prefix(10)))
    }
    self.files = files
  }

  /// The files shipped with the application.
  static let shipped = StaticFiles(directory: WebResources.publicDirectory)

  /// The address pages link: the path with the file's version.
  func link(_ path: String) -> String {
    files[path].map { "\(path)?v=\($0.version)" } ?? path
  }
}

struct StaticFilesMiddleware: AsyncMiddleware {
  let files: StaticFiles

  func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
    guard request.method == .GET || request.method == .HEAD, let file = files.files[request.url.path] else {
      return try await next.respond(to: request)
    }
    var headers = HTTPHeaders()
    headers.contentType = file.contentType
    headers.replaceOrAdd(name: .eTag, value: file.etag)
    let versioned = request.url.query == "v=\(file.version)"
    headers.replaceOrAdd(
      name: .cacheControl, value: versioned ? "public, max-age=31536000, immutable" : "no-cache")
    if request.headers.first(name: .ifNoneMatch) == file.etag {
      return Response(status: .notModified, headers: headers)
    }
    return Response(status: .ok, headers: headers, body: .init(buffer: file.body))
  }
}
