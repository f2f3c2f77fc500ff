import Foundation
import LanscopeCore
import TestSupport
import Testing

@testable import LanscopeService

/// "Online" has one definition (`DeviceRendering.Presence`): `replay`'s summary, `list` and the HTTP
/// side measure it the same way, from the same reference time.
@Suite struct PresenceTests {
    let captureEnd = Timestamp(nanoseconds: 1_800_000_000_000_000_000)
    let wallClock = Timestamp(nanoseconds: 1_900_000_000_000_000_000)

    @Test func presenceReference_isCaptureEnd_whenNoDeviceSeenAfterIt() {
        let now = DeviceRendering.Presence.reference(
            wallClock: wallClock, newestReplayedPacket: captureEnd, newestSighting: captureEnd)
        #expect(now == captureEnd)
    }

    @Test func presenceReference_isWallClock_whenLiveDataIsNewer() {
        let later = captureEnd + .seconds(3600)
        let now = DeviceRendering.Presence.reference(
            wallClock: wallClock, newestReplayedPacket: captureEnd, newestSighting: later)
        #expect(now == wallClock)
        let noReplay = DeviceRendering.Presence.reference(
            wallClock: wallClock, newestReplayedPacket: nil, newestSighting: later)
        #expect(noReplay == wallClock)
    }

    @Test func presenceWindow_isFiveMinutesEverywhere() {
        #expect(DeviceRendering.Presence.defaultWindow == .seconds(300))
        #expect(MetricsCollector.Configuration().presenceWindow == DeviceRendering.Presence.defaultWindow)
        #expect(DeviceRendering.Presence(now: captureEnd).window == DeviceRendering.Presence.defaultWindow)
    }

    /// The real executable: the devices `replay` counts online are the ones `list --online true` shows.
    @Test func online_replaySummaryAndList_agree() throws {
        let lanscope = TestPaths.executable
        let db = TestPaths.temporaryDirectory().appendingPathComponent("presence.db").path
        let (status, summary, err) = try run(lanscope, ["replay", TestPaths.sampleCapture, "--db", db, "--json"])
        #expect(status == 0, "\(err)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(summary.utf8)) as? [String: Any])
        let replayOnline = try #require(object["online_devices"] as? Int)
        let total = try #require(object["devices"] as? Int)
        #expect(replayOnline > 0, "the sample's devices are all seen in its last 5 minutes")

        let (ls, listed, lerr) = try run(lanscope, ["list", "--online", "true", "--json", "--db", db])
        #expect(ls == 0, "\(lerr)")
        let online = try #require(try JSONSerialization.jsonObject(with: Data(listed.utf8)) as? [[String: Any]])
        #expect(online.count == replayOnline)
        #expect(online.allSatisfy { $0["online"] as? Bool == true })
        let (_, offlineText, _) = try run(lanscope, ["list", "--online", "false", "--json", "--db", db])
        let offline = try #require(try JSONSerialization.jsonObject(with: Data(offlineText.utf8)) as? [[String: Any]])
        #expect(offline.count == total - replayOnline)

        let (_, text, _) = try run(lanscope, ["replay", TestPaths.sampleCapture, "--db", db])
        #expect(text.contains("(0 new, \(replayOnline) online)"), "\(text)")
    }
}
