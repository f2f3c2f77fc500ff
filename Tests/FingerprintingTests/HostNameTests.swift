import LanscopeCore
import TestSupport
import Testing

@testable import Fingerprinting

/// `Device.hostName` reads ASCII names on their bytes; it must give what the `Character` reading gives.
struct HostNameTests {
    @Test func hostName_onBytes_matchesTheCharacterReading_forNamedCases() {
        let names = [
            "", ".", ":", ":80", "a:", "a:b", "example.com", "example.com.", "example.com:80", "example.com.:443",
            "[fd00::1]:8080", "[fd00::1]", "fd00::1:80", "a:b:c", "host:0x50", "host: 80", "host:８０", "réseau.local:80",
            "x.:", "..", "a.b.c.:8",
        ]
        for name in names {
            #expect(Device.hostName(name) == Device.hostNameByCharacter(name), "\(name)")
        }
        #expect(Device.hostName("dcp.example.com:80") == "dcp.example.com")
        #expect(Device.hostName("[fd00::1]:8080") == "[fd00::1]")
        #expect(Device.hostName("fd00::1:80") == "fd00::1:80")
    }

    @Test func hostName_onBytes_matchesTheCharacterReading_forGeneratedNames() {
        var random = SplitMix64(seed: 0x5eed_4057)
        let alphabet = Array("ab9:.]0[-".utf8)
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...9, using: &random)
            let bytes = (0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &random)] }
            let name = String(decoding: bytes, as: UTF8.self)
            #expect(Device.hostName(name) == Device.hostNameByCharacter(name), "\(name)")
        }
    }
}
