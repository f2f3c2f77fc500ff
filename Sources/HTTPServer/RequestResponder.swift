/// What a worker does with one request: authenticate, route, run the handler, encode. Runs on worker
/// threads, and on the event loop for `runsOnEventLoop` routes.
struct RequestResponder: Sendable {
    let router: HTTPRouter
    let authentication: Authentication?
    let observer: (@Sendable (RequestLogRecord) -> Void)?

    func respond(to request: HTTPRequest, closeAfter: Bool, encoder: inout ResponseEncoder) -> OutgoingBytes {
        respond(
            to: request, resolution: router.resolve(method: request.method, path: request.path),
            closeAfter: closeAfter, encoder: &encoder)
    }

    /// The response when the request's route runs on the event loop (`runsOnEventLoop`, served without
    /// credentials); nil when it belongs on a worker.
    func respondOnEventLoop(to request: HTTPRequest, closeAfter: Bool, encoder: inout ResponseEncoder) -> OutgoingBytes?
    {
        let resolution = router.resolve(method: request.method, path: request.path)
        guard case .matched(let route, _, _) = resolution, route.runsOnEventLoop,
            authentication == nil || !route.requiresAuthentication
        else { return nil }
        return respond(to: request, resolution: resolution, closeAfter: closeAfter, encoder: &encoder)
    }

    /// Whether the request's route is prioritized (see `HTTPRouter.add(prioritized:)`).
    func isPrioritized(_ request: HTTPRequest) -> Bool {
        if case .matched(let route, _, _) = router.resolve(method: request.method, path: request.path) {
            return route.prioritized
        }
        return false
    }

    private func respond(
        to request: HTTPRequest, resolution: HTTPRouter.Resolution, closeAfter: Bool, encoder: inout ResponseEncoder
    ) -> OutgoingBytes {
        let started = ServerInstant.now()
        let (response, routeName) = response(for: request, resolution: resolution)
        let bytes = encoder.encodeParts(
            response, headOnly: request.method == "HEAD", close: closeAfter,
            version: request.version)
        observer?(
            RequestLogRecord(
                route: routeName, method: request.method, statusCode: response.status.code,
                remoteAddress: request.remoteAddress,
                handlerNanoseconds: ServerInstant.now().nanoseconds - started.nanoseconds))
        return bytes
    }

    func response(for request: HTTPRequest) -> (HTTPResponse, route: String) {
        response(for: request, resolution: router.resolve(method: request.method, path: request.path))
    }

    private func response(for request: HTTPRequest, resolution: HTTPRouter.Resolution) -> (HTTPResponse, route: String)
    {
        let route: HTTPRouter.Route?
        switch resolution {
        case .matched(let matched, _, _), .methodNotAllowed(let matched): route = matched
        case .notFound: route = nil
        }
        // Unknown paths need credentials too, so a 404 does not reveal which routes exist.
        if let authentication, route?.requiresAuthentication ?? true, !authentication.isAuthorized(request.headers) {
            var response = HTTPResponse.status(.unauthorized)
            for challenge in authentication.challenges {
                response.headers.add(name: "WWW-Authenticate", value: challenge)
            }
            return (response, route?.name ?? "other")
        }
        switch resolution {
        case .matched(let route, let handler, let parameters):
            return (handler(request, parameters), route.name)
        case .methodNotAllowed(let route):
            var response = HTTPResponse.status(.methodNotAllowed)
            response.headers.add(name: "Allow", value: route.allowedMethods.joined(separator: ", "))
            return (response, route.name)
        case .notFound:
            return (.status(.notFound), "other")
        }
    }
}
