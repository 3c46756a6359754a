/// Where one request id's lines are in a file: the 64 KB blocks of its text (uncompressed
/// offsets) holding the starts of its lines, first to last. An id met again after a long gap has
/// several entries.
struct IndexEntry: Equatable, Sendable {
    var hash: UInt64
    var firstBlock: UInt32
    var lastBlock: UInt32

    /// Bytes per block (text offsets `>> blockShift`).
    static let blockShift = 16
    /// Blocks between two sightings of an id that still extend one entry (1 MB of text).
    static let joinGap: UInt32 = 16

    /// The text byte range `[start, end)` whose line starts this entry covers.
    var textRange: Range<Int64> {
        Int64(firstBlock) << Int64(IndexEntry.blockShift) ..< (Int64(lastBlock) + 1) << Int64(IndexEntry.blockShift)
    }

    /// The index's hash of a packed id: the same for an id read by the parser and for the
    /// same bytes seen as a word. Stored indexes depend on it: a change must come with a new
    /// `RequestIndex.magic`, or old files would pass their checks and answer wrongly.
    @inline(__always)
    static func hash(_ key: RequestKey) -> UInt64 {
        var h = key.a &* 0x9E37_79B9_7F4A_7C15
        h = (h ^ (h >> 29) ^ key.b) &* 0xBF58_476D_1CE4_E5B9
        h = (h ^ (h >> 32) ^ key.c) &* 0x94D0_49BB_1331_11EB
        h ^= UInt64(truncatingIfNeeded: key.length) &* 0xD6E8_FEB8_6659_FD93
        return h ^ (h >> 31)
    }
}

/// One place a gzip file's inflater can start from without reading what comes before: ISA-L's
/// saved state (zran's idea, with the decoder's own history), at a text offset.
struct AccessPoint: Equatable, Sendable {
    /// Uncompressed offset the saved state continues from.
    var textOffset: Int64
    /// Offset in the compressed file of the next byte the state has not taken in.
    var rawOffset: Int64
    /// The inflater's state, deflated.
    var state: [UInt8]
    /// CRC-32 of the first `checkLength` text bytes after the point, checked on every restore.
    var check: UInt32
    var checkLength: Int

    static let checkWanted = 4096
}
