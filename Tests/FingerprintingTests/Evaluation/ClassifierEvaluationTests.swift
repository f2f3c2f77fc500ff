import Fingerprinting
import Foundation
import LanscopeCore
import Testing

/// The classifier on the labelled evaluation set (`make evaluate` prints this suite's report): per-field
/// accuracy on the rules' training devices and, separately, on the held-out devices no rule was written
/// for, a type confusion table, and the cost of one classification.
struct ClassifierEvaluationTests {
    struct Score {
        var right = 0
        var total = 0
        var percent: Double { total == 0 ? 0 : Double(right) * 100 / Double(total) }
        var text: String { total == 0 ? "  n/a" : String(format: "%5.1f%% (%d/%d)", percent, right, total) }
        mutating func add(_ ok: Bool) {
            total += 1
            if ok { right += 1 }
        }
    }

    struct Scores {
        var type = Score()
        var manufacturer = Score()
        var os = Score()
    }

    static func score(_ outcomes: [EvaluationSet.Outcome]) -> Scores {
        var scores = Scores()
        for outcome in outcomes {
            let result = outcome.classification
            if let type = outcome.label.type { scores.type.add(result.type.value == type) }
            if let maker = outcome.label.manufacturer {
                scores.manufacturer.add(EvaluationSet.agrees(maker, result.manufacturer?.value))
            }
            if let os = outcome.label.os { scores.os.add(EvaluationSet.agrees(os, result.os?.value)) }
        }
        return scores
    }

    @Test func evaluation_reachesTheAccuracyFloors_onTheLabelledSet() throws {
        guard let corpus = EvaluationSet.corpus else {
            print("SKIP evaluation: pcap corpus not found (set LANSCOPE_PCAP_CORPUS or place it at ../shared/pcaps)")
            return
        }
        let vendors: OUIRegistry
        do {
            vendors = try OUIRegistry.loadDefault()
        } catch {
            print("SKIP evaluation: IEEE registry not loadable (\(error)); install Debian's ieee-data")
            return
        }
        let outcomes = try EvaluationSet.run(corpus: corpus, vendors: vendors)
        #expect(outcomes.count == (try EvaluationSet.labels()).count)
        #expect(outcomes.allSatisfy { $0.device != nil }, "every labelled MAC must be found in its capture")

        // The namespace devices (real clients in namespaces, captured by Tests/EndToEnd/capture_devices.py as
        // root) are scored on their own: their labels describe what a script made them, not products.
        var namespace: [EvaluationSet.Outcome]? = nil
        if let captures = EvaluationSet.namespaceCaptures {
            namespace = try EvaluationSet.run(
                corpus: captures, vendors: vendors, labels: try EvaluationSet.namespaceLabels())
        }
        report(outcomes, namespace: namespace)
        if let namespace {
            #expect(namespace.allSatisfy { $0.device != nil }, "every namespace device must be in its capture")
            let scores = Self.score(namespace)
            #expect(scores.type.percent >= EvaluationFloors.namespaceType)
            #expect(scores.os.percent >= EvaluationFloors.namespaceOS)
        } else {
            print(
                "SKIP namespace devices: no capture (as root: python3 Tests/EndToEnd/capture_devices.py "
                    + ".build/namespace-captures)")
        }
        let holdout = Self.score(outcomes.filter { $0.label.holdout })
        let firstSet = Self.score(outcomes.filter { !$0.label.review })
        let all = Self.score(outcomes)
        // Floors at what the rules honestly reach today (README "Device identification" gives the figures;
        // the issue's targets are vendor ≥ 95 %, type ≥ 90 %). A change that lowers one fails here.
        #expect(all.manufacturer.percent >= EvaluationFloors.manufacturer)
        #expect(all.type.percent >= EvaluationFloors.type)
        #expect(all.os.percent >= EvaluationFloors.os)
        #expect(holdout.manufacturer.percent >= EvaluationFloors.holdoutManufacturer)
        #expect(holdout.type.percent >= EvaluationFloors.holdoutType)
        #expect(firstSet.type.percent >= EvaluationFloors.firstSetType)
    }

    func report(_ outcomes: [EvaluationSet.Outcome], namespace: [EvaluationSet.Outcome]?) {
        var lines: [String] = ["", "== Classifier evaluation (\(outcomes.count) labelled devices) =="]
        lines += deviceLines(outcomes)
        lines += confusionLines(outcomes)
        for (name, part) in [
            ("train", outcomes.filter { !$0.label.holdout && !$0.label.review }),
            ("holdout", outcomes.filter { $0.label.holdout }), ("review", outcomes.filter { $0.label.review }),
            ("first set", outcomes.filter { !$0.label.review }), ("all", outcomes),
        ] {
            lines.append(scoreLine(name, part))
        }
        if let namespace {
            lines += ["", "== Namespace devices (\(namespace.count), real clients; scored apart) =="]
            lines += deviceLines(namespace)
            lines.append(scoreLine("namespace", namespace))
        } else {
            lines += ["", "namespace devices: not scored (no capture; see Evaluation/README.md)"]
        }
        lines.append(costLine(outcomes))
        let text = lines.joined(separator: "\n") + "\n"
        print(text)
        // Also as a file (`make evaluate` shows it): the runner's console can interleave or drop long output.
        let path =
            ProcessInfo.processInfo.environment["LANSCOPE_EVALUATION_REPORT"]
            ?? NSTemporaryDirectory() + "lanscope-classifier-evaluation.txt"
        try? text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    func scoreLine(_ name: String, _ part: [EvaluationSet.Outcome]) -> String {
        let scores = Self.score(part)
        return "\(name.padding(toLength: 10, withPad: " ", startingAt: 0))type \(scores.type.text)   manufacturer "
            + "\(scores.manufacturer.text)   os \(scores.os.text)"
    }

    func deviceLines(_ outcomes: [EvaluationSet.Outcome]) -> [String] {
        var lines: [String] = []
        for outcome in outcomes {
            let label = outcome.label
            let result = outcome.classification
            func mark(_ ok: Bool?) -> String { ok.map { $0 ? "ok" : "XX" } ?? "--" }
            let typeOK = label.type.map { result.type.value == $0 }
            let makerOK = label.manufacturer.map { EvaluationSet.agrees($0, result.manufacturer?.value) }
            let osOK = label.os.map { EvaluationSet.agrees($0, result.os?.value) }
            lines.append(
                String(
                    format: "%@ %-58@ %@  type %@ %-11@→ %-11@ %.2f  maker %@ %-12@→ %-20@  os %@ %@→%@",
                    label.holdout ? "H" : label.review ? "R" : " ", String(label.capture.prefix(58)) as NSString,
                    label.mac.description as NSString,
                    mark(typeOK) as NSString, (label.type?.rawValue ?? "-") as NSString,
                    result.type.value.rawValue as NSString, result.type.confidence,
                    mark(makerOK) as NSString, (label.manufacturer ?? "-") as NSString,
                    String((result.manufacturer?.value ?? "-").prefix(20)) as NSString,
                    mark(osOK) as NSString, (label.os ?? "-") as NSString, (result.os?.value ?? "-") as NSString))
        }
        return lines
    }

    func confusionLines(_ outcomes: [EvaluationSet.Outcome]) -> [String] {
        var lines: [String] = [""]
        lines.append("Type confusion (rows: label, columns: predicted):")
        let labelled = outcomes.compactMap { outcome in
            outcome.label.type.map { ($0, outcome.classification.type.value) }
        }
        let rows = Set(labelled.map(\.0)).sorted()
        let columns = Set(labelled.map(\.1)).union(rows).sorted()
        lines.append(
            "".padding(toLength: 12, withPad: " ", startingAt: 0)
                + columns.map { String($0.rawValue.prefix(7)).padding(toLength: 8, withPad: " ", startingAt: 0) }
                .joined())
        for row in rows {
            let cells = columns.map { column -> String in
                let count = labelled.filter { $0.0 == row && $0.1 == column }.count
                return (count == 0 ? "." : String(count)).padding(toLength: 8, withPad: " ", startingAt: 0)
            }
            lines.append(row.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0) + cells.joined())
        }
        lines.append("")
        return lines
    }

    func costLine(_ outcomes: [EvaluationSet.Outcome]) -> String {
        // Cost of one classification (printed, not asserted): every labelled device, many times.
        let classifier = DeviceClassifier()
        let devices = outcomes.compactMap(\.device)
        let rounds = 200
        let clock = ContinuousClock()
        var sink = 0
        let elapsed = clock.measure {
            for _ in 0..<rounds { for device in devices { sink &+= classifier.classify(device).type.evidence.count } }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let microseconds = seconds * 1e6 / Double(rounds * max(devices.count, 1))
        return String(
            format: "classification cost: %.1f µs per device (mean of %d classifications; checksum %d)",
            microseconds, rounds * devices.count, sink)
    }
}
