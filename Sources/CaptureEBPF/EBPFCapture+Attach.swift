internal import CLibBPF
internal import LanscopeABI
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

extension EBPFCapture {
    /// Attaches XDP to the interface's ingress (native first in `.auto`, generic as fallback) and the TC
    /// program to its clsact egress hook. A lanscope XDP program left behind by an earlier run is
    /// replaced; any other XDP program makes this fail. Attaching twice is a no-op.
    public func attach() throws(EBPFError) {
        try attachment.withLock { (state: inout Attachment?) throws(EBPFError) in
            guard state == nil else { return }
            state = try attachPrograms()
        }
    }

    /// Removes our XDP program and our TC filter (and the clsact qdisc if `attach` created it).
    /// Idempotent; tolerates an interface that has disappeared.
    public func detach() {
        attachment.withLock { state in
            guard let current = state else { return }
            detachPrograms(current)
            state = nil
        }
    }

    /// Call every few seconds. When the interface was recreated (new ifindex) or our programs were
    /// removed from it, attaches again and returns `true`. A missing interface is waited for.
    public func reattachIfNeeded() -> Bool {
        attachment.withLock { state in
            guard let current = state else { return false }
            let ifindex = Int32(bitPattern: if_nametoindex(configuration.interface))
            guard ifindex > 0 else { return false }
            let recreated = ifindex != current.ifindex
            if !recreated && programsAttached(ifindex: ifindex) { return false }
            if !recreated { detachPrograms(current) }
            do {
                state = try attachPrograms()
                logger.notice(
                    "eBPF programs reattached",
                    metadata: [
                        "interface": "\(configuration.interface)", "ifindex": "\(ifindex)",
                        "reason": "\(recreated ? "interface recreated" : "programs missing")",
                    ])
                return true
            } catch {
                logger.error(
                    "eBPF reattach failed",
                    metadata: ["interface": "\(configuration.interface)", "error": "\(error)"])
                return false
            }
        }
    }

    /// The interface index the programs are attached to, or `nil`.
    public var attachedInterfaceIndex: Int? { attachment.withLock { $0.map { Int($0.ifindex) } } }

    func attachPrograms() throws(EBPFError) -> Attachment {
        let name = configuration.interface
        let ifindex = Int32(bitPattern: if_nametoindex(name))
        guard ifindex > 0 else { throw .interfaceNotFound(name) }
        try removeStaleXDP(ifindex: ifindex)
        let modeFlag = try attachXDP(ifindex: ifindex)
        let createdHook: Bool
        do {
            createdHook = try attachTC(ifindex: ifindex)
        } catch {
            _ = ls_xdp_detach(ifindex, modeFlag)
            throw error
        }
        logger.info(
            "eBPF programs attached",
            metadata: [
                "interface": "\(name)", "ifindex": "\(ifindex)",
                "xdpMode": "\(modeFlag == XDPFlags.driverMode ? "native" : "generic")",
            ])
        return Attachment(ifindex: ifindex, xdpModeFlag: modeFlag, createdTCHook: createdHook)
    }

    func detachPrograms(_ current: Attachment) {
        var programID: UInt32 = 0
        var mode: UInt8 = 0
        if ls_xdp_query(current.ifindex, &programID, &mode) == 0, programID != 0, programID == ls_prog_id(xdpFD) {
            let result = ls_xdp_detach(current.ifindex, XDPFlags.modeFlag(attachedMode: mode))
            if result != 0 {
                logger.warning(
                    "XDP detach failed", metadata: ["error": "\(EBPFError.libbpf("bpf_xdp_detach", result))"])
            }
        }
        let result = ls_tc_detach_egress(current.ifindex, UInt32(LS_TC_HANDLE), UInt32(LS_TC_PRIORITY))
        if result != 0 && result != -ENOENT && result != -ENODEV && result != -EINVAL {
            logger.warning("TC detach failed", metadata: ["error": "\(EBPFError.libbpf("bpf_tc_detach", result))"])
        }
        if current.createdTCHook { _ = ls_tc_hook_destroy(current.ifindex) }
        logger.info("eBPF programs detached", metadata: ["interface": "\(configuration.interface)"])
    }

    func programsAttached(ifindex: Int32) -> Bool {
        var xdpID: UInt32 = 0
        var mode: UInt8 = 0
        guard ls_xdp_query(ifindex, &xdpID, &mode) == 0, xdpID == ls_prog_id(xdpFD) else { return false }
        var tcID: UInt32 = 0
        guard ls_tc_query_egress(ifindex, UInt32(LS_TC_HANDLE), UInt32(LS_TC_PRIORITY), &tcID) == 0 else {
            return false
        }
        return tcID == ls_prog_id(tcFD)
    }

    /// Detaches a lanscope XDP program a crashed run left on the interface.
    func removeStaleXDP(ifindex: Int32) throws(EBPFError) {
        var programID: UInt32 = 0
        var mode: UInt8 = 0
        let query = ls_xdp_query(ifindex, &programID, &mode)
        guard query == 0 else { throw .libbpf("bpf_xdp_query", query) }
        guard programID != 0 else { return }
        var nameBuffer = [CChar](repeating: 0, count: 32)
        let nameResult = ls_prog_name_by_id(programID, &nameBuffer, nameBuffer.count)
        let name =
            nameResult == 0
            ? String(decoding: nameBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
        guard name == LS_PROG_XDP else {
            throw .foreignXDPProgram(interface: configuration.interface, name: name, id: programID)
        }
        logger.warning(
            "replacing lanscope XDP program left attached by an earlier run",
            metadata: ["interface": "\(configuration.interface)", "programID": "\(programID)"])
        let result = ls_xdp_detach(ifindex, XDPFlags.modeFlag(attachedMode: mode))
        guard result == 0 else { throw .libbpf("bpf_xdp_detach", result) }
    }

    /// Returns the mode flag the program went in with.
    func attachXDP(ifindex: Int32) throws(EBPFError) -> UInt32 {
        let modes: [UInt32]
        switch configuration.xdpMode {
        case .native: modes = [XDPFlags.driverMode]
        case .generic: modes = [XDPFlags.skbMode]
        case .auto: modes = [XDPFlags.driverMode, XDPFlags.skbMode]
        }
        var lastResult: Int32 = 0
        for mode in modes {
            lastResult = ls_xdp_attach(ifindex, xdpFD, mode | XDPFlags.updateIfNoExist)
            if lastResult == 0 { return mode }
            logger.debug(
                "XDP attach attempt failed",
                metadata: ["mode": "\(mode == XDPFlags.driverMode ? "native" : "generic")", "errno": "\(-lastResult)"])
        }
        throw .libbpf("bpf_xdp_attach", lastResult)
    }

    /// Returns whether this call created the clsact qdisc.
    func attachTC(ifindex: Int32) throws(EBPFError) -> Bool {
        let hook = ls_tc_hook_create(ifindex)
        guard hook == 0 || hook == -EEXIST else { throw .libbpf("bpf_tc_hook_create", hook) }
        // BPF_TC_F_REPLACE: our fixed handle/priority slot may still hold a crashed run's filter.
        let result = ls_tc_attach_egress(ifindex, tcFD, UInt32(LS_TC_HANDLE), UInt32(LS_TC_PRIORITY))
        guard result == 0 else {
            if hook == 0 { _ = ls_tc_hook_destroy(ifindex) }
            throw .libbpf("bpf_tc_attach", result)
        }
        return hook == 0
    }
}
