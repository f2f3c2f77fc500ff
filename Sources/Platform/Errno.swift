#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `strerror` text with the symbolic number, e.g. `Not a directory (errno 20)`: how lanscope's errors
/// give a system call's reason.
public func errnoText(_ code: Int32) -> String {
    guard let raw = strerror(code) else { return "errno \(code)" }
    return "\(String(cString: raw)) (errno \(code))"
}
