/// Byte classes and small ASCII operations used by the parser and header lookup.
enum ASCII {
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let colon = UInt8(ascii: ":")

    /// `tchar` from RFC 9110 §5.6.2: the bytes allowed in a method or a field name.
    static let tcharTable: [Bool] = (0..<256).map { value in
        let byte = UInt8(value)
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    @inline(__always)
    static func isTchar(_ byte: UInt8) -> Bool { tcharTable[Int(byte)] }

    /// Bytes allowed in a field value (RFC 9110 §5.5): VCHAR, obs-text, SP and HTAB; no other control bytes.
    @inline(__always)
    static func isFieldValueByte(_ byte: UInt8) -> Bool { byte >= 0x20 ? byte != 0x7F : byte == tab }

    /// Bytes allowed in a request target: visible ASCII only (RFC 3986 plus the lenient `%`-less forms
    /// clients send); whitespace and controls would make the request line ambiguous.
    @inline(__always)
    static func isTargetByte(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x7F }

    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    static func equalsIgnoringCase(_ bytes: Substring.UTF8View, _ other: String) -> Bool {
        equalsIgnoringCase(ArraySlice(bytes), other)
    }

    static func equalsIgnoringCase(_ bytes: some Collection<UInt8>, _ other: String) -> Bool {
        var otherUTF8 = other.utf8.makeIterator()
        for byte in bytes {
            guard let o = otherUTF8.next(), lowercased(byte) == lowercased(o) else { return false }
        }
        return otherUTF8.next() == nil
    }

    static func trimmingOWS<C: BidirectionalCollection<UInt8>>(_ bytes: C) -> C.SubSequence {
        var slice = bytes[...]
        while let first = slice.first, first == space || first == tab { slice = slice.dropFirst() }
        while let last = slice.last, last == space || last == tab { slice = slice.dropLast() }
        return slice
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Decodes `%XX` escapes (and `+` as space when `plusAsSpace`); a malformed escape is kept literally.
    /// Invalid UTF-8 in the result is repaired with U+FFFD rather than rejected.
    static func percentDecoded(_ bytes: some Collection<UInt8>, plusAsSpace: Bool) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                let first = bytes.index(after: index)
                if first != bytes.endIndex {
                    let second = bytes.index(after: first)
                    if second != bytes.endIndex, let high = hexValue(bytes[first]), let low = hexValue(bytes[second]) {
                        output.append(high << 4 | low)
                        index = bytes.index(after: second)
                        continue
                    }
                }
                output.append(byte)
            } else if plusAsSpace && byte == UInt8(ascii: "+") {
                output.append(space)
            } else {
                output.append(byte)
            }
            index = bytes.index(after: index)
        }
        return String(decoding: output, as: UTF8.self)
    }
}

extension ASCII {
    static func hasPrefixIgnoringCase(_ bytes: some Collection<UInt8>, _ prefix: String) -> Bool {
        guard bytes.count >= prefix.utf8.count else { return false }
        return zip(bytes, prefix.utf8).allSatisfy { lowercased($0) == lowercased($1) }
    }
}
