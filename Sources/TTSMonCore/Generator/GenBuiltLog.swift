import Foundation

/// Records rendered in generation order plus the truth known before the files are split.
struct GenBuiltLog {
    var arena: GenRecordArena
    var requests: [GeneratedTruth.Request] = []
    var requestCount = 0
    var continuationLines = 0
    var unparsedLines = 0
    var cacheReadings: [Double] = []
    var cacheThreshold: Double?
    var failovers: [GeneratedTruth.Failover] = []

    init(expectedRecords: Int) {
        arena = GenRecordArena(expectedRecords: expectedRecords)
    }

    /// Ends the current one-line record with `\n` (about 1 % with `\r\n`).
    @inline(__always)
    mutating func endLine(_ rng: inout GenRandom, completes: Int = -1) {
        arena.buffer.newline(crlf: rng.next() % 100 == 0)
        arena.end(lines: 1, completes: completes)
    }
}
