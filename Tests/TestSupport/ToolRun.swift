public import Foundation

/// Runs a command-line tool to completion (curl, openssl...) and returns its exit status and what it
/// printed, standard output and errors together: the one way the suites call an independent client.
public func runTool(_ executable: String, _ arguments: [String], in directory: String? = nil) throws -> (
    status: Int32, output: String
) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
