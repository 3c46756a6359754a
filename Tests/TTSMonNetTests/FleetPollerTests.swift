import Foundation
import Testing
import TTSMonCore
@testable import TTSMonNet

/// Issue 15: the dashboard's Prometheus polling, as a library type with its own tests.
@Suite(.serialized) struct FleetPollerTests {
    /// A Prometheus stand-in that answers every instant query with one sample and every range
    /// query with an empty matrix.
    static func answering() async throws -> HTTPServer {
        let server = HTTPServer { request in
            let body = request.path.hasSuffix("query_range")
                ? #"{"status":"success","data":{"resultType":"matrix","result":[]}}"#
                : #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000,"3"]}]}}"#
            return .respond(status: 200, contentType: "application/json", body: Array(body.utf8))
        }
        try await server.start()
        return server
    }

    func waitFor(_ poller: FleetPoller, _ seconds: Double, _ condition: () -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            poller.take()
            if condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test func readingsArriveWithoutWaiting() async throws {
        let server = try await Self.answering()
        let poller = FleetPoller(url: "http://127.0.0.1:\(server.port)", selector: nil, window: .fiveMinutes, interval: 0.2, timeout: 10)
        // Generous: on a loaded machine the shared pool runs the rounds late.
        try await waitFor(poller, 60) { poller.reading != nil }
        #expect(poller.reading?.reachable == true)
        #expect(poller.lastAnswer != nil)
        #expect(!poller.neverAnswered)
        poller.stop()
        await server.stop()
    }

    @Test func aHangingPrometheusIsAProblemNotAFreeze() async throws {
        let hanging = HTTPServer { _ in .hang }
        try await hanging.start()
        let poller = FleetPoller(url: "http://127.0.0.1:\(hanging.port)", selector: nil, window: .fiveMinutes, interval: 0.2, timeout: 0.5)
        let started = Date()
        poller.take()
        #expect(Date().timeIntervalSince(started) < 0.1, "take never waits")
        var problem: String?
        try await waitFor(poller, 60) { problem = problem ?? poller.takeProblem(); return problem != nil }
        #expect(problem?.hasPrefix("prometheus unreachable") == true)
        #expect(poller.reading == nil && poller.lastAnswer == nil)
        poller.stop()
        await hanging.stop()
    }
}
