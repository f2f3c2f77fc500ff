import Foundation
import LanscopeTop
import TerminalUI
import Testing

@Suite struct NotATerminalTests {
    @Test func refusal_namesStandardOutput_whenItIsNotATerminal() {
        let message = TopApp.refusal(outputIsTerminal: false, inputIsTerminal: true)
        #expect(message?.contains("standard output is not a terminal") == true)
        #expect(TopApp.refusal(outputIsTerminal: true, inputIsTerminal: false)?.contains("standard input") == true)
        #expect(TopApp.refusal(outputIsTerminal: true, inputIsTerminal: true) == nil)
    }

    @Test func terminalSession_refusesAPipe() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer {
            close(ends[0])
            close(ends[1])
        }
        #expect(throws: TerminalError.notATerminal(fd: ends[1])) {
            try TerminalSession(input: ends[0], output: ends[1])
        }
    }

    @Test func lanscopeTop_exitsWith2AndAMessage_whenStdoutIsAPipe() throws {
        let binary = try #require(LanscopeBinary.path, "the lanscope executable is built beside the tests")
        let result = try runProcess(binary, ["top", "--url", "http://127.0.0.1:9"])
        #expect(result.status == 2)
        #expect(result.output.contains("standard output is not a terminal"))
        #expect(!result.output.contains("\u{1B}"))
    }

    @Test func lanscopeTop_refusesCertificateOptions_thatCannotApply() throws {
        let binary = try #require(LanscopeBinary.path, "the lanscope executable is built beside the tests")
        let cases: [([String], String)] = [
            (["--url", "http://127.0.0.1:9", "--ca-file", "/etc/hostname"], "need an https:// --url"),
            (["--url", "https://127.0.0.1:9", "--client-cert", "/etc/hostname"], "go together"),
        ]
        for (arguments, message) in cases {
            let result = try runProcess(binary, ["top"] + arguments)
            #expect(result.status == 64, "\(arguments)")
            #expect(result.output.contains(message), "\(result.output)")
        }
    }
}
