/// A key press, decoded from what a terminal sends in raw mode.
public enum Key: Equatable, Hashable, Sendable {
    case up, down, left, right, home, end, pageUp, pageDown, delete
    case enter, escape, backspace, tab
    /// A printable character (letters, digits, `/`, any non-ASCII text).
    case character(Character)
    /// Ctrl with a letter, as the letter (`control("c")` is Ctrl-C: raw mode turns off its signal).
    case control(Character)
}
