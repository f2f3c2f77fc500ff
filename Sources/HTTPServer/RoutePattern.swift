/// A route path: literal segments plus at most one parameter segment `prefix{name}suffix`.
struct RoutePattern: Sendable, Hashable {
    enum Segment: Sendable, Hashable {
        case literal(String)
        case parameter(name: String, prefix: String, suffix: String)
    }

    let text: String
    let segments: [Segment]

    var isExact: Bool { !segments.contains { if case .parameter = $0 { true } else { false } } }

    /// Parses a pattern written in code; a malformed one is a programming error and traps.
    init(_ text: String) {
        precondition(text.hasPrefix("/"), "route pattern \"\(text)\" must start with /")
        self.text = text
        var parameters = 0
        segments = text.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { segment in
            guard let open = segment.firstIndex(of: "{") else { return .literal(String(segment)) }
            guard let close = segment[open...].firstIndex(of: "}"), segment.index(after: open) < close else {
                preconditionFailure("route pattern \"\(text)\" has an unclosed or empty parameter")
            }
            parameters += 1
            return .parameter(
                name: String(segment[segment.index(after: open)..<close]),
                prefix: String(segment[..<open]), suffix: String(segment[segment.index(after: close)...]))
        }
        precondition(parameters <= 1, "route pattern \"\(text)\" has more than one parameter segment")
    }

    /// The captured parameters when `path` matches, else `nil`.
    func match(_ path: String) -> RouteParameters? {
        if isExact { return path == text ? RouteParameters() : nil }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        guard parts.count == segments.count else { return nil }
        var captured: [String: String] = [:]
        for (part, segment) in zip(parts, segments) {
            switch segment {
            case .literal(let literal):
                guard part == literal else { return nil }
            case .parameter(let name, let prefix, let suffix):
                guard part.utf8.count > prefix.utf8.count + suffix.utf8.count,
                    part.hasPrefix(prefix), part.hasSuffix(suffix)
                else { return nil }
                let value = part.utf8.dropFirst(prefix.utf8.count).dropLast(suffix.utf8.count)
                captured[name] = ASCII.percentDecoded(value, plusAsSpace: false)
            }
        }
        return RouteParameters(captured)
    }
}
