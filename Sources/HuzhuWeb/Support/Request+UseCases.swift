import HuzhuApp
import Vapor

/// The use cases a request works with, each built from the request's services and its
/// operator (``Actor``, with the scope and the reach worked out once). Pages and the API reach
/// the data only through these: nothing in the web layer builds a store.
extension Request {
  var registry: Registry {
    get throws { Registry(services, actor: try actor) }
  }

  var registryImports: RegistryImports {
    get throws { RegistryImports(services, actor: try actor) }
  }
}
