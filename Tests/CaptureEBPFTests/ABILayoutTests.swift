import CaptureEBPF
import LanscopeABI
import Testing

/// The Swift view of `bpf/include/lanscope_abi.h` must match the numbers its `_Static_assert`s pin.
@Suite struct ABILayoutTests {
    @Test func deviceKey_layout_matchesHeader() {
        #expect(MemoryLayout<ls_device_key>.size == 8)
        #expect(MemoryLayout<ls_device_key>.offset(of: \.mac) == 0)
        #expect(MemoryLayout<ls_device_key>.offset(of: \.pad) == 6)
    }

    @Test func deviceCounters_layout_matchesHeader() {
        #expect(MemoryLayout<ls_device_counters>.size == 392)
        #expect(MemoryLayout<ls_device_counters>.offset(of: \.packets) == 0)
        #expect(MemoryLayout<ls_device_counters>.offset(of: \.bytes) == 192)
        #expect(MemoryLayout<ls_device_counters>.offset(of: \.last_seen_ns) == 384)
        #expect(MemoryLayout<ls_device_slot>.size == 400)
        #expect(MemoryLayout<ls_device_slot>.offset(of: \.key) == 0)
        #expect(MemoryLayout<ls_device_slot>.offset(of: \.counters) == 8)
        #expect(Int(LS_DIR_COUNT.rawValue * LS_FAMILY_COUNT.rawValue * LS_L4_COUNT.rawValue) == 24)
    }

    @Test func eventHeader_layout_matchesHeader() {
        #expect(MemoryLayout<ls_event_header>.size == 24)
        #expect(MemoryLayout<ls_event_header>.offset(of: \.timestamp_ns) == 0)
        #expect(MemoryLayout<ls_event_header>.offset(of: \.ifindex) == 8)
        #expect(MemoryLayout<ls_event_header>.offset(of: \.wire_len) == 12)
        #expect(MemoryLayout<ls_event_header>.offset(of: \.cap_len) == 16)
        #expect(MemoryLayout<ls_event_header>.offset(of: \.capture_point) == 18)
        #expect(MemoryLayout<ls_event_header>.offset(of: \.abi_version) == 19)
        #expect(MemoryLayout<ls_event_header>.offset(of: \.reserved) == 20)
    }

    @Test func tokenBucketAndConfig_layout_matchesHeader() {
        #expect(MemoryLayout<ls_clock_cache>.size == 16)
        #expect(MemoryLayout<ls_clock_cache>.offset(of: \.monotonic_ns) == 8)
        #expect(MemoryLayout<ls_token_bucket>.size == 16)
        #expect(MemoryLayout<ls_token_bucket>.offset(of: \.updated_ns) == 8)
        #expect(MemoryLayout<ls_config>.size == 48)
        #expect(MemoryLayout<ls_config>.offset(of: \.hash_seed) == 24)
        #expect(MemoryLayout<ls_config>.offset(of: \.slot_count) == 16)
        #expect(MemoryLayout<ls_config>.offset(of: \.snap_len) == 0)
        #expect(MemoryLayout<ls_config>.offset(of: \.syn_rate_per_sec) == 4)
        #expect(MemoryLayout<ls_config>.offset(of: \.syn_burst) == 8)
        #expect(MemoryLayout<ls_config>.offset(of: \.count_ingress_dst) == 12)
        #expect(MemoryLayout<ls_config>.offset(of: \.dns_rate_per_sec) == 32)
        #expect(MemoryLayout<ls_config>.offset(of: \.dns_burst) == 36)
        #expect(MemoryLayout<ls_config>.offset(of: \.payload_rate_per_sec) == 40)
        #expect(MemoryLayout<ls_config>.offset(of: \.payload_burst) == 44)
    }

    @Test func enums_values_matchDropReasonsAndVersion() {
        #expect(LS_ABI_VERSION == 4)
        #expect(CaptureEBPFModule.abiVersion == Int(LS_ABI_VERSION))
        #expect(LS_DROP_REASON_COUNT.rawValue == UInt32(DropReason.allCases.count))
        #expect(
            DropReason.allCases.map(\.rawValue).sorted() == [
                "buffer_full", "dns_rate_limited", "malformed", "map_full", "payload_rate_limited", "rate_limited",
                "truncated",
            ])
        #expect(EBPFCapture.Configuration(interface: "x").snapLength == Int(LS_SNAP_DEFAULT))
    }

    @Test func embeddedObject_mapNames_equalABIConstants() throws {
        let names = try EBPFCapture.embeddedObjectNames()
        #expect(names.maps.sorted() == EBPFCapture.mapNames.sorted())
        #expect(
            Set(EBPFCapture.mapNames) == [
                LS_MAP_DEVICES, LS_MAP_EVENTS, LS_MAP_DROPS, LS_MAP_SYN_TOKENS, LS_MAP_DNS_TOKENS,
                LS_MAP_PAYLOAD_TOKENS, LS_MAP_CLOCK,
            ])
        #expect(names.internalMaps.contains { $0.hasSuffix(LS_CONFIG_SECTION) })
        #expect(names.programs.sorted() == EBPFCapture.programNames.sorted())
        // The kernel keeps 15 characters of a name; longer ones would break lookup by name.
        #expect((EBPFCapture.mapNames + EBPFCapture.programNames).allSatisfy { $0.utf8.count <= 15 })
    }
}
