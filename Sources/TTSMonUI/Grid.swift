import TTSMonCore

/// What a cell means; themes give each role its colours.
public enum Role: String, Sendable, CaseIterable {
    case normal, title, border, label, value, muted, header, footer, key, selection
    case ok = "status_ok", warn = "status_warn", crit = "status_crit"
    case sparkline, gaugeFill = "cache_fill", gaugeEmpty = "cache_empty", threshold
    case active = "failover_active", standby = "failover_standby", down = "failover_down"
    case stage, critical = "stage_critical", failedStage = "stage_failed"
    case alertFiring = "alert_firing", alertPending = "alert_pending"
    case prompt

    /// One character per role for role-map snapshots.
    public var mapChar: Character {
        switch self {
        case .normal: return " "
        case .title: return "T"
        case .border: return "b"
        case .label: return "l"
        case .value: return "v"
        case .muted: return "m"
        case .header: return "H"
        case .footer: return "F"
        case .key: return "k"
        case .selection: return "S"
        case .ok: return "o"
        case .warn: return "w"
        case .crit: return "c"
        case .sparkline: return "s"
        case .gaugeFill: return "g"
        case .gaugeEmpty: return "e"
        case .threshold: return "t"
        case .active: return "A"
        case .standby: return "B"
        case .down: return "D"
        case .stage: return "x"
        case .critical: return "X"
        case .failedStage: return "!"
        case .alertFiring: return "f"
        case .alertPending: return "p"
        case .prompt: return "P"
        }
    }
}

/// One terminal cell: a character (or "" for the right half of a wide one) and its role.
public struct Cell: Equatable, Sendable {
    public var text: String
    public var role: Role
    public var bold: Bool

    public init(_ text: String = " ", role: Role = .normal, bold: Bool = false) {
        self.text = text; self.role = role; self.bold = bold
    }
}

/// A rectangle of cells.
public struct Rect: Equatable, Sendable {
    public var x, y, width, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x; self.y = y; self.width = max(0, width); self.height = max(0, height)
    }
    public var isEmpty: Bool { width <= 0 || height <= 0 }
    /// The area inside a one-cell border.
    public var inner: Rect { Rect(x: x + 1, y: y + 1, width: width - 2, height: height - 2) }
    /// Splits off `rows` rows from the top.
    public func top(_ rows: Int) -> (Rect, Rect) {
        let r = min(rows, height)
        return (Rect(x: x, y: y, width: width, height: r), Rect(x: x, y: y + r, width: width, height: height - r))
    }
    /// Splits off `cols` columns from the left.
    public func left(_ cols: Int) -> (Rect, Rect) {
        let c = min(cols, width)
        return (Rect(x: x, y: y, width: c, height: height), Rect(x: x + c, y: y, width: width - c, height: height))
    }
}

/// The screen as cells: panels draw here, never on the terminal. Printable as text for tests;
/// the terminal backend sends only the cells that changed.
public struct Grid: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: Cell(), count: self.width * self.height)
    }

    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { if x >= 0, y >= 0, x < width, y < height { cells[y * width + x] = newValue } }
    }

    /// Writes text from (x, y), clipped to `maxWidth` columns and the grid; wide characters take
    /// two cells and are never split. Text is sanitised. Returns the columns used.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, role: Role = .normal, bold: Bool = false, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height else { return 0 }
        let limit = min(maxWidth ?? (width - x), width - x)
        var col = 0
        for ch in Sanitizer.clean(text) {
            let w = DisplayWidth.of(String(ch))
            if w == 0 { continue }
            guard col + w <= limit else { break }
            if x + col >= 0 {
                self[x + col, y] = Cell(String(ch), role: role, bold: bold)
                if w == 2 { self[x + col + 1, y] = Cell("", role: role, bold: bold) }
            }
            col += w
        }
        return col
    }

    /// Copies rows `[fromRow, fromRow + rect.height)` of `page` (its first `rect.width` columns)
    /// into `rect`: a tall page drawn off screen, shown scrolled.
    public mutating func blit(_ page: Grid, fromRow: Int, into rect: Rect) {
        for row in 0..<rect.height where fromRow + row >= 0 && fromRow + row < page.height {
            for col in 0..<min(rect.width, page.width) { self[rect.x + col, rect.y + row] = page[col, fromRow + row] }
        }
    }

    /// Fills a rectangle with one character and role.
    public mutating func fill(_ rect: Rect, with text: String = " ", role: Role = .normal) {
        for yy in rect.y..<(rect.y + rect.height) where yy >= 0 && yy < height {
            for xx in rect.x..<(rect.x + rect.width) where xx >= 0 && xx < width { self[xx, yy] = Cell(text, role: role) }
        }
    }

    /// The grid as lines of text (wide characters once, trailing spaces kept for exact snapshots).
    public var text: String {
        (0..<height).map { y in (0..<width).map { self[$0, y].text }.joined() }.joined(separator: "\n")
    }

    /// One character per cell naming its role (a colour snapshot).
    public var roleMap: String {
        (0..<height).map { y in String((0..<width).map { self[$0, y].role.mapChar }) }.joined(separator: "\n")
    }

    /// Cells that differ from `old` (all of them when sizes differ), for the backend.
    public func changes(since old: Grid?) -> [(Int, Int, Cell)] {
        var out: [(Int, Int, Cell)] = []
        let same = old.map { $0.width == width && $0.height == height } ?? false
        for y in 0..<height {
            for x in 0..<width {
                let cell = self[x, y]
                if !same || old![x, y] != cell { out.append((x, y, cell)) }
            }
        }
        return out
    }
}
