/// Version and build facts for `--version` and `lanscope_build_info`.
public enum BuildInfo {
    public static let version = "0.2.0"
    /// Toolchain that built the binary.
    public static let swiftVersion: String = {
        #if compiler(>=6.3)
            return "6.3"
        #elseif compiler(>=6.2)
            return "6.2"
        #else
            return "6.0"
        #endif
    }()
}
