import Foundation
import Testing
@testable import TTSMonCore

/// Every job runs exactly once and its result comes back in job order, however the threads
/// race for the next job (many threads, jobs that take no time: the tightest race there is).
struct ParallelWorkTests {
    @Test func everyJobOnceInOrder() {
        for _ in 0..<100 {
            let results = ParallelWork<Int>.run(count: 1000, threads: 8) { $0 * 2 }
            #expect(results == (0..<1000).map { $0 * 2 })
        }
    }

    @Test func everyResultHandedOverOnceInOrder() {
        final class Seen: @unchecked Sendable { var indices: [Int] = []; var values: [Int] = [] }
        for _ in 0..<100 {
            let seen = Seen()
            ParallelWork<Int>.run(count: 1000, threads: 8, { $0 + 1 }, consume: { i, r in seen.indices.append(i); seen.values.append(r) })
            #expect(seen.indices == Array(0..<1000) && seen.values == Array(1...1000))
        }
    }
}
