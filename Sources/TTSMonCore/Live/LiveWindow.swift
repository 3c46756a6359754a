/// The length of the window that live figures cover, ending at "now" (a log time).
public enum LiveWindow: String, Sendable, CaseIterable {
    case oneMinute = "1m", fiveMinutes = "5m", fifteenMinutes = "15m"

    /// The window's length in seconds.
    public var seconds: Int {
        switch self {
        case .oneMinute: return 60
        case .fiveMinutes: return 300
        case .fifteenMinutes: return 900
        }
    }

    /// The longest window: the span the latency ring must hold.
    static var longestSeconds: Int { allCases.map(\.seconds).max()! }
}
