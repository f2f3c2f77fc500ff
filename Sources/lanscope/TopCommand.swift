import ArgumentParser
import Glibc
import LanscopeTop

struct Top: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Live full-screen view of a running lanscope: devices with their traffic rates, anomalies, capture health.",
        discussion: """
            Polls the API of `lanscope run` (`/devices.json`, `/alerts.json`, `/metrics`). Keys: ↑↓ select,
            Enter detail, / filter, t n l y sort by traffic, name, last seen, type, Esc back, q quit.
            With --web-config-file on the server, pass --user and the password in --password-file or $LANSCOPE_PASSWORD;
            with its tls_server_config, an https:// --url (and --ca-file for a CA of your own).
            """)

    @Option(name: .long, help: ArgumentHelp("lanscope's HTTP address, http:// or https://.", valueName: "url"))
    var url = "http://127.0.0.1:9184"

    @Option(name: .long, help: ArgumentHelp("Seconds between refreshes (0.2–3600).", valueName: "seconds"))
    var interval = 1.0

    @Option(
        name: .long,
        help: ArgumentHelp("User for HTTP basic authentication (default: none, no authentication).", valueName: "name"))
    var user: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "File holding the password (first line; default: $LANSCOPE_PASSWORD).", valueName: "path"))
    var passwordFile: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "PEM CA certificate(s) the server's certificate must chain to, for an https --url (default: the system's trust store).",
            valueName: "path"))
    var caFile: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "PEM client certificate, for a server that asks for one (default: none).", valueName: "path"))
    var clientCert: String?

    @Option(
        name: .long,
        help: ArgumentHelp("PEM private key of --client-cert (default: none).", valueName: "path"))
    var clientKey: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "No terminal: time this many refreshes and redraws at 160×48 and print the figures (make bench-top; default: off).",
            valueName: "frames"))
    var benchmark: Int?

    func validate() throws {
        guard interval.isFinite, interval >= 0.2, interval <= 3600 else {
            throw ValidationError("--interval must be between 0.2 and 3600 seconds")
        }
        if passwordFile != nil, user == nil { throw ValidationError("--password-file needs --user") }
        if (clientCert == nil) != (clientKey == nil) {
            throw ValidationError("--client-cert and --client-key go together")
        }
        if caFile != nil || clientCert != nil, !url.lowercased().hasPrefix("https://") {
            throw ValidationError("--ca-file, --client-cert and --client-key need an https:// --url")
        }
    }

    var tls: TLSClientOptions { TLSClientOptions(caFile: caFile, certificateFile: clientCert, keyFile: clientKey) }

    func run() throws {
        if let benchmark {
            guard benchmark > 0 else { throw ValidationError("--benchmark needs at least one frame") }
            let address = try ServerAddress(url)
            let credentials = try user.map { BasicCredentials(user: $0, password: try password()) }
            let app = TopApp(
                options: TopApp.Options(address: address, credentials: credentials, interval: interval, tls: tls))
            print(app.benchmark(frames: benchmark, width: 160, height: 48), terminator: "")
            return
        }
        if let refusal = TopApp.refusal(
            outputIsTerminal: isatty(STDOUT_FILENO) == 1, inputIsTerminal: isatty(STDIN_FILENO) == 1)
        {
            printError(refusal)
            throw ExitCode(2)
        }
        let address: ServerAddress
        do { address = try ServerAddress(url) } catch {
            printError(error.description)
            throw ExitCode(2)
        }
        let credentials = try user.map { BasicCredentials(user: $0, password: try password()) }
        do {
            try TopApp(
                options: TopApp.Options(address: address, credentials: credentials, interval: interval, tls: tls)
            )
            .run()
        } catch {
            printError("cannot take over the terminal: \(error)")
            throw ExitCode(1)
        }
    }

    /// The password from --password-file (its first line) or $LANSCOPE_PASSWORD — never an argument,
    /// which every user of the machine can read in /proc.
    func password() throws -> String {
        if let passwordFile {
            guard let file = fopen(passwordFile, "r") else {
                printError("cannot read --password-file \(passwordFile): \(String(cString: strerror(errno)))")
                throw ExitCode(2)
            }
            defer { fclose(file) }
            var line: UnsafeMutablePointer<CChar>? = nil
            var capacity = 0
            defer { free(line) }
            guard getline(&line, &capacity, file) >= 0, let line else { return "" }
            var text = String(cString: line)
            while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
            return text
        }
        if let value = getenv("LANSCOPE_PASSWORD") { return String(cString: value) }
        printError("--user needs a password: --password-file or $LANSCOPE_PASSWORD")
        throw ExitCode(2)
    }
}
