/// TerminalUI: a small full-screen renderer on termios and ANSI/ECMA-48 escape sequences — raw mode
/// and its restoration (also on signals and crashes), a cell grid with line diffing, key decoding and
/// terminal-safe text. Knows nothing of lanscope; imports only the C library.

/// Text as a terminal will show it: device-supplied strings are made harmless before they reach a
/// grid, and measured in columns.
public enum DisplayText {
    /// `s` with everything a terminal would act on made visible: C0 controls (ESC included, so no escape
    /// sequence survives), DEL → `\xNN`; C1 controls, line/paragraph separators, bidi embeddings,
    /// overrides and isolates, and invisible format characters → `\u{…}`.
    public static func sanitize(_ s: String) -> String {
        // Fast path: printable ASCII needs no work (most hostnames and vendors).
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            let v = scalar.value
            if v < 0x20 || v == 0x7F {
                let h = String(v, radix: 16)
                out += "\\x" + (h.count < 2 ? "0" + h : h)
            } else if isInvisibleControl(v) {
                out += "\\u{\(String(v, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// C1 controls (ECMA-48 §5.3: a terminal may act on 0x9B as CSI), Unicode line/paragraph separators,
    /// bidi marks, embeddings, overrides and isolates (Unicode TR #9: they reorder what follows, the
    /// "Trojan Source" trick), zero-width and other invisible format characters.
    static func isInvisibleControl(_ v: UInt32) -> Bool {
        switch v {
        case 0x80...0x9F, 0x061C, 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x2069, 0xFEFF: true
        default: false
        }
    }

    /// Columns a character takes: 2 for East Asian wide and fullwidth characters and most emoji
    /// (Unicode UAX #11), 1 otherwise. Sanitized text holds no zero-width characters of its own.
    public static func columns(_ c: Character) -> Int {
        guard let v = c.unicodeScalars.first?.value, v >= 0x1100 else { return 1 }
        return isWide(v) ? 2 : 1
    }

    static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
            0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
            0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            true
        default: false
        }
    }

    /// Columns `s` takes once drawn.
    public static func width(_ s: String) -> Int {
        if s.utf8.allSatisfy({ $0 < 0x80 }) { return s.utf8.count }
        return s.reduce(0) { $0 + columns($1) }
    }

    /// `s` cut to at most `width` columns, ending in `…` when something was cut (a wide character that
    /// would straddle the limit is left out whole).
    public static func truncate(_ s: String, to width: Int) -> String {
        guard width > 0 else { return "" }
        guard self.width(s) > width else { return s }
        var out = ""
        var used = 0
        for c in s {
            let w = columns(c)
            if used + w > width - 1 { break }
            out.append(c)
            used += w
        }
        return out + "…"
    }

    /// `s` cut or padded with spaces to exactly `width` columns.
    public static func fit(_ s: String, to width: Int, alignRight: Bool = false) -> String {
        let cut = truncate(s, to: width)
        let pad = String(repeating: " ", count: max(0, width - self.width(cut)))
        return alignRight ? pad + cut : cut + pad
    }
}
