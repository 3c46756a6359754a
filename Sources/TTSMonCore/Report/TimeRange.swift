/// A half-open interval of log time, `[from, to)`; either end may be open.
public struct TimeRange: Sendable, Equatable {
    public var from: LogTimestamp?
    public var to: LogTimestamp?

    public init(from: LogTimestamp? = nil, to: LogTimestamp? = nil) { self.from = from; self.to = to }

    /// True when no bound is set.
    public var isUnbounded: Bool { from == nil && to == nil }

    @inline(__always)
    public func contains(_ t: LogTimestamp) -> Bool {
        if let from, t < from { return false }
        if let to, t >= to { return false }
        return true
    }
}

/// A user's time bound before it is resolved against the log: absolute, time of day, or relative.
public enum TimeBound: Sendable, Equatable {
    case absolute(LogTimestamp)
    /// `HH:MM[:SS]` on the day of the log's last record.
    case timeOfDay(milliseconds: Int64)
    /// `-15m`, `-2h`: relative to the last record.
    case relative(milliseconds: Int64)

    /// Parses `YYYY-MM-DD HH:MM:SS`, `HH:MM[:SS]`, or `-15m`/`-2h`/`-30s`/`-1d`.
    public init?(_ text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let ts = LogTimestamp(t) { self = .absolute(ts); return }
        if t.hasPrefix("-"), t.count >= 3, let unit = t.last, let n = Int64(t.dropFirst().dropLast()), n >= 0 {
            let scale: Int64
            switch unit {
            case "s": scale = 1000
            case "m": scale = 60_000
            case "h": scale = 3_600_000
            case "d": scale = 86_400_000
            default: return nil
            }
            self = .relative(milliseconds: n * scale); return
        }
        let parts = t.split(separator: ":", omittingEmptySubsequences: false)
        if (2...3).contains(parts.count), parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isNumber) }) {
            let h = Int64(parts[0])!, m = Int64(parts[1])!, s = parts.count == 3 ? Int64(parts[2])! : 0
            guard h < 24, m < 60, s < 60 else { return nil }
            self = .timeOfDay(milliseconds: ((h * 60 + m) * 60 + s) * 1000); return
        }
        return nil
    }

    /// True when resolving needs the log's last timestamp.
    public var needsLastRecord: Bool {
        if case .absolute = self { return false }
        return true
    }

    /// The absolute time, given the log's last record.
    public func resolve(lastRecord: LogTimestamp?) -> LogTimestamp? {
        switch self {
        case .absolute(let t): return t
        case .timeOfDay(let ms): return lastRecord.map { $0.startOfDay.adding(milliseconds: ms) }
        case .relative(let ms): return lastRecord.map { $0.adding(milliseconds: -ms) }
        }
    }
}

import Foundation
