/// XDP attach flags and modes from `<linux/if_link.h>`.
enum XDPFlags {
    static let updateIfNoExist: UInt32 = 1 << 0
    static let skbMode: UInt32 = 1 << 1
    static let driverMode: UInt32 = 1 << 2
    static let attachedDriver: UInt8 = 1
    static let attachedSKB: UInt8 = 2
    static let attachedHardware: UInt8 = 3

    static func modeFlag(attachedMode: UInt8) -> UInt32 {
        switch attachedMode {
        case attachedDriver: return driverMode
        case attachedSKB: return skbMode
        case attachedHardware: return 1 << 3
        default: return 0
        }
    }
}
