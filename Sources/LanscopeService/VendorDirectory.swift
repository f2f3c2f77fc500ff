import Fingerprinting
import LanscopeCore
import Logging

/// The vendor registry as the service uses it: loaded once. When the default registry can't be loaded,
/// lanscope runs without vendor names and says why; a registry named with `--oui-file` that can't be
/// loaded is the caller's error to report (it refuses to start: an explicit setting is not ignored).
public struct VendorDirectory: Sendable {
    public let registry: OUIRegistry?
    public let loadError: String?

    public static func load(path: String?, logger: Logger) -> VendorDirectory {
        do {
            let registry = try path.map { try OUIRegistry(path: $0) } ?? OUIRegistry.loadDefault()
            return VendorDirectory(registry: registry, loadError: nil)
        } catch {
            guard path == nil else { return VendorDirectory(registry: nil, loadError: "--oui-file: \(error)") }
            let message =
                "vendor registry not loaded: \(error) — install Debian's ieee-data or pass --oui-file; continuing without vendor names"
            logger.warning("vendor registry not loaded", metadata: ["error": "\(error)"])
            return VendorDirectory(registry: nil, loadError: message)
        }
    }

    public var lookup: @Sendable (MACAddress) -> String? {
        let registry = self.registry
        return { mac in registry?.vendor(for: mac) }
    }
}
