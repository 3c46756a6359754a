import Foundation

/// Reads a rule file (`--rules FILE`), TOML or YAML, with Prometheus-like fields, and applies it
/// to the built-in rules: a rule with a built-in's name changes only the fields it gives
/// (`enabled = false` removes it); any other name adds a rule.
///
/// ```toml
/// [[rule]]
/// name = "HighP95Latency"
/// threshold = 3
/// for = "1m"
/// ```
/// ```yaml
/// rules:
///   - name: SlowP99
///     expr: p99_latency_seconds > 8
///     for: 30s
///     severity: warning
///     summary: p99 over 8s
/// ```
/// Fields: `name` (or `alert`), `expr` (`SIGNAL`, or `SIGNAL OP NUMBER`), `threshold`, `for`,
/// `window`, `severity` (or `labels.severity`), `summary` (or `annotations.summary`), `enabled`.
public enum AlertRuleFile {
    /// One field as written, with its line.
    struct Field { var key: String; var value: String; var line: Int }
    struct Entry { var fields: [Field] = []; var line: Int }

    public static func load(path: String, base: [AlertRule] = AlertRule.builtIn) -> Result<[AlertRule], InputError> {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            return .failure(InputError("\(path): cannot read the rule file"))
        }
        let yaml = path.hasSuffix(".yaml") || path.hasSuffix(".yml")
            || (!path.hasSuffix(".toml") && !text.contains("[[") && text.contains(":"))
        return parse(text, name: path, yaml: yaml, base: base)
    }

    public static func parse(_ text: String, name: String, yaml: Bool, base: [AlertRule] = AlertRule.builtIn) -> Result<[AlertRule], InputError> {
        let entries: [Entry]
        switch yaml ? readYAML(text, name: name) : readTOML(text, name: name) {
        case .success(let e): entries = e
        case .failure(let e): return .failure(e)
        }
        var rules = base
        var seen = Set<String>()
        for entry in entries {
            switch apply(entry, to: &rules, name: name) {
            case .success(let ruleName):
                guard seen.insert(ruleName).inserted else {
                    return .failure(InputError("\(name):\(entry.line): rule '\(ruleName)' is given twice"))
                }
            case .failure(let e): return .failure(e)
            }
        }
        return .success(rules)
    }

    static func apply(_ entry: Entry, to rules: inout [AlertRule], name file: String) -> Result<String, InputError> {
        func fail(_ line: Int, _ field: String, _ why: String) -> Result<String, InputError> {
            .failure(InputError("\(file):\(line): field '\(field)': \(why)"))
        }
        guard let nameField = entry.fields.first(where: { $0.key == "name" || $0.key == "alert" }) else {
            return .failure(InputError("\(file):\(entry.line): rule without a 'name'"))
        }
        let ruleName = nameField.value
        guard !ruleName.isEmpty, ruleName.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            return fail(nameField.line, nameField.key, "'\(ruleName)' is not a name (letters, digits, _)")
        }
        let existing = rules.firstIndex { $0.name == ruleName }
        var rule = existing.map { rules[$0] }
            ?? AlertRule(name: ruleName, signal: .errorRatio, threshold: .nan, forSeconds: 0, severity: "warning", summary: "")
        var hasExpr = existing != nil, thresholdGiven = existing != nil, enabled = true, summaryGiven = false
        for field in entry.fields {
            let v = field.value
            switch field.key {
            case "name", "alert": break
            case "expr":
                let parts = v.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
                guard let first = parts.first, let signal = AlertSignal(rawValue: first) else {
                    return fail(field.line, "expr", "'\(v)' does not start with a signal (\(AlertSignal.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                rule.signal = signal
                hasExpr = true
                if parts.count == 3 {
                    guard let op = AlertComparison(rawValue: parts[1]) else {
                        return fail(field.line, "expr", "'\(parts[1])' is not a comparison (>, >=, <, <=, ==, !=)")
                    }
                    guard let number = Double(parts[2]), number.isFinite else {
                        return fail(field.line, "expr", "'\(parts[2])' is not a number")
                    }
                    rule.comparison = op; rule.threshold = number; thresholdGiven = true
                } else if parts.count != 1 {
                    return fail(field.line, "expr", "expected 'SIGNAL' or 'SIGNAL OP NUMBER', got '\(v)'")
                }
            case "threshold":
                guard let number = Double(v), number.isFinite else { return fail(field.line, "threshold", "'\(v)' is not a number") }
                rule.threshold = number; thresholdGiven = true
            case "for":
                guard let d = ConfigText.duration(v) else { return fail(field.line, "for", "'\(v)' is not a duration (30s, 2m, 1h)") }
                rule.forSeconds = Int(d.rounded())
            case "window":
                guard let d = ConfigText.duration(v), d >= 1, d <= Double(AlertRule.maximumWindowSeconds) else {
                    return fail(field.line, "window", "'\(v)' is not a duration from 1s to 1h")
                }
                rule.windowSeconds = Int(d.rounded())
            case "severity", "labels.severity": rule.severity = v
            case "summary", "annotations.summary", "annotations.description":
                if field.key != "annotations.description" || !summaryGiven { rule.summary = v; summaryGiven = true }
            case "enabled":
                guard v == "true" || v == "false" else { return fail(field.line, "enabled", "expected true or false") }
                enabled = v == "true"
            default:
                return fail(field.line, field.key, "unknown field (name, expr, threshold, for, window, severity, summary, enabled)")
            }
        }
        guard hasExpr else { return .failure(InputError("\(file):\(entry.line): rule '\(ruleName)' needs an 'expr' naming a signal")) }
        guard thresholdGiven, rule.threshold.isFinite else {
            return .failure(InputError("\(file):\(entry.line): rule '\(ruleName)' needs a threshold (in 'expr' or 'threshold')"))
        }
        // A built-in whose condition changed gets a summary that says the new condition.
        if let existing, !summaryGiven {
            let old = rules[existing]
            if (old.signal, old.comparison, old.threshold, old.forSeconds, old.windowSeconds)
                != (rule.signal, rule.comparison, rule.threshold, rule.forSeconds, rule.windowSeconds) {
                rule.summary = Self.describe(rule)
            }
        }
        if rule.summary.isEmpty { rule.summary = Self.describe(rule) }
        if let existing {
            if enabled { rules[existing] = rule } else { rules.remove(at: existing) }
        } else if enabled {
            rules.append(rule)
        }
        return .success(ruleName)
    }

    /// `p95_latency_seconds > 3 for 1m`.
    static func describe(_ rule: AlertRule) -> String {
        rule.expression + (rule.forSeconds > 0 ? " for \(PrometheusRules.duration(rule.forSeconds))" : "")
    }

    /// `[[rule]]` (or `[[rules]]`) tables of `key = value`.
    static func readTOML(_ text: String, name: String) -> Result<[Entry], InputError> {
        let doc: TOMLDocument
        do { doc = try TOMLDocument(text) } catch { return .failure(InputError("\(name):\(error.line): \(error.message)")) }
        if let first = ConfigText.pairs(doc.root).first {
            return .failure(InputError("\(name):\(first.entry.line): a field before the first [[rule]]"))
        }
        if let (section, at) = doc.sections.min(by: { $0.value.line < $1.value.line }).map({ ($0.key, $0.value.line) }) {
            return .failure(InputError("\(name):\(at): expected [[rule]], got [\(section)]"))
        }
        if let other = doc.tables.first(where: { $0.key != "rule" && $0.key != "rules" }) {
            return .failure(InputError("\(name):\(other.value.first?.line ?? 1): expected [[rule]], got [[\(other.key)]]"))
        }
        let tables = ((doc.tables["rule"] ?? []) + (doc.tables["rules"] ?? [])).sorted { $0.line < $1.line }
        var entries: [Entry] = []
        for (line, table) in tables {
            var entry = Entry(line: line)
            for (key, item) in ConfigText.pairs(table) {
                let value: String
                switch item.value {
                case .string(let s): value = s
                case .integer(let n): value = String(n)
                case .float(let d): value = String(d)
                case .bool(let b): value = b ? "true" : "false"
                case .array: return .failure(InputError("\(name):\(item.line): field '\(key)': cannot read the value (a list)"))
                }
                entry.fields.append(Field(key: key, value: value, line: item.line))
            }
            entries.append(entry)
        }
        return .success(entries)
    }

    /// A list under a `rules:` key (at the top, or inside Prometheus-style `groups:`), each item a
    /// map of scalars; `labels:` and `annotations:` maps are read as `labels.KEY`.
    static func readYAML(_ text: String, name: String) -> Result<[Entry], InputError> {
        var entries: [Entry] = []
        var keys: [(indent: Int, key: String)] = []   // open map keys, outermost first
        var itemIndent: Int?                          // indent of the current rule's fields
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let at = "\(name):\(n + 1)"
            var line = yamlStripComment(String(raw))
            while line.last == " " || line.last == "\t" || line.last == "\r" { line.removeLast() }
            if line.trimmingCharacters(in: .whitespaces).isEmpty || line == "---" { continue }
            guard !line.contains("\t") else { return .failure(InputError("\(at): tabs are not allowed in YAML indentation")) }
            var indent = line.prefix { $0 == " " }.count
            var body = String(line.dropFirst(indent))
            var startsItem = false
            if body.hasPrefix("- ") || body == "-" {
                startsItem = true
                let rest = body.dropFirst(1).drop { $0 == " " }
                indent += body.count - rest.count
                body = String(rest)
            }
            while let last = keys.last, last.indent >= indent { keys.removeLast() }
            if startsItem {
                if keys.last?.key == "rules" {
                    entries.append(Entry(line: n + 1))
                    itemIndent = indent
                } else {
                    itemIndent = nil
                }
            }
            if body.isEmpty { continue }
            guard let colon = body.firstIndex(of: ":") else {
                return .failure(InputError("\(at): expected key: value"))
            }
            let key = String(body[..<colon]).trimmingCharacters(in: .whitespaces)
            let value = unquote(String(body[body.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
            if value.isEmpty {
                keys.append((indent, key))
                continue
            }
            guard let base = itemIndent, indent >= base, !entries.isEmpty else {
                if key == "rules" || key == "groups" { return .failure(InputError("\(at): '\(key)' must be a list")) }
                continue   // group-level fields (name, interval) are not rule fields
            }
            let nested = keys.last.map { $0.indent >= base ? $0.key + "." : "" } ?? ""
            entries[entries.count - 1].fields.append(Field(key: nested + key, value: value, line: n + 1))
        }
        return .success(entries)
    }

    static func yamlStripComment(_ line: String) -> String {
        var quote: Character?
        var previous: Character = " "
        for (i, c) in line.enumerated() {
            if let q = quote { if c == q { quote = nil } }
            else if c == "\"" || c == "'" { quote = c }
            else if c == "#", previous == " " { return String(line.prefix(i)) }
            previous = c
        }
        return line
    }

    static func unquote(_ s: String) -> String {
        if s.count >= 2, let f = s.first, (f == "\"" || f == "'"), s.last == f { return String(s.dropFirst().dropLast()) }
        return s
    }
}
