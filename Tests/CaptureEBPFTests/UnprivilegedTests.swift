@_spi(Testing) import CaptureEBPF
import TestSupport
import Testing

/// Parts of CaptureEBPF that need no privileges.
@Suite struct UnprivilegedTests {
    @Test func embeddedObject_bytes_areAnELFObjectForBPF() {
        let bytes = EBPFCapture.embeddedObjectBytes
        #expect(bytes.count > 1000)
        #expect(Array(bytes.prefix(4)) == [0x7f, 0x45, 0x4c, 0x46], "ELF magic")
        #expect(bytes.count > 19 && bytes[18] == 247 && bytes[19] == 0, "e_machine EM_BPF (247)")
    }

    @Test func embeddedObject_damagedOrEmptyText_isAnErrorNotAnEmptyObject() throws {
        #expect(throws: EBPFError.self) { try EBPFCapture.decodeEmbeddedObject("not*base64") }
        #expect(throws: EBPFError.self) { try EBPFCapture.decodeEmbeddedObject("") }
        do {
            _ = try EBPFCapture.decodeEmbeddedObject("@@@@")
            Issue.record("a damaged object decoded")
        } catch {
            #expect(error.description.contains("not valid base64"))
        }
        #expect(try EBPFCapture.decodeEmbeddedObject("f0VMRg==") == [0x7f, 0x45, 0x4c, 0x46])
    }

    @Test func error_permissionDenied_namesCapabilities() {
        let error = EBPFError.call("bpf_object__load", errno: 1)
        #expect(
            error.description.hasPrefix(
                "bpf_object__load failed: Operation not permitted (errno 1) — needs CAP_BPF and CAP_NET_ADMIN"))
        #expect(!EBPFError.call("bpf_xdp_attach", errno: 19).description.contains("CAP_"))
        #expect(
            EBPFError.call("bpf_xdp_attach", errno: 19).description
                == "bpf_xdp_attach failed: No such device (errno 19)")
    }

    @Test(arguments: [
        EBPFCapture.Configuration(interface: "x", maxDevices: 0),
        EBPFCapture.Configuration(interface: "x", snapLength: 63),
        EBPFCapture.Configuration(interface: "x", snapLength: 4097),
        EBPFCapture.Configuration(interface: "x", synRatePerSecond: 1_000_001),
        EBPFCapture.Configuration(interface: "x", ringBufferBytes: 100),
    ])
    func load_invalidConfiguration_throwsBeforeTouchingTheKernel(configuration: EBPFCapture.Configuration) {
        #expect {
            try EBPFCapture.load(configuration, logger: Privileged.logger)
        } throws: { error in
            guard let error = error as? EBPFError, case .invalidConfiguration = error else { return false }
            return true
        }
    }
}

/// `check` as the CLI's `--check` mode uses it.
@Suite(.needsRoot, .serialized)
struct CheckPrivilegedTests {
    @Test func check_withoutInterface_loadsAndReportsCapabilities() throws {
        let report = EBPFCapture.check(interface: nil, logger: Privileged.logger)
        #expect(report.loaded, "\(report)")
        #expect(report.ok)
        #expect(!report.attachTried)
        #expect(report.kernelBTF)
        #expect(!report.kernelRelease.isEmpty)
        let capabilities = try #require(report.capabilities)
        #expect(capabilities.sufficient, "root has every capability")
        #expect(report.description.contains("load: ok"))
    }

    @Test func check_withInterface_attachesAndDetaches() throws {
        let lab = try VethLab(tag: "k")
        defer { lab.tearDown() }
        let report = EBPFCapture.check(interface: lab.host, logger: Privileged.logger)
        #expect(report.attachTried)
        #expect(report.attached, "\(report)")
        #expect(try lab.attachedXDP() == nil, "check never leaves programs attached")
        #expect(try lab.egressFilters().isEmpty)
    }

    @Test func check_missingInterface_reportsAttachError() {
        let report = EBPFCapture.check(interface: "lsb-missing0", logger: Privileged.logger)
        #expect(report.loaded)
        #expect(!report.ok)
        #expect(report.attachError == "interface lsb-missing0 not found")
    }
}
