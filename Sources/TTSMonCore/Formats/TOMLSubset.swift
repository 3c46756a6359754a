/// The part of TOML ttsmon's files use (format files, rule files, the dashboard's config):
/// top-level `key = value` pairs, `[table]`s and arrays of tables (`[[event]]`); strings (basic,
/// literal, and both multi-line forms), integers, floats, booleans and arrays (across lines).
/// Every value remembers its line, so errors name it.
public struct TOMLDocument {
    public indirect enum Value: Equatable, Sendable {
        case string(String), integer(Int), float(Double), bool(Bool), array([Value])
    }

    public struct Entry: Sendable { public var value: Value; public var line: Int }
    public typealias Table = [String: Entry]

    /// A parse error at a line (1-based).
    public struct Error: Swift.Error { public var line: Int; public var message: String }

    public private(set) var root: Table = [:]
    /// Arrays of tables by name, each table with the line of its header.
    public private(set) var tables: [String: [(line: Int, table: Table)]] = [:]
    /// `[name]` tables, with the line of their header.
    public private(set) var sections: [String: (line: Int, table: Table)] = [:]

    public init(_ text: String) throws(Error) {
        var parser = Parser(Array(text.unicodeScalars))
        var currentTable: String?
        var currentSection: String?
        while let line = try parser.nextStatement() {
            switch line.statement {
            case .arrayTable(let name):
                tables[name, default: []].append((line.number, [:]))
                currentTable = name; currentSection = nil
            case .table(let name):
                guard sections[name] == nil else { throw Error(line: line.number, message: "table [\(name)] is defined twice") }
                sections[name] = (line.number, [:])
                currentSection = name; currentTable = nil
            case .pair(let key, let value):
                if let name = currentSection {
                    guard sections[name]!.table[key] == nil else { throw Error(line: line.number, message: "key \(key) is set twice") }
                    sections[name]!.table[key] = Entry(value: value, line: line.number)
                } else if let name = currentTable {
                    var list = tables[name]!
                    guard list[list.count - 1].table[key] == nil else { throw Error(line: line.number, message: "key \(key) is set twice") }
                    list[list.count - 1].table[key] = Entry(value: value, line: line.number)
                    tables[name] = list
                } else {
                    guard root[key] == nil else { throw Error(line: line.number, message: "key \(key) is set twice") }
                    root[key] = Entry(value: value, line: line.number)
                }
            }
        }
    }

    enum Statement { case pair(String, Value), table(String), arrayTable(String) }

    /// A scanner over the document's scalars.
    struct Parser {
        let s: [Unicode.Scalar]
        var i = 0
        var line = 1
        init(_ s: [Unicode.Scalar]) { self.s = s }

        var atEnd: Bool { i >= s.count }
        func peek(_ k: Int = 0) -> Unicode.Scalar? { i + k < s.count ? s[i + k] : nil }

        mutating func advance() {
            if s[i] == "\n" { line += 1 }
            i += 1
        }

        func error(_ message: String) -> Error { Error(line: line, message: message) }

        /// Spaces and tabs (and, inside arrays, newlines and comments).
        mutating func skipBlank(newlines: Bool) {
            while let c = peek() {
                if c == " " || c == "\t" || c == "\r" { advance() }
                else if newlines, c == "\n" { advance() }
                else if c == "#" { while let d = peek(), d != "\n" { _ = d; advance() } }
                else { return }
            }
        }

        mutating func nextStatement() throws(Error) -> (number: Int, statement: Statement)? {
            while true {
                skipBlank(newlines: true)
                guard let c = peek() else { return nil }
                let number = line
                let statement: Statement
                if c == "[" {
                    let double = peek(1) == "["
                    i += double ? 2 : 1
                    skipBlank(newlines: false)
                    let name = try key()
                    skipBlank(newlines: false)
                    guard peek() == "]", !double || peek(1) == "]" else { throw error("expected ] after [\(name)") }
                    i += double ? 2 : 1
                    statement = double ? .arrayTable(name) : .table(name)
                } else {
                    let k = try key()
                    skipBlank(newlines: false)
                    guard peek() == "=" else { throw error("expected = after key \(k)") }
                    advance()
                    skipBlank(newlines: false)
                    statement = .pair(k, try value())
                }
                skipBlank(newlines: false)
                if let end = peek(), end != "\n" { throw error("unexpected \(end) after the value") }
                return (number, statement)
            }
        }

        mutating func key() throws(Error) -> String {
            if peek() == "\"" || peek() == "'" {
                guard case .string(let k) = try value() else { throw error("bad key") }
                return k
            }
            var k = ""
            while let c = peek(), c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "_" || c == "-" {
                k.unicodeScalars.append(c); advance()
            }
            guard !k.isEmpty else { throw error("expected a key") }
            return k
        }

        mutating func value() throws(Error) -> Value {
            guard let c = peek() else { throw error("expected a value") }
            switch c {
            case "\"", "'": return .string(try string())
            case "[":
                let opened = line
                advance()
                var items: [Value] = []
                while true {
                    skipBlank(newlines: true)
                    if atEnd { throw Error(line: opened, message: "the array that starts here is not closed with ]") }
                    if peek() == "]" { advance(); return .array(items) }
                    items.append(try value())
                    skipBlank(newlines: true)
                    if peek() == "," { advance(); continue }
                    if atEnd { throw Error(line: opened, message: "the array that starts here is not closed with ]") }
                    guard peek() == "]" else { throw error("expected , or ] in an array") }
                }
            default:
                var word = ""
                while let d = peek(), !" \t\r\n,]#".unicodeScalars.contains(d) { word.unicodeScalars.append(d); advance() }
                if word == "true" { return .bool(true) }
                if word == "false" { return .bool(false) }
                let digits = word.replacingOccurrences(of: "_", with: "")
                if let n = Int(digits) { return .integer(n) }
                if let d = Double(digits) { return .float(d) }
                throw error("expected a value, found \(word.isEmpty ? String(c) : word)")
            }
        }

        mutating func string() throws(Error) -> String {
            let quote = peek()!
            let multi = peek(1) == quote && peek(2) == quote
            i += multi ? 3 : 1
            // A newline right after an opening triple quote is not part of the string.
            if multi, peek() == "\n" { advance() } else if multi, peek() == "\r", peek(1) == "\n" { i += 1; advance() }
            var out = String.UnicodeScalarView()
            while true {
                guard let c = peek() else { throw error("unterminated string") }
                if c == quote, !multi || (peek(1) == quote && peek(2) == quote) {
                    i += multi ? 3 : 1
                    return String(out)
                }
                if c == "\n", !multi { throw error("unterminated string") }
                if c == "\\", quote == "\"" {
                    advance()
                    guard let e = peek() else { throw error("unterminated string") }
                    advance()
                    switch e {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    case "r": out.append("\r")
                    case "\"": out.append("\"")
                    case "\\": out.append("\\")
                    case "u", "U":
                        let width = e == "u" ? 4 : 8
                        var hex = ""
                        for _ in 0..<width { guard let h = peek() else { break }; hex.unicodeScalars.append(h); advance() }
                        guard let v = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(v) else { throw error("bad \\\(e) escape") }
                        out.append(scalar)
                    default: throw error("unknown escape \\\(e) (use a 'literal string' for regular expressions)")
                    }
                    continue
                }
                out.append(c)
                advance()
            }
        }
    }
}
