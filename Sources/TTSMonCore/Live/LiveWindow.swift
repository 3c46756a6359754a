/// The length of the window that live figures cover, ending at "now" (a log time).
public enum LiveWindow: String, Sendable, CaseIterable {
    case oneMinute = "1m", fiveMinutes = "5m", fifteenMinutes = "15m", oneHour = "1h", sixHours = "6h", oneDay = "24h"

    /// The window's length in seconds.
    public var seconds: Int {
        switch self {
        case .oneMinute: return 60
        case .fiveMinutes: return 300
        case .fifteenMinutes: return 900
        case .oneHour: return 3600
        case .sixHours: return 6 * 3600
        case .oneDay: return 24 * 3600
        }
    }

    /// Windows up to 15 minutes are figured second by second (the alert rules' resolution);
    /// longer ones minute by minute, so a day costs 1,440 slots, not 86,400.
    public var isPerSecond: Bool { seconds <= LiveWindow.longestPerSecond }

    /// Seconds of a slot of this window's figures: 1, or 60.
    public var unitSeconds: Int { isPerSecond ? 1 : 60 }

    /// The longest window figured second by second: the span the per-second rings hold.
    public static let longestPerSecond = 900

    /// The longest window: the span the per-minute rings hold.
    static var longestSeconds: Int { allCases.map(\.seconds).max()! }

    /// The names, for messages: `1m, 5m, 15m, 1h, 6h or 24h`.
    public static var names: String {
        let all = allCases.map(\.rawValue)
        return all.dropLast().joined(separator: ", ") + " or " + all.last!
    }
}
