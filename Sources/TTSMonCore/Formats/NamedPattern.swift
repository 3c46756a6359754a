import CBytes
import CRegex
import Foundation

/// A regular expression (ICU syntax, as NSRegularExpression's) with named captures, and a
/// literal every match must contain, checked first because it is cheap. Compiled once and
/// shared; each reader matches through its own `PatternMatcher` (an ICU matcher holds its text).
final class NamedPattern: @unchecked Sendable {
    // Only cloned after init (ICU's clone is safe from several threads), never matched.
    private let compiled: OpaquePointer
    /// The expression as written.
    let source: String
    let names: [String]
    /// The capture group number of each name.
    let groups: [Int32]
    /// The group number of each known capture (by `Capture.rawValue`), -1 where absent:
    /// looked up once here, never by name per line.
    let slots: [Int32]
    /// UTF-16 units every match contains (the pattern's leading literal), when it has one.
    let literal: [UInt16]
    /// Whether the literal must be at the start of the text matched (`^literal…`).
    let anchoredLiteral: Bool

    init(_ pattern: String) throws {
        let (rewritten, names, groups) = NamedPattern.renamingGroups(pattern)
        if let twice = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
            throw FormatFileError.Reason("the capture \(twice) is named twice in: \(pattern)")
        }
        let units = Array(rewritten.utf16)
        guard let compiled = units.withUnsafeBufferPointer({ ttsmon_regex_open($0.baseAddress, Int32($0.count)) }) else {
            throw FormatFileError.Reason("invalid regular expression: \(pattern)")
        }
        self.compiled = compiled
        source = pattern
        self.names = names
        self.groups = groups.map(Int32.init)
        slots = Capture.allCases.map { capture in names.firstIndex(of: capture.name).map { Int32(groups[$0]) } ?? -1 }
        literal = Array(String(decoding: NamedPattern.leadingLiteral(pattern), as: UTF8.self).utf16)
        anchoredLiteral = pattern.hasPrefix("^") && !literal.isEmpty
    }

    deinit { ttsmon_regex_close(compiled) }

    /// A matcher of this pattern for one reader (one thread at a time).
    func matcher() -> PatternMatcher { PatternMatcher(self, regex: clone()) }

    private func clone() -> OpaquePointer {
        guard let copy = ttsmon_regex_clone(compiled) else { fatalError("ICU could not clone a regular expression") }   // out of memory
        return copy
    }

    /// The named captures of the first match in `text`, nil when none.
    func match(_ text: String) -> [String: String]? {
        let buffer = SubjectBuffer()
        let m = matcher()
        var copy = text
        return copy.withUTF8 { bytes in m.match(buffer.subject(bytes))?.values }
    }

    static func renamingGroups(_ pattern: String) -> (String, [String], [Int]) {
        let s = Array(pattern.unicodeScalars)
        var names: [String] = []
        var groups: [Int] = []
        var group = 0
        var inClass = false
        var out = String.UnicodeScalarView()
        var i = 0
        while i < s.count {
            // `\Q…\E` quotes everything up to `\E`: no group opens inside it.
            if s[i] == "\\", i + 1 < s.count, s[i + 1] == "Q" {
                var j = i + 2
                while j < s.count, !(s[j] == "\\" && j + 1 < s.count && s[j + 1] == "E") { j += 1 }
                let end = min(s.count, j + 2)
                out.append(contentsOf: s[i..<end])
                i = end
                continue
            }
            // `\S` and its kin outside a class become the same class in brackets (`[\S]`): ICU
            // loops over a bracketed set without a backtrack frame per character, over twice as
            // fast on the `\S+` of a typical line pattern.
            if s[i] == "\\", i + 1 < s.count, !inClass, "sSdDwW".unicodeScalars.contains(s[i + 1]) {
                out.append("["); out.append(s[i]); out.append(s[i + 1]); out.append("]"); i += 2; continue
            }
            if s[i] == "\\", i + 1 < s.count { out.append(s[i]); out.append(s[i + 1]); i += 2; continue }
            if inClass {
                if s[i] == "]" { inClass = false }
            } else if s[i] == "[" {
                inClass = true
            } else if s[i] == "(" {
                let named = i + 3 < s.count && s[i + 1] == "?" && s[i + 2] == "<" && s[i + 3] != "=" && s[i + 3] != "!"
                if named, let close = s[(i + 3)...].firstIndex(of: ">") {
                    group += 1
                    var name = ""
                    name.unicodeScalars.append(contentsOf: s[(i + 3)..<close])
                    out.append(contentsOf: "(?<n\(names.count)>".unicodeScalars)
                    names.append(name)
                    groups.append(group)
                    i = close + 1
                    continue
                }
                if i + 1 >= s.count || s[i + 1] != "?" { group += 1 }
            }
            out.append(s[i])
            i += 1
        }
        return (String(out), names, groups)
    }

    static func leadingLiteral(_ pattern: String) -> [UInt8] {
        guard !pattern.contains("|") else { return [] }
        var s = Substring(pattern)
        if s.hasPrefix("^") { s = s.dropFirst() }
        var out: [Character] = []
        for c in s {
            if "\\.^$|?*+()[]{}".contains(c) {
                // A quantifier applies to the character before it: that one is not certain.
                if "?*{".contains(c), !out.isEmpty { out.removeLast() }
                break
            }
            out.append(c)
        }
        return Array(String(out).utf8)
    }
}

/// One reader's matcher of a `NamedPattern`.
final class PatternMatcher {
    let pattern: NamedPattern
    private let regex: OpaquePointer

    fileprivate init(_ pattern: NamedPattern, regex: OpaquePointer) { self.pattern = pattern; self.regex = regex }
    deinit { ttsmon_regex_close(regex) }

    /// The first match in `subject` within `range` (UTF-16 offsets; the whole text by default;
    /// `^` and `$` match at the range's bounds), nil when none or when the literal is not there.
    func match(_ subject: MatchSubject, in range: Range<Int>? = nil) -> NamedMatch? {
        let r = range ?? 0..<subject.length
        guard subject.contains(pattern.literal, in: r, anchored: pattern.anchoredLiteral) else { return nil }
        guard ttsmon_regex_find(regex, subject.units, Int32(subject.length), Int32(r.lowerBound), Int32(r.upperBound)) != 0 else { return nil }
        return NamedMatch(subject: subject, matcher: self)
    }

    /// The range of capture group `group` in the last match, nil when it took no part.
    fileprivate func range(ofGroup group: Int32) -> Range<Int>? {
        let start = ttsmon_regex_start(regex, group), end = ttsmon_regex_end(regex, group)
        return start >= 0 && end >= start ? Int(start)..<Int(end) : nil
    }
}

/// A reader's UTF-16 buffer, filled once per line for all of that line's matches.
final class SubjectBuffer {
    private var units: UnsafeMutablePointer<UInt16>
    private var capacity: Int

    init() { capacity = 4096; units = .allocate(capacity: capacity) }
    deinit { units.deallocate() }

    /// The line as the expressions see it; valid until the next call. `bytes` is valid UTF-8.
    func subject(_ bytes: ByteSpan) -> MatchSubject {
        // A line never has more UTF-16 units than bytes.
        if bytes.count > capacity {
            units.deallocate()
            capacity = bytes.count
            units = .allocate(capacity: capacity)
        }
        let n = bytes.count
        let i = n == 0 ? 0 : ttsmon_widen_ascii(bytes.baseAddress!, n, units)
        let asciiPrefix = i
        var length = i
        if i < n {
            // The rest through Swift's transcoder (the line was checked as valid UTF-8).
            var out = length
            _ = transcode(UnsafeBufferPointer(rebasing: bytes[i..<n]).makeIterator(), from: UTF8.self, to: UTF16.self,
                          stoppingOnError: false) { units[out] = $0; out &+= 1 }
            length = out
        }
        return MatchSubject(units: units, length: length, bytes: bytes, asciiPrefix: asciiPrefix)
    }
}

/// A line as the expressions see it (UTF-16) with its bytes, for the cheap paths: where the
/// line is ASCII, UTF-16 offsets are byte offsets.
struct MatchSubject {
    let units: UnsafePointer<UInt16>
    let length: Int
    let bytes: ByteSpan
    /// Bytes (and units) before the first non-ASCII byte.
    let asciiPrefix: Int

    init(units: UnsafeMutablePointer<UInt16>, length: Int, bytes: ByteSpan, asciiPrefix: Int) {
        self.units = UnsafePointer(units); self.length = length; self.bytes = bytes; self.asciiPrefix = asciiPrefix
    }

    /// Whether `literal` is in `range` (at its start when `anchored`); an empty one always is.
    func contains(_ literal: [UInt16], in range: Range<Int>, anchored: Bool) -> Bool {
        let k = literal.count
        guard k > 0 else { return true }
        guard range.count >= k else { return false }
        return literal.withUnsafeBufferPointer { lit in
            let first = lit[0]
            let last = anchored ? range.lowerBound : range.upperBound - k
            var i = range.lowerBound
            while i <= last {
                if units[i] == first, memcmp(units + i, lit.baseAddress!, k * 2) == 0 { return true }
                i &+= 1
            }
            return false
        }
    }

    /// The UTF-8 of a UTF-16 range: the line's own bytes where they are ASCII.
    func withBytes<T>(_ r: Range<Int>, _ body: (ByteSpan) -> T) -> T {
        if r.upperBound <= asciiPrefix { return body(bytes.slice(r.lowerBound, r.upperBound)) }
        var text = string(r)
        return text.withUTF8(body)
    }

    /// The text of a UTF-16 range.
    func string(_ r: Range<Int>) -> String {
        if r.upperBound <= asciiPrefix { return bytes.slice(r.lowerBound, r.upperBound).string }
        return String(decoding: UnsafeBufferPointer(start: units + r.lowerBound, count: r.count), as: UTF16.self)
    }

    /// A number in a UTF-16 range, read from the bytes where they are ASCII.
    func number(_ r: Range<Int>) -> Double? {
        if r.upperBound <= asciiPrefix, let v = ValueParsing.decimal(bytes.slice(r.lowerBound, r.upperBound)) { return v }
        return Double(string(r).trimmingCharacters(in: .whitespaces))
    }
}

/// The named captures of one match, read from its matcher when asked (no array per match):
/// valid until that matcher matches again.
struct NamedMatch {
    let subject: MatchSubject
    let matcher: PatternMatcher

    /// The range of a known capture that took part in the match.
    @inline(__always)
    func range(_ capture: Capture) -> Range<Int>? {
        let group = matcher.pattern.slots[capture.rawValue]
        return group < 0 ? nil : matcher.range(ofGroup: group)
    }

    func string(_ capture: Capture) -> String? { range(capture).map(subject.string) }

    /// Every capture that took part, as text.
    var values: [String: String] {
        var out: [String: String] = [:]
        for (name, group) in zip(matcher.pattern.names, matcher.pattern.groups) {
            if let r = matcher.range(ofGroup: group) { out[name] = subject.string(r) }
        }
        return out
    }
}

/// The captures a format may name, in a fixed order (`NamedPattern.slots`).
enum Capture: Int, CaseIterable {
    case id, text, voice, lang, status, httpStatus, code, stage, durationMs, durationS, durationUs, audioS, rtf, ttfaMs,
         textLen, gpuID, time, level, message

    /// Those only the `line` pattern may capture.
    static let lineOnly: [Capture] = [.time, .level, .message]

    /// The name a pattern gives it.
    var name: String {
        switch self {
        case .httpStatus: "http_status"
        case .durationMs: "duration_ms"
        case .durationS: "duration_s"
        case .durationUs: "duration_us"
        case .audioS: "audio_s"
        case .ttfaMs: "ttfa_ms"
        case .textLen: "text_len"
        case .gpuID: "gpu_id"
        default: "\(self)"
        }
    }
}

/// A user format's matchers for one reader: the line pattern and each event's.
final class UserMatchers {
    let line: PatternMatcher
    let events: [PatternMatcher]
    /// What each event tells, beside its matcher.
    let kinds: [UserFormat.Kind]
    let timeFormat: TimeFormat?
    let buffer = SubjectBuffer()

    init(_ format: UserFormat) {
        line = format.line.matcher()
        events = format.events.map { $0.pattern.matcher() }
        kinds = format.events.map(\.kind)
        timeFormat = format.timeFormat
    }
}
