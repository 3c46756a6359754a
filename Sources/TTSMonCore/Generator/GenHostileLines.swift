import Foundation

/// Lines a correct parser must count as unparsed. Each is glued right after an ordinary
/// INFO record (never after an ERROR record or its traceback, never next to another hostile
/// line), so the ones without a timestamp cannot pass for continuation lines.
enum GenHostileKind: UInt8, CaseIterable {
    /// `2024-13-45 99:99:99,999 ...`: a timestamp that cannot exist.
    case impossibleTimestamp
    /// A completion line whose `id=` is empty.
    case emptyId
    /// A completion line with `duration_ms=abc`.
    case badDuration
    /// Random bytes (NUL included, no line break), starting with NUL.
    case binary
    /// Invalid UTF-8 (0xC3 0x28, 0xFF) and no timestamp.
    case invalidUTF8
    /// An OSC escape that would set the terminal title, no timestamp.
    case terminalTitle
    /// Plain output without a timestamp (not after an ERROR record).
    case strayOutput
}

enum GenHostileLines {
    /// For each request index, the hostile line glued after its first record (0: none, else kind + 1).
    /// About one line of each kind per 1000 requests, at least one of each when there are ≥ 7 requests.
    static func plan(requests: Int, enabled: Bool, rng: inout GenRandom) -> [UInt8] {
        var plan = [UInt8](repeating: 0, count: requests)
        guard enabled, requests > 0 else { return plan }
        let perKind = max(1, requests / 1000)
        let total = min(perKind * GenHostileKind.allCases.count, requests)
        var hosts = Array(0..<requests)
        for i in 0..<total {
            let j = i + Int(rng.next() % UInt64(requests - i))
            hosts.swapAt(i, j)
            plan[hosts[i]] = UInt8(i % GenHostileKind.allCases.count) + 1
        }
        return plan
    }

    static let strays = ["some stray print output", "DEBUG entering synthesize()", "None",
                         "[W] torch: resource tracker warning", "Loading checkpoint shards: 100%"]

    /// Appends one hostile line (with its `\n`) in the given format.
    static func append(_ kind: GenHostileKind, format: GeneratedFormat, time: Int64,
                       to b: inout GenLineBuffer, rng: inout GenRandom) {
        switch kind {
        case .impossibleTimestamp, .emptyId, .badDuration:
            appendTimestamped(kind, format: format, time: time, to: &b)
        case .binary:
            b.append(0x00)
            for _ in 0..<rng.int(16...80) {
                var byte = UInt8(truncatingIfNeeded: rng.next())
                if byte == 0x0A || byte == 0x0D { byte = 0x00 }
                b.append(byte)
            }
        case .invalidUTF8:
            b.append("caf")
            b.append(raw: [0xC3, 0x28])
            b.append(" invalid ")
            b.append(raw: [0xFF, 0xFE])
            b.append(" utf8 bytes")
        case .terminalTitle:
            b.append("\u{1B}]0;pwned\u{07}terminal title changed")
        case .strayOutput:
            b.append(rng.pick(strays))
        }
        b.newline()
    }

    private static func appendTimestamped(_ kind: GenHostileKind, format: GeneratedFormat, time: Int64,
                                          to b: inout GenLineBuffer) {
        let id1 = GenRequestIds.reservedIndexTTS[0], id2 = GenRequestIds.reservedIndexTTS[1]
        switch format {
        case .indexTTS:
            if kind == .impossibleTimestamp { b.append("2024-13-45 99:99:99,999") } else { b.appendTimestamp(time) }
            b.append(" - app.tts_engine - INFO - synthesis_complete: id=")
            switch kind {
            case .impossibleTimestamp: b.append("\(id1), status=success, duration_ms=5")
            case .emptyId: b.append(", status=success, duration_ms=5")
            default: b.append("\(id2), status=success, duration_ms=abc")
            }
        case .jsonLines:
            b.append("{\"time\": \"")
            if kind == .impossibleTimestamp { b.append("2024-13-45 99:99:99,999") } else { b.appendTimestamp(time) }
            b.append("\", \"level\": \"INFO\", \"logger\": \"app.tts_engine\", \"event\": \"synthesis_complete\", \"id\": ")
            switch kind {
            case .impossibleTimestamp: b.append("\"\(id1)\", \"status\": \"success\", \"duration_ms\": 5}")
            case .emptyId: b.append("\"\", \"status\": \"success\", \"duration_ms\": 5}")
            default: b.append("\"\(id2)\", \"status\": \"success\", \"duration_ms\": \"abc\"}")
            }
        case .chatTTS:
            if kind == .impossibleTimestamp { b.append("2024-13-45 99:99:99,999") } else { b.appendTimestamp(time) }
            switch kind {
            case .impossibleTimestamp: b.append(" | \(GenRequestIds.reservedChatTTS[0]) | OK | 5ms | 3 | 0 | -")
            case .emptyId: b.append(" |  | OK | 5ms | 3 | 0 | -")
            default: b.append(" | \(GenRequestIds.reservedChatTTS[1]) | OK | abcms | 3 | 0 | -")
            }
        }
    }
}
