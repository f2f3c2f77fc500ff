import TerminalUI

/// What the loop must do after a key.
public enum TopAction: Equatable, Sendable {
    case none
    case quit
    /// Fetch `/devices/{mac}.json` now (the detail view was opened).
    case openDetail(mac: String)
}

extension TopState {
    /// Applies one key. `pageRows` is how many table rows a page holds.
    public mutating func handle(_ key: Key, pageRows: Int = 20) -> TopAction {
        if key == .control("c") { return .quit }
        if editingFilter { return handleFilterKey(key) }
        switch mode {
        case .detail: return handleDetailKey(key, pageRows: pageRows)
        case .list: return handleListKey(key, pageRows: pageRows)
        }
    }

    private mutating func handleListKey(_ key: Key, pageRows: Int) -> TopAction {
        switch key {
        case .character("q"): return .quit
        case .escape:
            // Back out of a filter first; with nothing to back out of, Esc leaves like q.
            guard filter.isEmpty else {
                setFilter("")
                return .none
            }
            return .quit
        case .up, .character("k"): moveSelection(by: -1)
        case .down, .character("j"): moveSelection(by: 1)
        case .pageUp: moveSelection(by: -max(1, pageRows))
        case .pageDown, .character(" "): moveSelection(by: max(1, pageRows))
        case .home, .character("g"): select(0)
        case .end, .character("G"): select(rows.count - 1)
        case .character("/"):
            setEditingFilter(true)
        case .enter, .right:
            guard let device = selectedDevice else { return .none }
            mode = .detail(mac: device.mac)
            detail = nil
            detailScroll = 0
            return .openDetail(mac: device.mac)
        case .character("s"):
            let all = SortKey.allCases
            setSort(all[(all.firstIndex(of: sortKey)! + 1) % all.count])
        case .character(let c):
            if let key = SortKey.allCases.first(where: { $0.key == c }) { setSort(key) }
        default: break
        }
        return .none
    }

    private mutating func handleFilterKey(_ key: Key) -> TopAction {
        switch key {
        case .enter: setEditingFilter(false)
        case .escape:
            setEditingFilter(false)
            setFilter("")
        case .backspace:
            if !filter.isEmpty { setFilter(String(filter.dropLast())) }
        case .character(let c):
            // Bounded like the server's filters; pasted control text never gets here (decoder drops it).
            if filter.count < 64 { setFilter(filter + String(c)) }
        default: break
        }
        return .none
    }

    private mutating func handleDetailKey(_ key: Key, pageRows: Int) -> TopAction {
        switch key {
        case .escape, .character("q"), .left, .backspace:
            mode = .list
            detail = nil
        case .up, .character("k"): detailScroll = max(0, detailScroll - 1)
        case .down, .character("j"): detailScroll += 1
        case .pageUp: detailScroll = max(0, detailScroll - max(1, pageRows))
        case .pageDown, .character(" "): detailScroll += max(1, pageRows)
        case .home, .character("g"): detailScroll = 0
        default: break
        }
        return .none
    }
}
