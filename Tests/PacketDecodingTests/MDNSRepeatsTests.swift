import CapturePcap
import LanscopeCore
import TestSupport
import Testing

@testable import PacketDecoding

/// A `DecodeResult` reused across frames answers a repeated mDNS message from what the first decode
/// gave (`MDNSRepeats`): the same facts as a fresh decode, with the new frame's time.
@Suite struct MDNSRepeatsTests {
    let decoder = FrameDecoder(linkType: .ethernet)
    static let t1 = Timestamp(seconds: 1_700_000_000)
    static let t2 = Timestamp(seconds: 1_700_000_007)
    typealias B = FrameBuilder

    static func announcement(port: Int = 631) -> [UInt8] {
        var message = B.dnsHeader(flags: 0x8400, questions: 0, answers: 4, additionals: 0)
        message += B.record(
            B.name("_ipp._tcp.local"), type: 12, recordClass: 1, data: B.name("Office Printer._ipp._tcp.local"))
        message += B.record(
            B.name("Office Printer._ipp._tcp.local"), type: 33,
            data: B.be16(0) + B.be16(0) + B.be16(port) + B.name("printer.local"))
        message += B.record(
            B.name("Office Printer._ipp._tcp.local"), type: 16, data: [6] + Array("ty=HP1".utf8))
        message += B.record(B.name("printer.local"), type: 1, data: [192, 168, 1, 50])
        return message
    }

    static func frame(_ message: [UInt8], from mac: String = "00:11:22:33:44:55") -> [UInt8] {
        B.udpFrame(
            sourceMAC: mac, destinationMAC: "01:00:5e:00:00:fb", sourceIP: "192.168.1.50",
            destinationIP: "224.0.0.251", sourcePort: 5353, destinationPort: 5353, payload: message)
    }

    func decode(_ frame: [UInt8], at time: Timestamp, into result: inout DecodeResult) {
        frame.withUnsafeBytes { decoder.decode($0, wireLength: frame.count, time: time, into: &result) }
    }

    @Test func decode_repeatedAnnouncement_sameFactsAsFreshDecodeWithNewTime() {
        let frame = Self.frame(Self.announcement())
        var reused = DecodeResult()
        decode(frame, at: Self.t1, into: &reused)
        #expect(reused.mdnsRepeats.count == 1)
        decode(frame, at: Self.t2, into: &reused)
        let fresh = decoder.decode(frame, time: Self.t2)
        #expect(fresh.observations.count == 3)  // hostname, address, service
        #expect(reused.observations == fresh.observations)
        #expect(reused.observations.allSatisfy { $0.time == Self.t2 })
        #expect(reused.discovery == .mdns)
        #expect(reused.error == nil)
        #expect(reused.mdnsRepeats.hits == 1)
    }

    @Test func decode_changedPayloadSameLength_notTakenForRepeat() {
        var reused = DecodeResult()
        decode(Self.frame(Self.announcement(port: 631)), at: Self.t1, into: &reused)
        // One byte differs (the SRV port): same sender, same length, same slot.
        let changed = Self.frame(Self.announcement(port: 632))
        decode(changed, at: Self.t2, into: &reused)
        let fresh = decoder.decode(changed, time: Self.t2)
        #expect(reused.observations == fresh.observations)
        let ports = reused.observations.compactMap { o -> UInt16? in
            if case .service(let service) = o.fact { return service.port }
            return nil
        }
        #expect(ports == [632])
        #expect(reused.mdnsRepeats.hits == 0)
    }

    @Test func decode_sameMessageFromAnotherSender_attributedToThatSender() {
        var reused = DecodeResult()
        decode(Self.frame(Self.announcement()), at: Self.t1, into: &reused)
        let other = Self.frame(Self.announcement(), from: "00:11:22:33:44:66")
        decode(other, at: Self.t2, into: &reused)
        #expect(reused.observations == decoder.decode(other, time: Self.t2).observations)
        #expect(reused.observations.allSatisfy { $0.mac == MACAddress("00:11:22:33:44:66")! })
    }

    @Test func decode_malformedMessage_notHeldAndStillAnError() {
        var message = Self.announcement()
        message.removeLast(3)
        let frame = Self.frame(message)
        var reused = DecodeResult()
        decode(frame, at: Self.t1, into: &reused)
        decode(frame, at: Self.t2, into: &reused)
        #expect(reused.error?.layer == .mdns)
        #expect(reused.error == decoder.decode(frame, time: Self.t2).error)
        #expect(reused.observations.isEmpty)
        #expect(reused.mdnsRepeats.count == 0)
    }

    @Test func store_manySendersAndLongMessages_stayWithinCaps() {
        var reused = DecodeResult()
        var long = B.dnsHeader(flags: 0x8400, questions: 0, answers: 1, additionals: 0)
        long += B.record(
            B.name("printer.local"), type: 16,
            data: Array(repeating: [40] + Array(repeating: UInt8(ascii: "a"), count: 40), count: 14).flatMap { $0 })
        #expect(long.count > MDNSRepeats.maximumPayload)
        decode(Self.frame(long), at: Self.t1, into: &reused)
        #expect(reused.mdnsRepeats.count == 0)
        let senders = MDNSRepeats.slotCount + 500
        for n in 0..<senders {
            let mac = MACAddress(rawValue: 0x0200_0000_0000 | UInt64(n))
            decode(Self.frame(Self.announcement(), from: "\(mac)"), at: Self.t1, into: &reused)
            #expect(reused.observations.count == 3)
        }
        #expect(reused.mdnsRepeats.count > 0)
        #expect(reused.mdnsRepeats.count <= MDNSRepeats.slotCount)
    }

    /// Senders whose same message falls in one set, found by search (the index is a hash).
    static func collidingSenders(_ count: Int, message: [UInt8]) -> [MACAddress] {
        message.withUnsafeBytes { payload in
            let first = MACAddress(rawValue: 0x0200_0000_0001)
            let set = MDNSRepeats.setIndex(sender: first, payload: payload)
            var found = [first]
            var raw: UInt64 = 0x0200_0000_0002
            while found.count < count {
                let mac = MACAddress(rawValue: raw)
                if MDNSRepeats.setIndex(sender: mac, payload: payload) == set { found.append(mac) }
                raw += 1
            }
            return found
        }
    }

    @Test func store_twoMessagesInOneSet_bothHeldAndThirdEvictsLeastRecent() {
        let message = Self.announcement()
        let senders = Self.collidingSenders(3, message: message)
        let frames = senders.map { Self.frame(message, from: "\($0)") }
        var reused = DecodeResult()
        decode(frames[0], at: Self.t1, into: &reused)
        decode(frames[1], at: Self.t1, into: &reused)
        decode(frames[0], at: Self.t2, into: &reused)
        #expect(reused.mdnsRepeats.hits == 1)
        // frames[0] was used last: the third sender replaces frames[1]'s entry.
        decode(frames[2], at: Self.t1, into: &reused)
        decode(frames[0], at: Self.t2, into: &reused)
        #expect(reused.mdnsRepeats.hits == 2)
        decode(frames[1], at: Self.t2, into: &reused)
        #expect(reused.mdnsRepeats.hits == 2)
        #expect(reused.observations == decoder.decode(frames[1], time: Self.t2).observations)
    }

    /// Every mDNS frame of the corpus through one reused result and through a fresh one each time:
    /// the same observations, discovery and errors, frame by frame.
    @Test(.needsCorpus) func corpus_reusedResult_sameAsFreshDecode() throws {
        try Corpus.require()
        var compared = 0
        var repeats: UInt64 = 0
        for entry in Corpus.manifest where entry.protocols.contains("mdns") {
            guard let loaded = try? Corpus.frames(entry.path) else { continue }
            let decoder = FrameDecoder(linkType: loaded.linkType)
            var reused = DecodeResult()
            for frame in loaded.frames {
                frame.bytes.withUnsafeBytes {
                    decoder.decode($0, wireLength: frame.wireLength, time: frame.time, into: &reused)
                }
                let fresh = decoder.decode(frame.bytes, wireLength: frame.wireLength, time: frame.time)
                guard fresh.discovery == .mdns else { continue }
                compared += 1
                #expect(reused.observations == fresh.observations, "\(entry.path) frame \(frame.number)")
                #expect(reused.error == fresh.error, "\(entry.path) frame \(frame.number)")
                #expect(reused.discovery == fresh.discovery)
            }
            repeats += reused.mdnsRepeats.hits
        }
        #expect(compared > 100, "the corpus has mDNS frames")
        #expect(repeats > 0, "some corpus mDNS messages repeat")
    }
}
