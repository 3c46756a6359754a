import TTSMonCore

/// Drawing primitives that write cells into a grid; each is a plain function of its inputs.
public enum Widgets {
    /// A bordered panel with a title; returns the inner area.
    @discardableResult
    public static func panel(_ grid: inout Grid, _ rect: Rect, title: String, highlighted: Bool = false) -> Rect {
        guard rect.width >= 2, rect.height >= 2 else { return Rect(x: rect.x, y: rect.y, width: 0, height: 0) }
        let role: Role = highlighted ? .crit : .border
        let right = rect.x + rect.width - 1, bottom = rect.y + rect.height - 1
        for x in rect.x...right {
            grid[x, rect.y] = Cell("─", role: role)
            grid[x, bottom] = Cell("─", role: role)
        }
        for y in rect.y...bottom {
            grid[rect.x, y] = Cell("│", role: role)
            grid[right, y] = Cell("│", role: role)
        }
        grid[rect.x, rect.y] = Cell("┌", role: role); grid[right, rect.y] = Cell("┐", role: role)
        grid[rect.x, bottom] = Cell("└", role: role); grid[right, bottom] = Cell("┘", role: role)
        if rect.width > 4 { grid.put(" \(title) ", x: rect.x + 1, y: rect.y, role: .title, bold: true, maxWidth: rect.width - 2) }
        return rect.inner
    }

    /// A sparkline of `values` scaled to `top` (their maximum by default), newest at the right;
    /// the last `width`.
    public static func sparkline(_ grid: inout Grid, x: Int, y: Int, width: Int, values: [Double], role: Role = .sparkline,
                                 top fixedTop: Double? = nil) {
        guard width > 0 else { return }
        let shown = Array(values.suffix(width))
        let top = max(fixedTop ?? shown.max() ?? 0, 1e-9)
        let pad = width - shown.count
        for (i, v) in shown.enumerated() {
            let level = v <= 0 ? 0 : min(7, Int((v / top * 7).rounded(.up)))
            grid[x + pad + i, y] = Cell(v <= 0 ? " " : Glyphs.sparks[level], role: role)
        }
    }

    /// A horizontal gauge `[█████░░░|░░] 92.7%` with an optional threshold mark.
    public static func gauge(_ grid: inout Grid, x: Int, y: Int, width: Int, percent: Double, threshold: Double?,
                             role: Role) {
        guard width > 2 else { return }
        let filled = Int((min(100, max(0, percent)) / 100 * Double(width)).rounded())
        let mark = threshold.map { min(width - 1, Int(($0 / 100 * Double(width)).rounded())) }
        for i in 0..<width {
            if i == mark { grid[x + i, y] = Cell("│", role: .threshold); continue }
            grid[x + i, y] = i < filled ? Cell("█", role: role) : Cell("░", role: .gaugeEmpty)
        }
    }

    /// A bar of `fraction` of `width` cells.
    /// `track`: the rest of the width shaded, so the bar reads as a share of its scale.
    public static func bar(_ grid: inout Grid, x: Int, y: Int, width: Int, fraction: Double, role: Role, track: Bool = false) {
        guard width > 0 else { return }
        let n = min(width, max(fraction > 0 ? 1 : 0, Int((min(1, max(0, fraction)) * Double(width)).rounded())))
        for i in 0..<n { grid[x + i, y] = Cell("█", role: role) }
        if track { for i in n..<width { grid[x + i, y] = Cell("░", role: .gaugeEmpty) } }
    }

    /// Right-aligns text ending at column `right` (exclusive).
    public static func putRight(_ grid: inout Grid, _ text: String, right: Int, y: Int, role: Role) {
        let w = DisplayWidth.of(Sanitizer.clean(text))
        grid.put(text, x: right - w, y: y, role: role, maxWidth: w)
    }
}

/// Formatting shared by panels.
public enum UIFormat {
    /// `523ms`, `3.8s`, `12s`.
    public static func ms(_ v: Int?) -> String {
        guard let v else { return "-" }
        if v < 1000 { return "\(v)ms" }
        if v < 10_000 { return String(format: "%.1fs", Double(v) / 1000) }
        return "\(v / 1000)s"
    }

    public static func percent(_ v: Double?) -> String {
        guard let v else { return "-" }
        return String(format: "%.1f%%", v * 100)
    }

    public static func rate(_ v: Double?) -> String {
        guard let v else { return "-" }
        return v >= 100 ? String(format: "%.0f", v) : String(format: "%.1f", v)
    }

    /// Age in seconds as `3s`, `2m`, `1h`.
    public static func age(_ seconds: Double?) -> String {
        guard let s = seconds, s.isFinite else { return "-" }
        if s < 60 { return "\(Int(s))s" }
        if s < 3600 { return "\(Int(s / 60))m" }
        return "\(Int(s / 3600))h"
    }
}

import Foundation
