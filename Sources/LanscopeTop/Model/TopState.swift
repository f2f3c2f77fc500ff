/// Everything `lanscope top` shows, as a value: the last scrape, the user's choices (sort, filter,
/// selection, view) and what went wrong. Keys and scrapes change it; `TopLayout` draws it.
public struct TopState: Sendable {
    public enum Mode: Equatable, Sendable {
        case list
        case detail(mac: String)
    }

    /// The server, as shown in the title.
    public var server: String
    public private(set) var devices: [DeviceSummary] = []
    public private(set) var rates: [String: TrafficRate] = [:]
    /// `devices` filtered and sorted: the table's rows.
    public private(set) var rows: [DeviceSummary] = []
    public var anomalies: [AnomalySummary] = []
    public var health: CaptureHealth? = nil
    /// The last refresh's error, shown until a refresh succeeds.
    public var error: String? = nil
    /// Unix seconds of the last successful device scrape.
    public var updated: Double? = nil

    public private(set) var sortKey: SortKey = .traffic
    public private(set) var filter = ""
    public private(set) var editingFilter = false
    /// The selected row, followed by MAC so a refresh that reorders the table keeps it.
    public private(set) var selected = 0
    public private(set) var selectedMAC: String? = nil
    /// First row shown, kept so the selection stays on screen.
    public var scroll = 0
    public var mode: Mode = .list
    public var detail: DeviceDetail? = nil
    public var detailScroll = 0

    public init(server: String) { self.server = server }

    /// Takes a new device scrape at `time` (monotonic seconds) with the tracker's rates.
    public mutating func update(devices: [DeviceSummary], rates: [String: TrafficRate]) {
        self.devices = devices
        self.rates = rates
        reorder()
    }

    public mutating func setSort(_ key: SortKey) {
        sortKey = key
        reorder()
    }

    public mutating func setFilter(_ text: String) {
        filter = text
        reorder()
    }

    public mutating func setEditingFilter(_ editing: Bool) { editingFilter = editing }

    /// Moves the selection by `delta` rows (clamped).
    public mutating func moveSelection(by delta: Int) { select(selected + delta) }

    public mutating func select(_ row: Int) {
        selected = rows.isEmpty ? 0 : min(max(0, row), rows.count - 1)
        selectedMAC = rows.isEmpty ? nil : rows[selected].mac
    }

    public var selectedDevice: DeviceSummary? { rows.indices.contains(selected) ? rows[selected] : nil }

    /// Keeps `scroll` so that the selection is inside a window of `visible` rows.
    public mutating func scrollToSelection(visible: Int) {
        guard visible > 0 else { return }
        if selected < scroll { scroll = selected }
        if selected >= scroll + visible { scroll = selected - visible + 1 }
        scroll = max(0, min(scroll, max(0, rows.count - visible)))
    }

    private mutating func reorder() {
        rows = DeviceOrdering.sort(DeviceOrdering.filter(devices, by: filter), by: sortKey, rates: rates)
        if let mac = selectedMAC, let row = rows.firstIndex(where: { $0.mac == mac }) {
            selected = row
        } else {
            select(min(selected, max(0, rows.count - 1)))
        }
    }
}
