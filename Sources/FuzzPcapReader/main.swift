/// libFuzzer entry point for the capture-file path `lanscope replay` and `run --pcap` take: each
/// input is written to a file and read as a capture through `PcapFileReader` (libpcap: pcap in
/// either byte order and timestamp precision, pcapng with any number of sections and interfaces),
/// every packet decoded by `FrameDecoder` for the file's link type and folded into a small
/// `DeviceRegistry`, as the pipeline does. Unlike `FuzzDecoders` (4 KiB inputs, frames), inputs
/// here are whole files up to 64 KiB, seeded with the public captures (`Tests/Fuzz/run.sh`).
/// Build: `swift build -c release --product FuzzPcapReader --sanitize=fuzzer --sanitize=address`
/// with the flags in `Tests/Fuzz/run.sh`.
import CapturePcap
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
    do {
        try reader.forEachPacket { frame, wireLength, time in
            packets += 1
            // A record never hands out more bytes than the input held.
            precondition(frame.count <= size)
            decoder.decode(frame, wireLength: wireLength, time: time, into: &result)
            registry.count(result.summary, at: time)
            _ = registry.record(result.observations)
        }
    } catch {
        _ = error.description
    }
    precondition(reader.packetsRead == packets)
    precondition(registry.snapshot().count <= registryConfiguration.maxDevices)
    return 0
}
