/// How a cell is drawn, as SGR attributes (ECMA-48 §8.3.117).
public struct CellStyle: Hashable, Sendable {
    /// The eight basic colours (SGR 30–37); nil is the terminal's default.
    public enum Color: UInt8, Sendable { case black, red, green, yellow, blue, magenta, cyan, white }

    public var bold: Bool
    public var dim: Bool
    public var underline: Bool
    public var reverse: Bool
    public var foreground: Color?

    public init(
        bold: Bool = false, dim: Bool = false, underline: Bool = false, reverse: Bool = false,
        foreground: Color? = nil
    ) {
        self.bold = bold
        self.dim = dim
        self.underline = underline
        self.reverse = reverse
        self.foreground = foreground
    }

    public static let plain = CellStyle()

    /// The complete SGR sequence for this style: a reset, then each attribute, so the result does not
    /// depend on what was drawn before.
    func sgr(into out: inout [UInt8]) {
        out.append(contentsOf: [0x1B, UInt8(ascii: "["), UInt8(ascii: "0")])
        func attribute(_ text: String) {
            out.append(UInt8(ascii: ";"))
            out.append(contentsOf: text.utf8)
        }
        if bold { attribute("1") }
        if dim { attribute("2") }
        if underline { attribute("4") }
        if reverse { attribute("7") }
        if let foreground { attribute(String(30 + Int(foreground.rawValue))) }
        out.append(UInt8(ascii: "m"))
    }
}
