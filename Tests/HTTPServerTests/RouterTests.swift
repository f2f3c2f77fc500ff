import Testing

@testable import HTTPServer

@Suite struct RouterTests {
    func makeRouter() -> HTTPRouter {
        let router = HTTPRouter()
        router.get("/metrics") { _, _ in .text("m") }
        router.get("/devices/{mac}.json") { _, parameters in .text(parameters["mac"] ?? "-") }
        router.add("/devices/{mac}.json", methods: ["DELETE"]) { _, _ in .text("deleted") }
        router.add("/submit", methods: ["POST"], name: "submit") { request, _ in .text("\(request.body.count)") }
        return router
    }

    func resolve(_ router: HTTPRouter, _ method: String, _ path: String) -> (kind: String, name: String?, body: String?)
    {
        switch router.resolve(method: method, path: path) {
        case .matched(let route, let handler, let parameters):
            let response = handler(HTTPRequest(method: method, target: path), parameters)
            return ("matched", route.name, String(decoding: response.body, as: UTF8.self))
        case .methodNotAllowed(let route): return ("405", route.name, route.allowedMethods.joined(separator: ", "))
        case .notFound: return ("404", nil, nil)
        }
    }

    @Test func router_matchesExactPaths_andAnswersHeadForGet() {
        let router = makeRouter()
        #expect(resolve(router, "GET", "/metrics").body == "m")
        #expect(resolve(router, "HEAD", "/metrics").kind == "matched")
        #expect(resolve(router, "GET", "/metrics/").kind == "404")
        #expect(resolve(router, "GET", "/").kind == "404")
    }

    @Test func router_capturesParameterSegment_withLiteralSuffix() {
        let router = makeRouter()
        let result = resolve(router, "GET", "/devices/aa:bb:cc:dd:ee:ff.json")
        #expect(result.name == "/devices/{mac}.json")
        #expect(result.body == "aa:bb:cc:dd:ee:ff")
        #expect(resolve(router, "GET", "/devices/a%3Ab.json").body == "a:b")
        #expect(resolve(router, "GET", "/devices/.json").kind == "404")
        #expect(resolve(router, "GET", "/devices/x.xml").kind == "404")
        #expect(resolve(router, "GET", "/devices/x/y.json").kind == "404")
        #expect(resolve(router, "DELETE", "/devices/x.json").body == "deleted")
    }

    @Test func router_reportsAllowedMethods_forAKnownPathWithOtherMethod() {
        let router = makeRouter()
        let metrics = resolve(router, "POST", "/metrics")
        #expect(metrics.kind == "405")
        #expect(metrics.body == "GET, HEAD")
        #expect(resolve(router, "PUT", "/devices/x.json").body == "DELETE, GET, HEAD")
        let submit = resolve(router, "GET", "/submit")
        #expect(submit.kind == "405" && submit.name == "submit" && submit.body == "POST")
    }
}
