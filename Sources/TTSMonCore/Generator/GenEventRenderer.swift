import Foundation

/// Renders the IndexTTS events (one line each, without its line ending) in one dialect.
/// The builder is generic over this protocol so each dialect gets specialised code.
protocol GenEventRenderer {
    /// The dialect, for hostile lines.
    static var format: GeneratedFormat { get }
    /// True when a traceback follows `synthesis_failed` as separate lines without timestamp;
    /// false when `failed` embeds it in the line.
    static var tracebackAsContinuation: Bool { get }
    static func start(_ b: inout GenLineBuffer, _ r: GenRequestPlan)
    static func stage(_ b: inout GenLineBuffer, time: Int64, id: String, stage: GenStage, ms: Int)
    static func warning(_ b: inout GenLineBuffer, time: Int64, id: String, code: String)
    static func failed(_ b: inout GenLineBuffer, _ r: GenRequestPlan)
    static func complete(_ b: inout GenLineBuffer, _ r: GenRequestPlan)
    static func metrics(_ b: inout GenLineBuffer, time: Int64, id: String, rms: Int, centroid: Int)
    static func cacheUsage(_ b: inout GenLineBuffer, time: Int64, tenths: Int, thresholdTenths: Int)
    static func cacheHealth(_ b: inout GenLineBuffer, time: Int64, tenths: Int)
    static func router(_ b: inout GenLineBuffer, time: Int64, level: String, message: String)
}
