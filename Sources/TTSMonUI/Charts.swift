import Foundation
import TTSMonCore

/// Multi-row time-series charts, drawn into the grid like every other widget: stacked columns
/// of eighth blocks (requests, ok below and failed above), braille lines (2×4 dots a cell) for
/// latency percentiles and the error rate, and a heatmap of time × latency band. Each has a
/// value scale at the left and a time axis below; the terminal maps every glyph to ASCII under
/// `TERM=vt100` or `LANG=C`.
public enum Charts {
    /// One line of a braille chart.
    public struct Line: Sendable {
        public var values: [Double?]
        public var role: Role
        /// Shaded down to the axis (an area: a rate read at a glance), every other dot.
        public var filled: Bool
        public init(_ values: [Double?], role: Role, filled: Bool = false) { self.values = values; self.role = role; self.filled = filled }
    }

    /// Columns of the value scale at the left.
    static let scaleWidth = 7

    /// Where the plot goes inside `rect` (scale at the left, axis at the bottom), or nil when
    /// the rect is too small for a chart.
    static func plotArea(_ rect: Rect) -> Rect? {
        guard rect.height >= 3, rect.width >= scaleWidth + 10 else { return nil }
        return Rect(x: rect.x + scaleWidth, y: rect.y, width: rect.width - scaleWidth - 1, height: rect.height - 1)
    }

    /// The time axis under a plot: the window's start at the left, `now` at the right.
    static func timeAxis(_ grid: inout Grid, _ plot: Rect, window: LiveWindow) {
        let y = plot.y + plot.height
        for x in plot.x..<(plot.x + plot.width) { grid[x, y] = Cell("─", role: .muted) }
        grid.put("-" + window.rawValue, x: plot.x, y: y, role: .muted)
        Widgets.putRight(&grid, "now", right: plot.x + plot.width, y: y, role: .muted)
        if plot.width >= 30 {
            let half = window.seconds / 2
            let text = "-" + (half >= 3600 ? "\(half / 3600)h" + (half % 3600 == 0 ? "" : "\(half % 3600 / 60)m")
                : half >= 60 ? "\(half / 60)m" + (half % 60 == 0 ? "" : "\(half % 60)s") : "\(half)s")
            grid.put(text, x: plot.x + plot.width / 2 - DisplayWidth.of(text) / 2, y: y, role: .muted)
        }
    }

    /// Scale labels: the top value at the plot's top row, `bottom` at its last.
    static func scale(_ grid: inout Grid, _ plot: Rect, top: String, middle: String?, bottom: String) {
        let right = plot.x - 1
        Widgets.putRight(&grid, top, right: right, y: plot.y, role: .muted)
        if let middle, plot.height >= 5 { Widgets.putRight(&grid, middle, right: right, y: plot.y + plot.height / 2, role: .muted) }
        Widgets.putRight(&grid, bottom, right: right, y: plot.y + plot.height - 1, role: .muted)
    }

    /// Averages `values` into `count` buckets (newest at the right; a bucket covers
    /// `values.count / count` values, or one value spans several buckets).
    static func resample(_ values: [Double], into count: Int) -> [Double] {
        guard count > 0, !values.isEmpty else { return Array(repeating: 0, count: max(0, count)) }
        return (0..<count).map { i in
            let lo = i * values.count / count, hi = max(lo + 1, (i + 1) * values.count / count)
            let slice = values[lo..<min(hi, values.count)]
            return slice.reduce(0, +) / Double(slice.count)
        }
    }

    /// Requests per second as stacked columns: `ok` below in the sparkline colour, `failed`
    /// above in red (counts per slot of `window.unitSeconds`); the scale is the tallest column.
    public static func stackedRate(_ grid: inout Grid, _ rect: Rect, ok: [Int], failed: [Int], window: LiveWindow) {
        guard let plot = plotArea(rect) else { return }
        let unit = Double(window.unitSeconds)
        let okCols = resample(ok.map { Double($0) / unit }, into: plot.width)
        let failedCols = resample(failed.map { Double($0) / unit }, into: plot.width)
        let top = niceCeiling(max(zip(okCols, failedCols).map(+).max() ?? 0, 1))
        let eighths = plot.height * 8
        for (i, (o, f)) in zip(okCols, failedCols).enumerated() {
            let okH = Int((o / top * Double(eighths)).rounded())
            let totalH = max(f > 0 ? okH + 1 : okH, Int(((o + f) / top * Double(eighths)).rounded()))
            for row in 0..<plot.height where totalH > row * 8 {
                let level = min(8, totalH - row * 8)
                let failedHere = f > 0 && row * 8 + level > okH
                grid[plot.x + i, plot.y + plot.height - 1 - row] = Cell(Glyphs.eighths[level], role: failedHere ? .crit : .sparkline)
            }
        }
        func label(_ v: Double) -> String { v >= 10 || v == v.rounded() ? String(Int(v)) : String(format: "%.1f", v) }
        scale(&grid, plot, top: label(top) + "/s", middle: label(top / 2), bottom: "0")
        timeAxis(&grid, plot, window: window)
    }

    /// Lines in braille over a linear scale from 0 (or a log scale, for latencies that span
    /// tens of milliseconds to tens of seconds), with a dotted threshold line.
    /// `band`: two series whose span is shaded under the lines (the latency spread, p50 to p99).
    public static func lines(_ grid: inout Grid, _ rect: Rect, _ lines: [Line], threshold: Double?, logScale: Bool,
                             window: LiveWindow, band: (lower: [Double?], upper: [Double?])? = nil, label: (Double) -> String) {
        guard let plot = plotArea(rect) else { return }
        let all = lines.flatMap { $0.values.compactMap { $0 } } + (threshold.map { [$0] } ?? [])
        // A log scale starts a little under the lowest value (10 ms at the least), so the lines
        // use the height instead of leaving the bottom empty.
        let lowest = lines.flatMap { $0.values.compactMap { $0 } }.min() ?? 50
        let floor = logScale ? max(10, lowest * 0.7) : 0
        let top = logScale ? max(all.max() ?? 1000, 1000) * 1.08 : niceCeiling(max(all.max() ?? 0, 1e-9) * 1.1)
        let dotsX = plot.width * 2, dotsY = plot.height * 4
        func y(of v: Double) -> Int {
            let f = logScale ? (log2(max(v, floor)) - log2(floor)) / (log2(top) - log2(floor)) : (v - floor) / (top - floor)
            return min(dotsY - 1, max(0, Int((f * Double(dotsY - 1)).rounded())))
        }
        var bits = [[UInt8]](repeating: [UInt8](repeating: 0, count: plot.width), count: plot.height)
        var roles = [[Role?]](repeating: [Role?](repeating: nil, count: plot.width), count: plot.height)
        func dot(_ x: Int, _ yDot: Int, _ role: Role) {
            let row = plot.height - 1 - yDot / 4, sub = 3 - yDot % 4
            let col = x / 2, right = x % 2 == 1
            let bit: UInt8 = sub == 3 ? (right ? 0x80 : 0x40) : UInt8(1 << (sub + (right ? 3 : 0)))
            bits[row][col] |= bit
            roles[row][col] = role
        }
        if let band, !band.lower.isEmpty, band.lower.count == band.upper.count {
            for x in 0..<dotsX {
                let index = min(band.lower.count - 1, x * band.lower.count / dotsX)
                guard let lo = band.lower[index], let hi = band.upper[index] else { continue }
                // Every other dot, checkered: a light shade the lines stay readable over.
                for d in y(of: lo)...max(y(of: lo), y(of: hi)) where (x + d) % 2 == 0 { dot(x, d, .gaugeEmpty) }
            }
        }
        if let threshold {
            let ty = y(of: threshold)
            for x in stride(from: 0, to: dotsX, by: 2) { dot(x, ty, .threshold) }
        }
        for line in lines where !line.values.isEmpty {
            var previous: Int?
            for x in 0..<dotsX {
                let index = min(line.values.count - 1, x * line.values.count / dotsX)
                guard let v = line.values[index] else { previous = nil; continue }
                let yy = y(of: v)
                if line.filled, yy > 0 { for d in 0..<yy where (x + d) % 2 == 0 { dot(x, d, line.role) } }
                // Joined to the previous dot by a vertical run, so steps read as a line.
                let from = previous ?? yy
                for d in min(from, yy)...max(from, yy) { dot(x, d, line.role) }
                previous = yy
            }
        }
        for row in 0..<plot.height {
            for col in 0..<plot.width where bits[row][col] != 0 {
                grid[plot.x + col, plot.y + row] = Cell(String(UnicodeScalar(0x2800 + UInt32(bits[row][col]))!), role: roles[row][col] ?? .sparkline)
            }
        }
        let middle = logScale ? sqrt(top * floor) : top / 2
        scale(&grid, plot, top: label(top), middle: label(middle), bottom: label(floor))
        timeAxis(&grid, plot, window: window)
    }

    /// Time × latency band: each cell's glyph density and colour say how many of the requests
    /// of that time fell in that band (relative to the busiest cell); fast bands at the bottom.
    public static func heatmap(_ grid: inout Grid, _ rect: Rect, _ heat: [[Int]], window: LiveWindow) {
        guard let plot = plotArea(rect), !heat.isEmpty else { return }
        let bands = LatencyBands.upperMs.count
        // Rows: the bands, merged two into one when the plot is short, each two or more rows
        // tall when it is tall.
        let perRow = max(1, (bands + plot.height - 1) / plot.height)
        let rows = (bands + perRow - 1) / perRow
        let rowHeight = max(1, plot.height / rows)
        let columns = (0..<plot.width).map { i -> [Int] in
            let lo = i * heat.count / plot.width, hi = max(lo + 1, (i + 1) * heat.count / plot.width)
            var sum = [Int](repeating: 0, count: bands)
            for block in heat[lo..<min(hi, heat.count)] { for b in 0..<bands { sum[b] += block[b] } }
            return sum
        }
        let cell = { (column: [Int], row: Int) -> Int in (row * perRow..<min(bands, (row + 1) * perRow)).reduce(0) { $0 + column[$1] } }
        let busiest = max(1, columns.map { c in (0..<rows).map { cell(c, $0) }.max() ?? 0 }.max() ?? 0)
        let shades = ["░", "▒", "▓", "█"]
        let heatRoles: [Role] = [.muted, .sparkline, .warn, .crit]
        for (i, column) in columns.enumerated() {
            // A moment with requests: its empty bands are dotted (seen: none that slow or fast),
            // unlike moments with no requests at all, left blank.
            let observed = column.contains { $0 > 0 }
            for row in 0..<rows {
                let n = cell(column, row)
                guard n > 0 else {
                    if observed {
                        for k in 0..<rowHeight { grid[plot.x + i, plot.y + plot.height - 1 - row * rowHeight - k] = Cell("·", role: .gaugeEmpty) }
                    }
                    continue
                }
                let level = min(3, Int(Double(n) / Double(busiest) * 4))
                for k in 0..<rowHeight {
                    grid[plot.x + i, plot.y + plot.height - 1 - row * rowHeight - k] = Cell(shades[level], role: heatRoles[level])
                }
            }
        }
        // Band labels: each row's lower bound (the first row: below its upper one).
        for row in 0..<rows {
            let text = row == 0 ? "<" + UIFormat.ms(LatencyBands.upperMs[perRow - 1]) : UIFormat.ms(LatencyBands.upperMs[row * perRow - 1])
            Widgets.putRight(&grid, text, right: plot.x - 1, y: plot.y + plot.height - 1 - row * rowHeight - (rowHeight - 1), role: .muted)
        }
        timeAxis(&grid, plot, window: window)
    }

    /// The first of 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × a power of ten at or above `v`: a scale
    /// whose half is still a round figure, and at most a third taller than the data.
    static func niceCeiling(_ v: Double) -> Double {
        guard v > 0, v.isFinite else { return 1 }
        let power = pow(10, (log10(v)).rounded(.down))
        for step in [1.0, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10] where step * power >= v * 0.999 { return step * power }
        return 10 * power
    }
}
