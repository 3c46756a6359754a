import Foundation
import Testing
import TTSMonCore
@testable import TTSMonNet

/// Issue 15: the dashboard's Prometheus polling, as a library type with its own tests. What
/// the UI takes from the rounds is checked with readings posted as the background task posts
/// them (deterministic on a loaded machine); the rounds themselves run against a real
/// Prometheus in FleetPrometheusTests and a hanging one in DashboardTmuxTests.
@Suite struct FleetPollerTests {
    static func reading(reachable: Bool, problems: [String] = []) -> FleetReading {
        FleetReading(snapshot: LiveSnapshot(window: .fiveMinutes), instances: [], problems: problems, reachable: reachable)
    }

    /// A poller that runs no rounds of its own: the test posts them.
    static func idlePoller() -> FleetPoller { FleetPoller(window: .fiveMinutes) }

    @Test func anAnswerIsKeptAndTimed() {
        let poller = Self.idlePoller()
        defer { poller.stop() }
        poller.take()
        _ = poller.takeProblem()
        poller.post(Self.reading(reachable: true))
        let now = Date()
        #expect(poller.take(now: now))
        #expect(poller.reading?.reachable == true)
        #expect(poller.lastAnswer == now)
        #expect(poller.takeProblem() == nil)
        #expect(!poller.take(), "nothing new")
    }

    @Test func anUnreachableRoundKeepsTheLastReadingAndSaysSoOnce() {
        let poller = Self.idlePoller()
        defer { poller.stop() }
        poller.post(Self.reading(reachable: true))
        poller.take()
        poller.post(Self.reading(reachable: false, problems: ["up: timeout after 3 s"]))
        let started = Date()
        poller.take()
        #expect(Date().timeIntervalSince(started) < 0.1, "take never waits")
        #expect(poller.reading?.reachable == true, "the last answer stays on screen")
        #expect(poller.takeProblem() == "prometheus unreachable: up: timeout after 3 s")
        #expect(poller.takeProblem() == nil)
        #expect(!poller.neverAnswered)
    }

    @Test func theSplitViewAsksForPerInstanceRounds() {
        let poller = Self.idlePoller()
        defer { poller.stop() }
        #expect(!poller.splitWanted)
        poller.requestSplit()
        #expect(poller.splitWanted)
        poller.postSplit(["10.0.0.5:9464": Self.reading(reachable: true)])
        #expect(poller.take())
        #expect(poller.perInstance.keys.sorted() == ["10.0.0.5:9464"])
    }
}
