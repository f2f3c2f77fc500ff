import Foundation
import Testing

/// `make test-privileged` selects suites by name (`--filter PrivilegedTests`): every suite or test gated on
/// root must live in a suite whose name ends in `PrivilegedTests`, or CI's privileged run would miss it.
@Suite struct TestConventionTests {
    @Test func everyRootGatedTest_isInASuiteNamedPrivilegedTests() throws {
        let tests = TestPaths.repositoryRoot.appendingPathComponent("Tests")
        let enumerator = try #require(FileManager.default.enumerator(atPath: tests.path))
        var gated = 0
        var misnamed: [String] = []
        for case let item as String in enumerator where item.hasSuffix(".swift") && !item.hasPrefix("TestSupport/") {
            let lines = try String(contentsOf: tests.appendingPathComponent(item), encoding: .utf8)
                .components(separatedBy: "\n")
            for (index, line) in lines.enumerated() where line.contains(".needsRoot") && !line.contains("//") {
                gated += 1
                // A suite's trait is followed by its struct, a test's by its func (whose suite is the last
                // struct before it).
                let next = lines[index...].first { Self.structName($0) != nil || $0.contains("func ") } ?? ""
                let candidates = Self.structName(next) != nil ? [next] : Array(lines[...index].reversed())
                let name = candidates.lazy.compactMap(Self.structName).first ?? "?"
                if !name.hasSuffix("PrivilegedTests") { misnamed.append("\(item): \(name)") }
            }
        }
        #expect(gated >= 6, "found \(gated) root-gated suites or tests")
        #expect(misnamed.isEmpty, "rename to *PrivilegedTests: \(misnamed)")
    }

    static func structName(_ line: String) -> String? {
        guard let range = line.range(of: #"struct [A-Za-z0-9_]+"#, options: .regularExpression) else { return nil }
        return String(line[range].dropFirst("struct ".count))
    }
}
