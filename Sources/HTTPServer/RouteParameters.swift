/// Values captured from a route pattern's parameter segment, e.g. `mac` in `/devices/{mac}.json`.
public struct RouteParameters: Sendable, Equatable {
    private var values: [String: String]

    public init(_ values: [String: String] = [:]) { self.values = values }

    public subscript(name: String) -> String? { values[name] }

    public var isEmpty: Bool { values.isEmpty }
}
