import Foundation
import Testing
@testable import TTSMonCore

/// User formats' expressions run on ICU directly over a UTF-16 copy of each line: offsets are
/// UTF-16 units, so text beyond ASCII (CJK, emoji's surrogate pairs) must come back whole.
@Suite struct NamedPatternTests {
    @Test func capturesAfterTextBeyondASCII() throws {
        let p = try NamedPattern(#"^(?<time>\S+) (?<level>[A-Z]+) (?<message>.*)$"#)
        let line = "2025-01-10T14:22:37Z INFO 合成 text 你好🎉 done rtf=0.5"
        let m = try #require(p.match(line))
        #expect(m == ["time": "2025-01-10T14:22:37Z", "level": "INFO", "message": "合成 text 你好🎉 done rtf=0.5"])
    }

    @Test func eventsMatchInsideTheMessageRangeOnly() throws {
        let linePattern = try NamedPattern(#"^\[(?<level>\w+)\] (?<message>.*)$"#)
        let event = try NamedPattern(#"^yield 语音 (?<audio_s>[\d.]+)s, rtf (?<rtf>[\d.]+)$"#)
        let loose = try NamedPattern(#"rtf (?<rtf>[\d.]+)"#)
        let buffer = SubjectBuffer()
        let lineMatcher = linePattern.matcher(), eventMatcher = event.matcher(), looseMatcher = loose.matcher()
        var text = "[INFO] yield 语音 3.52s, rtf 0.4137"
        try text.withUTF8 { bytes in
            let subject = buffer.subject(bytes)
            let lineMatch = try #require(lineMatcher.match(subject))
            let message = try #require(lineMatch.range(.message))
            // `^` and `$` hold at the message's bounds, as NSRegularExpression's ranges did.
            let m = try #require(eventMatcher.match(subject, in: message))
            #expect(m.string(.audioS) == "3.52" && m.string(.rtf) == "0.4137")
            #expect(subject.number(try #require(m.range(.rtf))) == 0.4137)
            #expect(eventMatcher.match(subject) == nil, "the whole line starts with [INFO]")
            #expect(looseMatcher.match(subject, in: message.lowerBound..<(message.lowerBound + 4)) == nil)
        }
    }

    @Test func theLiteralIsCheckedBeyondASCIITooAndGroupsThatDidNotTakePartAreAbsent() throws {
        let p = try NamedPattern(#"完成 id=(?<id>\w+)(?: code=(?<code>\w+))?"#)
        #expect(p.literal == Array("完成 id=".utf16) && !p.anchoredLiteral)
        #expect(p.match("🎉 请求 完成 id=a1") == ["id": "a1"])
        #expect(p.match("🎉 请求 完成 id=a1 code=OOM") == ["id": "a1", "code": "OOM"])
        #expect(p.match("请求 完 成 id=a1") == nil)
    }

    @Test func aBadExpressionIsAnError() {
        #expect(throws: FormatFileError.Reason.self) { try NamedPattern("(unclosed") }
        #expect(throws: FormatFileError.Reason.self) { try NamedPattern("(?<id>a) (?<id>b)") }
    }

    /// Parentheses quoted by `\Q…\E` open no group: the captures after them stay right.
    @Test func quotedParenthesesOpenNoGroup() throws {
        let p = try NamedPattern(#"^\Q(x)\E (?<id>\w+) (?<code>\w+)$"#)
        #expect(p.match("(x) a1 OOM") == ["id": "a1", "code": "OOM"])
    }

    /// The line as ICU sees it is its UTF-16, whatever the length and wherever the first
    /// non-ASCII character sits (the ASCII start is widened sixteen bytes at a time).
    @Test func subjectIsTheLinesUTF16AtEveryLengthAndPosition() {
        let buffer = SubjectBuffer()
        for length in 0..<48 {
            for at in [nil] + Array(0..<max(1, length)).map(Optional.some) {
                var text = String(repeating: "a", count: length)
                if let at, at < length { text.replaceSubrange(text.index(text.startIndex, offsetBy: at)...text.index(text.startIndex, offsetBy: at), with: "好") }
                var copy = text
                copy.withUTF8 { bytes in
                    let subject = buffer.subject(bytes)
                    #expect(Array(UnsafeBufferPointer(start: subject.units, count: subject.length)) == Array(text.utf16), "\(length) \(String(describing: at))")
                    #expect(subject.asciiPrefix == (text.utf8.firstIndex { $0 >= 0x80 }.map { text.utf8.distance(from: text.utf8.startIndex, to: $0) } ?? bytes.count))
                }
            }
        }
    }

    /// `\S`, `\d`, `\w` and their kin are read in brackets (faster in ICU): every match and
    /// capture stays what the pattern as written gives (NSRegularExpression, ICU too, as oracle),
    /// with Unicode spaces, digits and letters, and inside classes and quotes left alone.
    @Test func shorthandClassesMatchAsWritten() throws {
        let patterns = [#"^(?<a>\S+) (?<b>\S+)$"#, #"(?<a>\d+)\D(?<b>\w*)\W"#, #"^(?<a>[\S\s]+?)\s+(?<b>\S{2,3})"#,
                        #"(?<a>\Q\S\E)(?<b>\s?)"#, #"^(?<a>[^\s]+)\s(?<b>.*)$"#]
        let subjects = ["2024-06-12 14:22:37,892", "a\u{3000}b", "x\u{00A0}y z", "١٢٣x好_z!", "12a_b c", "\\S x", "tab\there", "", "   ", "αβγ δεζ"]
        for pattern in patterns {
            let ours = try NamedPattern(pattern)
            let oracle = try NSRegularExpression(pattern: pattern)
            for text in subjects {
                let ns = text as NSString
                let expected = oracle.firstMatch(in: text, range: NSRange(location: 0, length: ns.length)).map { m in
                    ["a", "b"].reduce(into: [String: String]()) { out, name in
                        let r = m.range(withName: name)
                        if r.location != NSNotFound { out[name] = ns.substring(with: r) }
                    }
                }
                #expect(ours.match(text) == expected, "\(pattern) on \(text.debugDescription)")
            }
        }
    }
}
