public import LanscopeCore

/// The IEEE MAC address block registry: organisation names by MA-L (24-bit), MA-M (28-bit) and
/// MA-S / IAB (36-bit) prefix, as Debian's `ieee-data` package ships it. Lookups take the longest
/// matching prefix, so a small block assigned inside a large one (MA-S blocks carved out of the
/// IEEE's own `70:B3:D5` MA-L) names the small block's owner.
public struct OUIRegistry: Sendable {
    /// Where Debian's `ieee-data` installs the registry.
    public static let defaultDirectory = "/usr/share/ieee-data"
    /// Files read from a directory, with the text-format fallback used when the CSV is absent.
    public static let registryFileNames: [(csv: String, text: String)] = [
        ("oui.csv", "oui.txt"), ("mam.csv", "mam.txt"), ("oui36.csv", "oui36.txt"), ("iab.csv", "iab.txt"),
    ]
    /// Largest file accepted, in bytes (the full MA-L text file is about 5 MB). Default 64 MiB.
    public static let maximumFileBytes = 64 << 20

    /// Every organisation name, as UTF-8 bytes one after another; the tables hold where each lies
    /// (`Name`), so loading makes no `String` per row, only a lookup does.
    private var names: [UInt8] = []
    private var blocks24: [UInt32: Name] = [:]
    private var blocks28: [UInt32: Name] = [:]
    private var blocks36: [UInt64: Name] = [:]

    /// A name's start in `names` (high 40 bits) and length in bytes (low 24).
    private struct Name: Sendable {
        var packed: UInt64

        init(_ range: Range<Int>) {
            packed = UInt64(range.lowerBound) << 24 | UInt64(range.count)
        }

        var range: Range<Int> {
            let start = Int(packed >> 24)
            return start..<(start + Int(packed & 0xFF_FFFF))
        }
    }
    /// Rows that could not be read (bad hex, wrong length, missing organisation), over all files.
    public private(set) var malformedRows = 0
    /// Files loaded, in order.
    public private(set) var loadedFiles: [String] = []

    /// An empty registry: every lookup is `nil`.
    public init() {}

    /// Loads a directory (the registry files it holds, see `registryFileNames`) or a single file
    /// in either the CSV or the text format.
    public init(path: String) throws(OUIRegistryError) {
        switch try FileBytes.kind(of: path) {
        case .directory:
            var found = false
            for names in Self.registryFileNames {
                let directory = path.hasSuffix("/") ? path : path + "/"
                if FileBytes.exists(directory + names.csv) {
                    try load(file: directory + names.csv)
                    found = true
                } else if FileBytes.exists(directory + names.text) {
                    try load(file: directory + names.text)
                    found = true
                }
            }
            guard found else { throw .noRegistryFiles(directory: path) }
        case .file:
            try load(file: path)
        }
    }

    /// Loads the registry from `defaultDirectory`.
    public static func loadDefault() throws(OUIRegistryError) -> OUIRegistry {
        try OUIRegistry(path: defaultDirectory)
    }

    /// Adds the assignments of one file. On a duplicate assignment the first one read is kept.
    public mutating func load(file path: String) throws(OUIRegistryError) {
        let bytes = try FileBytes.read(path)
        let parsed = bytes.withUnsafeBufferPointer { OUIRegistryParser.parse($0) }
        // A file whose rows are mostly unreadable is the wrong file, not a registry with typos.
        guard !parsed.entries.isEmpty, parsed.malformedRows <= parsed.entries.count else {
            throw .garbled(path: path, validRows: parsed.entries.count, malformedRows: parsed.malformedRows)
        }
        // Room for every row at once: a registry file is tens of thousands of rows, and growing a
        // table rehashes everything it holds.
        var counts = (ma24: 0, ma28: 0, ma36: 0)
        for entry in parsed.entries {
            switch entry.bits {
            case 24: counts.ma24 += 1
            case 28: counts.ma28 += 1
            default: counts.ma36 += 1
            }
        }
        blocks24.reserveCapacity(blocks24.count + counts.ma24)
        blocks28.reserveCapacity(blocks28.count + counts.ma28)
        blocks36.reserveCapacity(blocks36.count + counts.ma36)
        let base = names.count
        names += parsed.names
        for entry in parsed.entries {
            let name = Name(entry.organisation.lowerBound + base..<entry.organisation.upperBound + base)
            switch entry.bits {
            case 24: Self.insertIfAbsent(&blocks24, UInt32(truncatingIfNeeded: entry.prefix), name)
            case 28: Self.insertIfAbsent(&blocks28, UInt32(truncatingIfNeeded: entry.prefix), name)
            default: Self.insertIfAbsent(&blocks36, entry.prefix, name)
            }
        }
        malformedRows += parsed.malformedRows
        loadedFiles.append(path)
    }

    private static func insertIfAbsent<Key: Hashable>(_ table: inout [Key: Name], _ key: Key, _ name: Name) {
        if table.index(forKey: key) == nil { table[key] = name }
    }

    /// The organisation the address block belongs to; `nil` when unassigned, and for locally
    /// administered addresses (IEEE 802 U/L bit set), which no registry entry describes: those are
    /// typically randomised "private" MACs.
    public func vendor(for mac: MACAddress) -> String? {
        guard !mac.isLocallyAdministered,
            let name = blocks36[mac.prefix36] ?? blocks28[mac.prefix28] ?? blocks24[mac.prefix24]
        else { return nil }
        return names.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[name.range]), as: UTF8.self)
        }
    }

    /// Assignments held, per prefix length.
    public var count: (ma24: Int, ma28: Int, ma36: Int) { (blocks24.count, blocks28.count, blocks36.count) }
    public var isEmpty: Bool { blocks24.isEmpty && blocks28.isEmpty && blocks36.isEmpty }
}
