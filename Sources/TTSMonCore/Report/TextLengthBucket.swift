/// Buckets of input text length, for "which texts fail" (seed 000's `uniq -c` by text_len).
public enum TextLengthBucket: Int, Sendable, CaseIterable {
    case upTo50, upTo200, upTo600, upTo1000, over1000, unknown

    /// The bucket for a text length in characters (nil: unknown).
    public init(length: Int?) {
        guard let n = length else { self = .unknown; return }
        switch n {
        case ...50: self = .upTo50
        case ...200: self = .upTo200
        case ...600: self = .upTo600
        case ...1000: self = .upTo1000
        default: self = .over1000
        }
    }

    /// The label shown in output.
    public var label: String {
        switch self {
        case .upTo50: return "0-50"
        case .upTo200: return "51-200"
        case .upTo600: return "201-600"
        case .upTo1000: return "601-1000"
        case .over1000: return "1001+"
        case .unknown: return "unknown"
        }
    }
}
