/// libFuzzer entry point for the capture-file path `lanscope replay` and `run --pcap` take: each
/// input is written to a file and read as a capture through `PcapFileReader` (libpcap: pcap in
/// either byte order and timestamp precision, pcapng with any number of sections and interfaces),
/// every packet decoded by `FrameDecoder` for the file's link type and folded into a small
/// `DeviceRegistry`, as the pipeline does. Unlike `FuzzDecoders` (4 KiB inputs, frames), inputs
/// here are whole files up to 64 KiB, seeded with the public captures (`Tests/Fuzz/run.sh`).
/// A classic pcap file, which `PcapFileReader` reads with its own reader, is read twice more — by
/// libpcap alone and by ours in small chunks (so records cross chunk ends) — and the three readings
/// must agree packet for packet and in how they end.
/// Build: `swift build -c release --product FuzzPcapReader --sanitize=fuzzer --sanitize=address`
/// with the flags in `Tests/Fuzz/run.sh`.
@_spi(Testing) import CapturePcap
import Glibc
import Inventory
import LanscopeCore
import PacketDecoding

// On tmpfs when there is one: a file per input, rewritten in place.
private let capturePath: String = {
    let directory = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
    return "\(directory)/lanscope-fuzz-pcap-\(getpid())"
}()

private let registryConfiguration: DeviceRegistry.Configuration = {
    var configuration = DeviceRegistry.Configuration()
    configuration.maxDevices = 64
    configuration.maxAddressesPerDevice = 8
    configuration.maxServicesPerDevice = 8
    return configuration
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard let file = fopen(capturePath, "wb") else { return 0 }
    if size > 0 { fwrite(data, 1, size, file) }
    fclose(file)
    defer { unlink(capturePath) }

    let reader: PcapFileReader
    do {
        reader = try PcapFileReader(path: capturePath)
    } catch {
        _ = error.description
        return 0
    }
    let decoder = FrameDecoder(linkType: reader.linkType)
    let registry = DeviceRegistry(configuration: registryConfiguration)
    var result = DecodeResult()
    var packets = 0
    var reading = Reading()
    do {
        try reader.forEachPacket { frame, wireLength, time in
            packets += 1
            reading.add(frame, wireLength: wireLength, time: time)
            // A record never hands out more bytes than the input held.
            precondition(frame.count <= size)
            decoder.decode(frame, wireLength: wireLength, time: time, into: &result)
            registry.count(result.summary, at: time)
            _ = registry.record(result.observations)
        }
        reading.end = .endOfFile
    } catch {
        _ = error.description
        if case .truncated(_, let count, _) = error { reading.end = .truncated(count) }
    }
    precondition(reader.packetsRead == packets)
    if reader.readsClassicRecords {
        let libpcap = Reading(path: capturePath, libpcapOnly: true)
        precondition(libpcap.linkType == reader.linkType, "libpcap reads another link type")
        precondition(libpcap == reading, "the classic reader and libpcap differ")
        let chunked = Reading(path: capturePath, libpcapOnly: false, chunkSize: 16 + size % 1009)
        precondition(chunked == reading, "the classic reader differs in small chunks")
    }
    precondition(registry.snapshot().count <= registryConfiguration.maxDevices)
    return 0
}

/// Every packet a reader delivered (bytes, wire length, time) and how it ended.
private struct Reading: Equatable {
    enum End: Equatable {
        case notRead, endOfFile, truncated(Int)
    }
    var linkType: LinkType?
    var bytes: [UInt8] = []
    var packets: [(end: Int, wireLength: Int, time: Timestamp)] = []
    var end = End.notRead

    init() {}

    init(path: String, libpcapOnly: Bool, chunkSize: Int? = nil) {
        guard let reader = try? PcapFileReader(path: path, libpcapOnly: libpcapOnly, chunkSize: chunkSize) else {
            return
        }
        linkType = reader.linkType
        do {
            try reader.forEachPacket { frame, wireLength, time in add(frame, wireLength: wireLength, time: time) }
            end = .endOfFile
        } catch {
            if case .truncated(_, let count, _) = error { end = .truncated(count) }
        }
    }

    mutating func add(_ frame: UnsafeRawBufferPointer, wireLength: Int, time: Timestamp) {
        bytes.append(contentsOf: frame)
        packets.append((bytes.count, wireLength, time))
    }

    static func == (a: Reading, b: Reading) -> Bool {
        a.bytes == b.bytes && a.end == b.end && a.packets.count == b.packets.count
            && zip(a.packets, b.packets).allSatisfy {
                $0.end == $1.end && $0.wireLength == $1.wireLength && $0.time == $1.time
            }
    }
}
