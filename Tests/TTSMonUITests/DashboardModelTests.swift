import Foundation
import Testing
@testable import TTSMonCore
@testable import TTSMonUI

/// Issue 15: the dashboard's behaviour, unit-tested without a terminal (the app only wires it).
@Suite struct DashboardModelTests {
    static let main = ProbeTarget(name: "main", url: "http://127.0.0.1:8000")
    static let standby = ProbeTarget(name: "standby", url: "http://127.0.0.1:8001")

    static func model(probes: [ProbeTarget] = [main, standby], ackFor: Double = 60) -> DashboardModel {
        var configuration = DashboardModel.Configuration()
        configuration.probes = probes
        configuration.ackFor = ackFor
        return DashboardModel(state: DashboardState(snapshot: LiveSnapshot(window: .fiveMinutes)), configuration: configuration)
    }

    static func result(_ target: ProbeTarget, up: Bool) -> ProbeResult {
        ProbeResult(target: target, health: HealthCheck(ok: true, status: 200, ms: 2),
                    synthesis: up ? SynthesisCheck(ok: true, status: 200, ms: 40, contentType: "audio/wav")
                                  : SynthesisCheck(ok: false, error: "connection refused"))
    }

    static func figures(_ now: Date, snapshot: LiveSnapshot = LiveSnapshot(window: .fiveMinutes)) -> DashboardFigures {
        DashboardFigures(now: now, clock: "12:00:00", sources: [], snapshot: snapshot)
    }

    @Test func probeRoundsFailOverAndManualFailbackIsAKey() {
        var model = Self.model()
        let t0 = Date()
        _ = model.handle(.probeRound([Self.result(Self.main, up: true), Self.result(Self.standby, up: true)], at: t0))
        #expect(model.state.targets.map(\.active) == [true, false])
        #expect(model.activeTargetUp == true)
        _ = model.handle(.probeRound([Self.result(Self.main, up: false), Self.result(Self.standby, up: true)], at: t0 + 5))
        #expect(model.state.targets.first { $0.active }?.name == "standby")
        #expect(model.state.targets[0].lastError == "synthesis: connection refused")
        #expect(model.state.targets[0].lastProbe?.synthesis.error == "connection refused")
        for i in 2..<5 { _ = model.handle(.probeRound([Self.result(Self.main, up: true), Self.result(Self.standby, up: true)], at: t0 + Double(5 * i))) }
        #expect(model.state.failbackOffered, "manual failback is offered once main is healthy again")
        let effects = model.handle(.key("F", at: t0 + 30))
        #expect(effects.isEmpty)
        #expect(model.state.targets.first { $0.active }?.name == "main")
        #expect(model.state.status == "traffic back on main")
    }

    /// `--router`: the router's status is the Failover panel; its switches are the timeline;
    /// failback asks the router instead of switching here; an unreachable router is down.
    @Test func aRoutersStatusDrivesTheFailoverPanel() {
        var configuration = DashboardModel.Configuration()
        configuration.router = "http://127.0.0.1:8080"
        var model = DashboardModel(state: DashboardState(snapshot: LiveSnapshot(window: .fiveMinutes)), configuration: configuration)
        #expect(model.activeTargetUp == nil, "nothing known before the first answer")
        func status(_ active: String, mainUp: Bool) -> Result<RouterStatus, RouterProblem> {
            .success(RouterStatus(active: active, targets: [
                .init(name: "main", url: "http://127.0.0.1:8000", up: mainUp, lastProbeMs: mainUp ? 40 : nil, reason: mainUp ? nil : "connection refused"),
                .init(name: "standby", url: "http://127.0.0.1:8001", up: true, lastProbeMs: 55, reason: nil)]))
        }
        let t0 = Date()
        _ = model.handle(.routerStatus(status("main", mainUp: true), at: t0))
        #expect(model.state.targets.map(\.name) == ["main", "standby"] && model.state.targets.map(\.active) == [true, false])
        #expect(model.state.targets[0].latencyMs == 40 && model.activeTargetUp == true)
        _ = model.handle(.routerStatus(status("standby", mainUp: false), at: t0 + 5))
        #expect(model.state.targets.first { $0.active }?.name == "standby")
        #expect(model.state.targets[0].lastError == "connection refused" && !model.state.targets[0].up)
        #expect(model.state.failoverTimeline.map(\.to) == ["standby"])
        #expect(model.state.status == "router: traffic on standby (main failed: connection refused)")
        for i in 2..<4 { _ = model.handle(.routerStatus(status("standby", mainUp: true), at: t0 + Double(5 * i))) }
        #expect(model.state.failbackOffered)
        let effects = model.handle(.key("F", at: t0 + 20))
        #expect(effects == [.failback], "the router is asked; nothing switches here")
        #expect(model.state.targets.first { $0.active }?.name == "standby")
        _ = model.handle(.routerStatus(.failure(RouterProblem("connection refused")), at: t0 + 25))
        #expect(model.activeTargetUp == false && model.state.status == "router unreachable: connection refused")
        #expect(model.state.targets.allSatisfy { $0.lastError == "router unreachable: connection refused" })
        _ = model.handle(.routerStatus(status("main", mainUp: true), at: t0 + 30))
        #expect(model.state.targets.first { $0.active }?.name == "main" && model.activeTargetUp == true)
        #expect(model.state.failoverTimeline.map(\.to) == ["standby", "main"])
    }

    @Test func acknowledgementsExpire() {
        var model = Self.model(probes: [], ackFor: 60)
        let rule = AlertRule.builtIn.first { $0.name == "HighErrorRate" }!
        var snapshot = LiveSnapshot(window: .fiveMinutes)
        snapshot.alerts = [AlertStatus(rule: rule, state: .firing, since: LogTimestamp(milliseconds: 1000), value: 0.2)]
        let t0 = Date()
        _ = model.handle(.refreshed(Self.figures(t0, snapshot: snapshot)))
        #expect(model.state.firingAlerts == 1)
        _ = model.handle(.key("a", at: t0))
        _ = model.handle(.refreshed(Self.figures(t0 + 1, snapshot: snapshot)))
        #expect(model.state.firingAlerts == 0)
        #expect(model.state.acknowledged == [AlertKey(rule: "HighErrorRate", since: LogTimestamp(milliseconds: 1000))])
        _ = model.handle(.refreshed(Self.figures(t0 + 61, snapshot: snapshot)))
        #expect(model.state.firingAlerts == 1, "the acknowledgement ended after --ack-for")
    }

    @Test func queriesOpenIdsAndSearchText() {
        #expect(DashboardModel.looksLikeRequestID("ts_7f3a2b1c", indexed: false))
        #expect(!DashboardModel.looksLikeRequestID("hello", indexed: false))
        #expect(!DashboardModel.looksLikeRequestID("今天天气", indexed: false))
        #expect(DashboardModel.looksLikeRequestID("abc", indexed: true))
        var model = Self.model(probes: [])
        #expect(model.handle(.query("ts_7f3a2b1c", indexed: false)) == [.openRequest("ts_7f3a2b1c")])
        #expect(model.state.route == .request(id: "ts_7f3a2b1c"))
        _ = model.handle(.lookup(.progress(id: "ts_other", done: 1, total: 3)))
        #expect(model.state.lookup == .idle, "progress of another id is ignored")
        _ = model.handle(.lookup(.notFound(id: "ts_7f3a2b1c", files: 3)))
        #expect(model.state.lookup == .notFound(id: "ts_7f3a2b1c", files: 3))
        _ = model.handle(.key("esc", at: Date()))
        #expect(model.handle(.query("天气", indexed: false)) == [.refreshList])
        #expect(model.state.route == .search(query: "天气"))
    }

    @Test func withoutProbesTheLogsFailoverLinesFillThePanel() {
        var model = Self.model(probes: [])
        var snapshot = LiveSnapshot(window: .fiveMinutes)
        snapshot.failovers = [FailoverEvent(time: LogTimestamp(milliseconds: 5000), from: "main", to: "standby", message: "main instance failed, switching to standby")]
        _ = model.handle(.refreshed(Self.figures(Date(), snapshot: snapshot)))
        #expect(model.state.targets.first { $0.active }?.name == "standby")
    }

    @Test func aScrolledBackLogStaysOnItsLines() {
        var model = Self.model(probes: [])
        _ = model.handle(.key("l", at: Date()))
        let lines = (0..<100).map { LogViewLine(source: nil, text: "2024-06-12 08:00:00,000 - a - INFO - line \($0)") }
        var figures = Self.figures(Date())
        figures.logLines = lines
        _ = model.handle(.refreshed(figures))
        model.update { $0.scroll = 10 }
        figures.logLines = lines + (100..<105).map { LogViewLine(source: nil, text: "2024-06-12 08:00:01,000 - a - INFO - line \($0)") }
        _ = model.handle(.refreshed(figures))
        #expect(model.state.scroll == 15)
    }
}
