/// libFuzzer entry point for the packet decoders: each input is decoded as a frame of every link
/// type and handed to every protocol decoder directly; inputs that start like a capture file are
/// also replayed through PcapFileReader (whole files are fuzzed by `FuzzPcapReader`). Build with
/// `swift build -c release --product FuzzDecoders --sanitize=fuzzer --sanitize=address
///  -Xswiftc -sanitize=fuzzer,address --scratch-path .build/fuzz`:
/// with Swift 6.3.1 the two `--sanitize` flags reach the compiler as separate `-sanitize=` options
/// of which only one survives (which one varies between runs), leaving the code without coverage
/// counters or without ASan; the combined `-Xswiftc` option makes both stick. A scratch path of its
/// own keeps the instrumented objects apart from the normal release build, which SwiftPM would
/// otherwise reuse. Run: `.build/fuzz/release/FuzzDecoders CORPUS_DIR Tests/PacketDecodingTests/Fixtures/fuzz-seeds`.
import CapturePcap
import Glibc
import LanscopeCore
import PacketDecoding

private let decoders = [
    FrameDecoder(linkType: .ethernet), FrameDecoder(linkType: .linuxSLL),
    FrameDecoder(linkType: .linuxSLL2),
]
private let capturePath = "/tmp/lanscope-fuzz-\(getpid()).pcap"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    var result = DecodeResult()
    for decoder in decoders {
        decoder.decode(bytes, wireLength: size, time: .zero, into: &result)
        for observation in result.observations { precondition(observation.mac.isUnicastDevice) }
    }
    decodeDirectly(bytes)
    if size >= 24, isCaptureFile(bytes) { replay(bytes) }
    return 0
}

private func decodeDirectly(_ bytes: UnsafeRawBufferPointer) {
    if let packet = try? ARPPacket(parsing: bytes) { _ = packet.isGratuitous }
    if let message = try? DHCPv4Message(parsing: bytes) {
        _ = message.clientHostname
        _ = message.clientFingerprint
        _ = message.serverIdentifier
    }
    if let message = try? DNSMessage(parsing: bytes) {
        let announcement = MDNSAnnouncement(message: message)
        precondition(announcement.hostnames.allSatisfy { $0.utf8.count <= 255 * 3 })
        for record in message.allRecords { _ = record.data.txtEntries }
    }
    if let message = try? SSDPMessage(parsing: bytes) {
        precondition(message.headers.count <= SSDPMessage.maximumHeaders)
        _ = message.server
        _ = message.uniqueServiceName
    }
    if let packet = try? LLDPPacket(parsing: bytes) {
        _ = packet.managementAddresses.count
        _ = packet.inventory
    }
    if let packet = try? CDPPacket(parsing: bytes) {
        precondition(packet.addresses.count <= 64)
        _ = packet.inventory
    }
    if let message = try? NBNSMessage(parsing: bytes) { _ = message.name }
    if let message = try? UbiquitiDiscoveryMessage(parsing: bytes) {
        precondition(message.addresses.count <= 32 && message.macAddresses.count <= 32)
        precondition((message.hostname?.utf8.count ?? 0) <= 255 * 3 && (message.firmware?.utf8.count ?? 0) <= 256 * 3)
        _ = message.inventory
    }
    if let message = try? DHCPv6Message(parsing: bytes) {
        precondition(message.optionRequest.count <= 128 && (message.clientDUID?.count ?? 0) <= 130)
        _ = message.clientFingerprint?.duidLinkLayerAddress
        _ = message.hostname
    }
    if let query = try? DNSQuery(parsing: bytes) {
        for question in query.questions {
            if let name = DNSQuery.keptName(question.name) { precondition(name.utf8.count <= 255) }
        }
    }
    if TLSClientHello.looksLikeClientHello(bytes), let hello = try? TLSClientHello(parsing: bytes) {
        precondition(hello.alpn.count <= 16 && hello.extensions.count <= 512)
        let ja4 = hello.ja4
        precondition(ja4.utf8.count == 36)  // every section has a fixed width
        _ = hello.fingerprint
    }
    if let head = HTTPRequestHead(parsing: bytes) {
        precondition((head.userAgent?.utf8.count ?? 0) <= 8192 * 3 && (head.host?.utf8.count ?? 0) <= 8192 * 3)
    }
    if let signature = try? TCPSignature(
        ipVersion: 4, ttl: 64, dontFragment: true, window: 0,
        parsingOptions: UnsafeRawBufferPointer(rebasing: bytes.prefix(40)))
    {
        precondition(signature.options.count <= 40)
        _ = signature.signature
    }
    var reader = ByteReader(bytes)
    if let message = try? ICMPv6Message(from: &reader) {
        precondition(message.prefixes.count <= 16)
        _ = message.routerAdvertisement
    }
    reader = ByteReader(bytes)
    if let header = try? IPv6Header(from: &reader) {
        precondition(header.extensionHeaderCount <= IPv6Header.maximumExtensionHeaders)
    }
    reader = ByteReader(bytes)
    _ = try? IPv4Header(from: &reader)
    reader = ByteReader(bytes)
    _ = try? TCPHeader(from: &reader)
    reader = ByteReader(bytes)
    _ = try? UDPHeader(from: &reader)
    reader = ByteReader(bytes)
    _ = try? DNSName(from: &reader)
}

/// pcap (microsecond and nanosecond) in either byte order, and pcapng, whose section header block
/// type reads the same both ways. The magic is loaded little-endian, so a big-endian file's magic
/// appears byte-swapped; before, only little-endian pcap reached the reader.
private func isCaptureFile(_ bytes: UnsafeRawBufferPointer) -> Bool {
    let magic = bytes.loadUnaligned(as: UInt32.self)
    return [0xA1B2_C3D4, 0xA1B2_3C4D, 0xD4C3_B2A1, 0x4D3C_B2A1, 0x0A0D_0D0A].contains(magic)
}

private func replay(_ bytes: UnsafeRawBufferPointer) {
    guard let file = fopen(capturePath, "wb") else { return }
    fwrite(bytes.baseAddress, 1, bytes.count, file)
    fclose(file)
    defer { unlink(capturePath) }
    guard let reader = try? PcapFileReader(path: capturePath) else { return }
    let decoder = FrameDecoder(linkType: reader.linkType)
    var result = DecodeResult()
    try? reader.forEachPacket { frame, wireLength, time in
        decoder.decode(frame, wireLength: wireLength, time: time, into: &result)
        // A result reused across frames answers repeated mDNS messages from its memo
        // (`MDNSRepeats`): it must give exactly what a fresh decode gives.
        var fresh = DecodeResult()
        decoder.decode(frame, wireLength: wireLength, time: time, into: &fresh)
        precondition(result.observations == fresh.observations && result.error == fresh.error)
    }
}
