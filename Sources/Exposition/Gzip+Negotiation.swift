extension Gzip {
    /// Whether an `Accept-Encoding` header allows a gzip response (RFC 9110 §12.5.3): `gzip` (or its
    /// alias `x-gzip`) with q > 0, or `*` with q > 0 when gzip is not named. Case-insensitive; an
    /// explicit `gzip;q=0` wins over `*`. A malformed `q` counts as 0.
    public static func accepts(acceptEncoding: String?) -> Bool {
        guard let acceptEncoding else { return false }
        var named: Double?
        var wildcard: Double?
        for element in HeaderElement.parse(acceptEncoding) {
            let quality = element.quality ?? 0
            switch element.token {
            case "gzip", "x-gzip": named = max(named ?? 0, quality)
            case "*": wildcard = max(wildcard ?? 0, quality)
            default: continue
            }
        }
        if let named { return named > 0 }
        return (wildcard ?? 0) > 0
    }
}
