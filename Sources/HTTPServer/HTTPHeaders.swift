/// Header fields in the order received, looked up case-insensitively (RFC 9110 §5.1).
public struct HTTPHeaders: Sendable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Element = (name: String, value: String)

    private var fields: [Element]

    public init() { fields = [] }

    public init(_ fields: [Element]) { self.fields = fields }

    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { (name: $0.0, value: $0.1) }
    }

    public var count: Int { fields.count }

    public func makeIterator() -> IndexingIterator<[Element]> { fields.makeIterator() }

    /// The first value of `name`, or `nil`.
    public subscript(name: String) -> String? {
        for field in fields where Self.namesEqual(field.name, name) { return field.value }
        return nil
    }

    /// Every value of `name`, in order.
    public func values(for name: String) -> [String] {
        fields.filter { Self.namesEqual($0.name, name) }.map(\.value)
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    public mutating func add(name: String, value: String) { fields.append((name: name, value: value)) }

    /// Replaces every field called `name` with one field.
    public mutating func replaceOrAdd(name: String, value: String) {
        remove(name)
        fields.append((name: name, value: value))
    }

    public mutating func remove(_ name: String) { fields.removeAll { Self.namesEqual($0.name, name) } }

    /// Whether a comma-separated list header (e.g. `Connection`) carries `token`, compared case-insensitively.
    public func containsToken(_ token: String, in name: String) -> Bool {
        for value in values(for: name) {
            for item in value.utf8.split(separator: UInt8(ascii: ",")) {
                if ASCII.equalsIgnoringCase(ASCII.trimmingOWS(item), token) { return true }
            }
        }
        return false
    }

    static func namesEqual(_ a: String, _ b: String) -> Bool {
        ASCII.equalsIgnoringCase(a.utf8[...], b)
    }
}
