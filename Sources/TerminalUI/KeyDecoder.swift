/// Turns the bytes a terminal sends into `Key`s. A value fed in arbitrary pieces: an escape sequence or
/// a UTF-8 character split across reads is held until it completes.
///
/// A lone ESC is ambiguous (the Escape key, or the start of a sequence still in flight), so it is held
/// too: `hasPendingInput` says so, and the caller calls `flush()` when no more bytes arrived within a
/// short wait (the way curses' ESCDELAY works).
public struct KeyDecoder: Sendable {
    private var pending: [UInt8] = []
    /// Longest escape sequence kept while waiting for its final byte; longer ones are dropped as noise.
    static let maxSequence = 32

    public init() {}

    /// Whether bytes are held back waiting for the rest of a sequence or character.
    public var hasPendingInput: Bool { !pending.isEmpty }

    /// Keys completed by `bytes`.
    public mutating func decode<S: Sequence<UInt8>>(_ bytes: S) -> [Key] {
        pending.append(contentsOf: bytes)
        var keys: [Key] = []
        var i = 0
        while i < pending.count {
            guard let (key, used) = Self.parse(pending, at: i) else { break }
            if let key { keys.append(key) }
            i += used
        }
        pending.removeFirst(i)
        if pending.count > Self.maxSequence { pending.removeAll() }
        return keys
    }

    /// Gives up waiting: a held ESC becomes `.escape` (and what follows it is decoded on its own),
    /// an incomplete character is dropped.
    public mutating func flush() -> [Key] {
        guard !pending.isEmpty else { return [] }
        if pending[0] == 0x1B {
            let rest = pending.dropFirst()
            pending.removeAll()
            return [.escape] + decode(rest) + flush()
        }
        pending.removeAll()
        return []
    }

    /// The key at `i` and the bytes it took (a nil key: bytes consumed and ignored), or nil when the
    /// input ends inside a sequence.
    static func parse(_ b: [UInt8], at i: Int) -> (Key?, Int)? {
        let byte = b[i]
        switch byte {
        case 0x1B: return parseEscape(b, at: i)
        case 0x0D, 0x0A: return (.enter, 1)
        case 0x09: return (.tab, 1)
        case 0x7F, 0x08: return (.backspace, 1)
        case 0x01...0x1A: return (.control(Character(Unicode.Scalar(byte + 0x60))), 1)
        case 0x00, 0x1C...0x1F: return (nil, 1)
        case 0x20..<0x7F: return (.character(Character(Unicode.Scalar(byte))), 1)
        default: return parseUTF8(b, at: i)
        }
    }

    static func parseEscape(_ b: [UInt8], at i: Int) -> (Key?, Int)? {
        guard i + 1 < b.count else { return nil }
        let introducer = b[i + 1]
        // ESC followed by anything but CSI or SS3 is the Escape key, then that byte on its own.
        guard introducer == UInt8(ascii: "[") || introducer == UInt8(ascii: "O") else { return (.escape, 1) }
        // Parameters and intermediates (0x20–0x3F), then a final byte (0x40–0x7E): ECMA-48 §5.4.
        var j = i + 2
        while j < b.count, (0x20...0x3F).contains(b[j]) { j += 1 }
        guard j < b.count else { return nil }
        let final = b[j]
        let length = j - i + 1
        guard (0x40...0x7E).contains(final) else { return (nil, length) }
        let parameters = String(decoding: b[(i + 2)..<j], as: UTF8.self)
        // Modifiers (`1;5A` is Ctrl-Up) are ignored: the key is what matters here.
        let first = parameters.split(separator: ";").first.flatMap { Int($0) }
        switch final {
        case UInt8(ascii: "A"): return (.up, length)
        case UInt8(ascii: "B"): return (.down, length)
        case UInt8(ascii: "C"): return (.right, length)
        case UInt8(ascii: "D"): return (.left, length)
        case UInt8(ascii: "H"): return (.home, length)
        case UInt8(ascii: "F"): return (.end, length)
        case UInt8(ascii: "~"):
            switch first {
            case 1, 7: return (.home, length)
            case 4, 8: return (.end, length)
            case 3: return (.delete, length)
            case 5: return (.pageUp, length)
            case 6: return (.pageDown, length)
            default: return (nil, length)
            }
        default: return (nil, length)
        }
    }

    static func parseUTF8(_ b: [UInt8], at i: Int) -> (Key?, Int)? {
        let lead = b[i]
        let length: Int
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return (nil, 1)  // a stray continuation byte or an invalid lead
        }
        guard i + length <= b.count else { return nil }
        let text = String(validating: b[i..<(i + length)], as: UTF8.self)
        guard let text, let c = text.first else { return (nil, length) }
        // C1 controls arrive as two-byte UTF-8; they are not keys.
        guard !DisplayText.isInvisibleControl(c.unicodeScalars.first!.value) else { return (nil, length) }
        return (.character(c), length)
    }
}
