internal import LanscopeABI
import Platform

/// CaptureEBPF: loads lanscope's BPF object (XDP ingress + TC egress programs, built from `bpf/` and
/// embedded by BPFObjectPlugin), attaches it to the LAN interface, reads the per-device counter and
/// drop maps, and drains discovery frames from the perf buffer. Imports LanscopeCore, CLibBPF and
/// LanscopeABI; no C type appears in its public API.
public enum CaptureEBPFModule {
    /// Version of the kernel/userspace ABI (`LS_ABI_VERSION` in `bpf/include/lanscope_abi.h`).
    public static var abiVersion: Int { Int(LS_ABI_VERSION) }
}

/// Holds the BPF objects embedded at build time (extended by the generated `EmbeddedBPFObject+*.swift`).
enum EmbeddedBPFObject {
    /// The object's bytes, decoded once; a failure is kept and reported by every load.
    static let lanscope: Result<[UInt8], EBPFError> = decode(lanscopeBase64)

    /// The embedded text as object bytes: an error, never an empty object, when it is not usable.
    static func decode(_ text: String) -> Result<[UInt8], EBPFError> {
        guard let bytes = Base64.decode(text) else {
            return .failure(.object("the embedded object is not valid base64 (a damaged build); rebuild lanscope"))
        }
        guard !bytes.isEmpty else { return .failure(.object("the embedded object is empty (bpf/ did not compile)")) }
        return .success(bytes)
    }
}
