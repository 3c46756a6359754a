import Foundation
import Testing
@testable import TTSMonCore

/// Issue 20 ("from the logs too"): requests started and not yet completed, seed 001's
/// concurrency chart — in watch's `requests.in_flight`; a request that never completes drops
/// out after the join timeout.
@Suite struct InFlightTests {
    @Test func startedNotCompletedRequestsAreInFlight() {
        var configuration = LiveMetrics.Configuration()
        configuration.pendingTimeoutSeconds = 60
        var feed = LiveMetricsTests.Feed(configuration)
        func at(_ s: Int) -> String { LiveMetricsTests.base.adding(milliseconds: Int64(s) * 1000).logText }
        for i in 0..<5 {
            feed.add("\(at(i)) - app.tts_engine - INFO - synthesis_start: id=ts_\(i), text=\"你好\", voice=alloy")
        }
        // A failure code on its own is no start.
        feed.add("\(at(5)) - app.tts_engine - ERROR - synthesis_failed: id=ts_other, error_code=TEXT_EMPTY")
        #expect(feed.metrics.snapshot(window: .oneMinute).requests.inFlight == 5)
        for i in 0..<2 {
            feed.add("\(at(6)) - app.tts_engine - INFO - synthesis_complete: id=ts_\(i), status=success, duration_ms=800")
        }
        let snap = feed.metrics.snapshot(window: .oneMinute)
        #expect(snap.requests.inFlight == 3 && feed.metrics.requestsInFlight == 3)
        #expect(snap.json.serialized().contains(#""in_flight": 3"#))
        // Two minutes later the three that never completed have been given up on.
        feed.add("\(at(130)) - app.tts_engine - INFO - synthesis_start: id=ts_late, text=\"a\", voice=alloy")
        #expect(feed.metrics.snapshot(window: .oneMinute).requests.inFlight == 1)
    }
}
