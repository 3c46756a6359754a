import Foundation

/// Values of ttsmon's TOML files (read by `TOMLDocument`) as settings use them.
public enum ConfigText {
    public enum Value: Sendable, Equatable {
        case string(String), number(Double), bool(Bool), strings([String])
    }

    /// A TOML value as a setting: strings, numbers, booleans and arrays of strings.
    public static func value(_ v: TOMLDocument.Value) -> Value? {
        switch v {
        case .string(let s): return .string(s)
        case .integer(let n): return .number(Double(n))
        case .float(let d): return .number(d)
        case .bool(let b): return .bool(b)
        case .array(let items):
            var strings: [String] = []
            for item in items { guard case .string(let s) = item else { return nil }; strings.append(s) }
            return .strings(strings)
        }
    }

    /// A table's pairs in file order, each key prefixed with `prefix` (`dashboard.theme`).
    public static func pairs(_ table: TOMLDocument.Table, prefix: String = "") -> [(key: String, entry: TOMLDocument.Entry)] {
        table.map { (prefix + $0.key, $0.value) }.sorted { $0.entry.line < $1.entry.line }
    }

    /// `30s`, `2m`, `1h`, `1m30s`, `500ms` or a bare number of seconds, in seconds.
    public static func duration(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let plain = Double(t) { return plain >= 0 ? plain : nil }
        var total = 0.0, number = "", rest = Substring(t)
        guard !t.isEmpty else { return nil }
        while let c = rest.first {
            if c.isNumber || c == "." { number.append(c); rest = rest.dropFirst(); continue }
            guard let n = Double(number) else { return nil }
            let unit: Double
            if rest.hasPrefix("ms") { unit = 0.001; rest = rest.dropFirst(2) }
            else if c == "s" { unit = 1; rest = rest.dropFirst() }
            else if c == "m" { unit = 60; rest = rest.dropFirst() }
            else if c == "h" { unit = 3600; rest = rest.dropFirst() }
            else if c == "d" { unit = 86400; rest = rest.dropFirst() }
            else { return nil }
            total += n * unit
            number = ""
        }
        return number.isEmpty ? total : nil
    }
}
