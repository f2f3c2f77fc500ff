import TerminalUI

/// A strict model of the few sequences `ScreenDiff` emits (CUP, SGR, ED 2): applying output to it
/// shows what a terminal would display, and any other escape or control byte is recorded as a
/// violation — device text must never produce one.
struct VirtualTerminal {
    var width: Int
    var height: Int
    var cells: [[Character]]
    var row = 0
    var column = 0
    var violations: [String] = []

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        cells = Array(repeating: Array(repeating: " ", count: width), count: height)
    }

    mutating func apply(_ bytes: [UInt8]) {
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x1B {
                guard i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "[") else {
                    violations.append("ESC not followed by [ at \(i)")
                    i += 1
                    continue
                }
                var j = i + 2
                while j < bytes.count, (0x30...0x3F).contains(bytes[j]) { j += 1 }
                guard j < bytes.count else {
                    violations.append("unterminated CSI")
                    return
                }
                let parameters = String(decoding: bytes[(i + 2)..<j], as: UTF8.self)
                switch bytes[j] {
                case UInt8(ascii: "H"):
                    let parts = parameters.split(separator: ";").compactMap { Int($0) }
                    if parts.count == 2 {
                        row = parts[0] - 1
                        column = parts[1] - 1
                    } else {
                        violations.append("CUP \(parameters)")
                    }
                case UInt8(ascii: "m"):
                    if !parameters.split(separator: ";").allSatisfy({
                        ["0", "1", "2", "4", "7"].contains($0) || (Int($0).map { (30...37).contains($0) } ?? false)
                    }) {
                        violations.append("SGR \(parameters)")
                    }
                case UInt8(ascii: "J"):
                    if parameters == "2" {
                        cells = Array(repeating: Array(repeating: " ", count: width), count: height)
                    } else {
                        violations.append("ED \(parameters)")
                    }
                default: violations.append("CSI \(parameters)\(Character(Unicode.Scalar(bytes[j])))")
                }
                i = j + 1
                continue
            }
            if b < 0x20 || b == 0x7F {
                violations.append("control byte \(b)")
                i += 1
                continue
            }
            // One UTF-8 character.
            var length = 1
            if b >= 0xF0 { length = 4 } else if b >= 0xE0 { length = 3 } else if b >= 0xC0 { length = 2 }
            let text = String(decoding: bytes[i..<min(bytes.count, i + length)], as: UTF8.self)
            for scalar in text.unicodeScalars where (0x80...0x9F).contains(scalar.value) {
                violations.append("C1 control \(scalar.value)")
            }
            let c = text.first ?? "?"
            if row >= 0, row < height, column >= 0, column < width {
                cells[row][column] = c
                if DisplayText.columns(c) == 2, column + 1 < width { cells[row][column + 1] = "\u{0}" }
            } else {
                violations.append("write outside the screen at \(row),\(column)")
            }
            column += DisplayText.columns(c)
            i += length
        }
    }

    func text(row: Int) -> String { String(cells[row].filter { $0 != "\u{0}" }) }
}
