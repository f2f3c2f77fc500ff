import Platform
import Synchronization

/// A handler: runs on a worker thread (or on the event loop, see `runsOnEventLoop`), must not block for
/// long, returns the whole response.
public typealias HTTPHandler = @Sendable (HTTPRequest, RouteParameters) -> HTTPResponse

/// Maps paths and methods to handlers. Exact paths are looked up in a dictionary; patterns with one
/// parameter segment are tried in registration order. GET routes answer HEAD as well.
public final class HTTPRouter: Sendable {
    struct Route: Sendable {
        let pattern: RoutePattern
        /// Stable label for metrics, e.g. `/devices/{mac}.json`.
        let name: String
        var handlers: [String: HTTPHandler]
        let requiresAuthentication: Bool
        let runsOnEventLoop: Bool
        let prioritized: Bool

        var allowedMethods: [String] {
            var methods = Set(handlers.keys)
            if methods.contains("GET") { methods.insert("HEAD") }
            return methods.sorted()
        }

        func handler(for method: String) -> HTTPHandler? {
            handlers[method] ?? (method == "HEAD" ? handlers["GET"] : nil)
        }
    }

    enum Resolution: Sendable {
        case matched(Route, HTTPHandler, RouteParameters)
        case methodNotAllowed(Route)
        case notFound
    }

    private struct Table: Sendable {
        var exact: [String: Route] = [:]
        var patterns: [Route] = []
    }

    private let table = Mutex(Table())

    public init() {}

    /// Registers `handler` for `methods` on `pattern` (`/metrics` or `/devices/{mac}.json`).
    /// `name` defaults to the pattern. Routes with `requiresAuthentication: false` (e.g. `/-/healthy`)
    /// are served without credentials even when the server has authentication configured.
    /// `runsOnEventLoop: true` runs the handler on the event-loop thread itself, sparing the hand-off to
    /// a worker and back (two thread wake-ups per request): only for handlers that return at once and
    /// never block, such as health checks. It applies only to routes served without credentials — a
    /// password check is too slow for the loop — and otherwise the route runs on a worker as usual.
    /// `prioritized: true` (e.g. `/metrics`) puts the route's requests ahead of the others' and lets the
    /// server's reserved workers run them, so a scrape never queues behind slow requests to other routes.
    public func add(
        _ pattern: String, methods: [String] = ["GET"], name: String? = nil,
        requiresAuthentication: Bool = true, runsOnEventLoop: Bool = false, prioritized: Bool = false,
        handler: @escaping HTTPHandler
    ) {
        let parsed = RoutePattern(pattern)
        table.withLock { table in
            let update = { (existing: Route?) -> Route in
                var route =
                    existing
                    ?? Route(
                        pattern: parsed, name: name ?? pattern, handlers: [:],
                        requiresAuthentication: requiresAuthentication, runsOnEventLoop: runsOnEventLoop,
                        prioritized: prioritized)
                for method in methods { route.handlers[method] = handler }
                return route
            }
            if parsed.isExact {
                table.exact[pattern] = update(table.exact[pattern])
            } else if let index = table.patterns.firstIndex(where: { $0.pattern == parsed }) {
                table.patterns[index] = update(table.patterns[index])
            } else {
                table.patterns.append(update(nil))
            }
        }
    }

    /// Shorthand for a GET (and so HEAD) route.
    public func get(
        _ pattern: String, name: String? = nil, requiresAuthentication: Bool = true, runsOnEventLoop: Bool = false,
        prioritized: Bool = false, handler: @escaping HTTPHandler
    ) {
        add(
            pattern, methods: ["GET"], name: name, requiresAuthentication: requiresAuthentication,
            runsOnEventLoop: runsOnEventLoop, prioritized: prioritized, handler: handler)
    }

    func resolve(method: String, path: String) -> Resolution {
        table.withLock { table in
            if let route = table.exact[path] {
                return route.handler(for: method).map { .matched(route, $0, RouteParameters()) }
                    ?? .methodNotAllowed(route)
            }
            for route in table.patterns {
                guard let parameters = route.pattern.match(path) else { continue }
                return route.handler(for: method).map { .matched(route, $0, parameters) } ?? .methodNotAllowed(route)
            }
            return .notFound
        }
    }
}

extension HTTPRouter {
    /// Answers a request in-process, without a socket: routing, 404/405 and (when given)
    /// authentication exactly as the server applies them. The same test body can then run in-process
    /// and against a live server.
    public func respond(to request: HTTPRequest, authentication: Authentication? = nil) -> HTTPResponse {
        RequestResponder(router: self, authentication: authentication, observer: nil).response(for: request).0
    }
}
