import LanscopeCore

/// A clock tests move by hand.
public final class ManualClock: Clock, @unchecked Sendable {
    private var current: Timestamp
    public init(_ start: Timestamp = Timestamp(seconds: 1_700_000_000)) { current = start }
    public func now() -> Timestamp { current }
    public func advance(by d: Duration) { current = current + d }
}
