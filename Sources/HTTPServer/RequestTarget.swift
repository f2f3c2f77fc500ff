/// Splits a request target into path and decoded query (RFC 9112 §3.2).
enum RequestTarget {
    static func split(_ target: [UInt8]) -> (path: String, query: [(name: String, value: String)]) {
        var bytes = target[...]
        if let fragment = bytes.firstIndex(of: UInt8(ascii: "#")) { bytes = bytes[..<fragment] }
        // absolute-form: drop "scheme://authority" and keep the path (RFC 9112 §3.2.2).
        if bytes.first != UInt8(ascii: "/"), let schemeEnd = firstIndex(of: Array("://".utf8), in: bytes) {
            let authorityStart = schemeEnd + 3
            let rest = bytes[authorityStart...]
            if let pathStart = rest.firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") }) {
                bytes = bytes[pathStart...]
            } else {
                bytes = [][...]
            }
        }
        let queryStart = bytes.firstIndex(of: UInt8(ascii: "?"))
        var pathBytes = queryStart.map { bytes[..<$0] } ?? bytes
        if pathBytes.isEmpty { pathBytes = [UInt8(ascii: "/")][...] }
        let path = String(decoding: pathBytes, as: UTF8.self)
        guard let queryStart else { return (path, []) }
        return (path, parseQuery(bytes[(queryStart + 1)...]))
    }

    static func parseQuery(_ bytes: ArraySlice<UInt8>) -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            if let equals = pair.firstIndex(of: UInt8(ascii: "=")) {
                result.append(
                    (
                        ASCII.percentDecoded(pair[..<equals], plusAsSpace: true),
                        ASCII.percentDecoded(pair[(equals + 1)...], plusAsSpace: true)
                    ))
            } else {
                result.append((ASCII.percentDecoded(pair, plusAsSpace: true), ""))
            }
        }
        return result
    }

    private static func firstIndex(of needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var index = haystack.startIndex
        while index + needle.count <= haystack.endIndex {
            if haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            if haystack[index] == UInt8(ascii: "/") { return nil }
            index += 1
        }
        return nil
    }
}
