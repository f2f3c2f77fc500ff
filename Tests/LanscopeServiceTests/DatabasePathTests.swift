import Foundation
import Testing

@testable import LanscopeService

/// The service and the CLI find the same database without --db: $LANSCOPE_DB, the system sensor's file,
/// then the user's data directory.
@Suite struct DatabasePathTests {
    @Test func searchOrder_environmentThenSystemFileThenUserDirectory() {
        let user = ["HOME": "/home/u"]
        #expect(
            HistoryPaths.defaultDatabasePath(
                environment: user.merging(["LANSCOPE_DB": "/srv/x.db"]) { $1 }, exists: { _ in true })
                == "/srv/x.db")
        #expect(
            HistoryPaths.defaultDatabasePath(environment: user, exists: { $0 == HistoryPaths.systemDatabasePath })
                == "/var/lib/lanscope/lanscope.db")
        #expect(
            HistoryPaths.defaultDatabasePath(environment: user, exists: { _ in false })
                == "/home/u/.local/share/lanscope/lanscope.db")
        #expect(
            HistoryPaths.defaultDatabasePath(
                environment: ["XDG_DATA_HOME": "/data", "LANSCOPE_DB": ""], exists: { _ in false })
                == "/data/lanscope/lanscope.db")
    }

    /// The shipped unit writes where the CLI looks first.
    @Test func systemdUnit_writesTheSystemDatabase() throws {
        let unit = try String(
            contentsOf: TestPaths.repositoryRoot.appendingPathComponent("deploy/lanscope.service"), encoding: .utf8)
        #expect(unit.contains("Environment=LANSCOPE_DB=\(HistoryPaths.systemDatabasePath)"))
        #expect(!unit.contains("--db "))
    }
}
