import Foundation

/// The small TOML subset ttsmon's files use: `key = value` lines, `[table]` and `[[array]]`
/// headers, `#` comments, strings, numbers, booleans and arrays of strings.
public enum ConfigText {
    public enum Value: Sendable, Equatable {
        case string(String), number(Double), bool(Bool), strings([String])
    }

    /// The line without a `#` comment outside quotes.
    public static func stripComment(_ line: String) -> String {
        var inString = false
        for (i, c) in line.enumerated() {
            if c == "\"" { inString.toggle() }
            if c == "#", !inString { return String(line.prefix(i)) }
        }
        return line
    }

    /// A TOML value, or nil when it is none of the supported kinds.
    public static func parseValue(_ text: String) -> Value? {
        if text.hasPrefix("\"") || text.hasPrefix("'") {
            guard text.count >= 2, text.last == text.first else { return nil }
            return .string(String(text.dropFirst().dropLast()))
        }
        if text == "true" { return .bool(true) }
        if text == "false" { return .bool(false) }
        if let d = Double(text) { return .number(d) }
        if text.hasPrefix("["), text.hasSuffix("]") {
            let inner = text.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
            if inner.isEmpty { return .strings([]) }
            var items: [String] = []
            for part in inner.split(separator: ",") {
                let p = part.trimmingCharacters(in: .whitespaces)
                if p.isEmpty { continue }
                guard p.hasPrefix("\""), p.hasSuffix("\""), p.count >= 2 else { return nil }
                items.append(String(p.dropFirst().dropLast()))
            }
            return .strings(items)
        }
        return nil
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
