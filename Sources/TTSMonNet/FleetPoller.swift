import Foundation
import TTSMonCore

/// Polls a Prometheus for the fleet's figures in the background: the dashboard's PromQL every
/// `interval` seconds (each query bounded by its timeout), and per instance while the split
/// view asks. The UI takes what arrived without ever waiting; a Prometheus that stops
/// answering leaves the last reading in place, with a problem to show.
public final class FleetPoller: @unchecked Sendable {
    private let lock = NSLock()
    private var arrived: [FleetReading] = []
    private var arrivedSplit: [String: FleetReading]?
    private var wantedWindow: LiveWindow
    private var splitAsked = Date.distantPast
    private var task: Task<Void, Never>?

    /// The last reading Prometheus answered, when it answered, per-instance readings for the
    /// split view, and what went wrong since the last `takeProblem`.
    public private(set) var reading: FleetReading?
    public private(set) var lastAnswer: Date?
    public private(set) var perInstance: [String: FleetReading] = [:]
    private var problem: String?

    /// Starts polling `url` every `interval` seconds.
    public convenience init(url: String, selector: String?, window: LiveWindow, interval: Double = 2, timeout: Double = 3) {
        self.init(window: window)
        start(url: url, selector: selector, interval: interval, timeout: timeout)
    }

    /// A poller that polls nothing until `start` (tests post readings themselves).
    init(window: LiveWindow) { wantedWindow = window }

    func start(url: String, selector: String?, interval: Double, timeout: Double) {
        let client = PromQLClient(base: url, timeout: timeout)
        task = Task.detached { [weak self] in
            while !Task.isCancelled {
                guard let self else { break }
                let started = ContinuousClock.now
                let queries = FleetQueries(selector: selector, window: self.window)
                let fleet = await queries.read(client)
                self.post(fleet)
                if self.splitWanted {
                    // The same queries narrowed to each instance, concurrently.
                    var readings: [String: FleetReading] = [:]
                    await withTaskGroup(of: (String, FleetReading).self) { group in
                        for instance in fleet.instances.map(\.instance) {
                            let narrowed = queries.narrowed(to: instance)
                            group.addTask { (instance, await narrowed.read(client)) }
                        }
                        for await (instance, reading) in group { readings[instance] = reading }
                    }
                    self.postSplit(readings)
                }
                try? await Task.sleep(until: started + .milliseconds(Int64(interval * 1000)))
            }
            await client.shutdown()
        }
    }

    deinit { task?.cancel() }

    /// Stops polling.
    public func stop() { task?.cancel() }

    /// The window the queries use (the screen changes it with `w`).
    public var window: LiveWindow {
        get { lock.lock(); defer { lock.unlock() }; return wantedWindow }
        set { lock.lock(); wantedWindow = newValue; lock.unlock() }
    }

    /// Asks for per-instance readings for the next rounds (they stop 5 s after the last ask).
    public func requestSplit() { lock.lock(); splitAsked = Date(); lock.unlock() }

    var splitWanted: Bool { lock.lock(); defer { lock.unlock() }; return Date().timeIntervalSince(splitAsked) < 5 }

    func post(_ reading: FleetReading) { lock.lock(); arrived.append(reading); lock.unlock() }
    func postSplit(_ readings: [String: FleetReading]) { lock.lock(); arrivedSplit = readings; lock.unlock() }

    /// Takes the readings that arrived; true when anything did.
    @discardableResult
    public func take(now: Date = Date()) -> Bool {
        lock.lock()
        let readings = arrived
        arrived.removeAll()
        let split = arrivedSplit
        arrivedSplit = nil
        lock.unlock()
        if let split { perInstance = split }
        for r in readings {
            if r.reachable {
                reading = r
                lastAnswer = now
                problem = r.problems.first.map { "prometheus: " + $0 }
            } else {
                problem = "prometheus unreachable: " + (r.problems.first ?? "no answer")
            }
        }
        return !readings.isEmpty || split != nil
    }

    /// What went wrong since the last call (once).
    public func takeProblem() -> String? {
        defer { problem = nil }
        return problem
    }

    /// A problem is pending and Prometheus never answered.
    public var neverAnswered: Bool { lastAnswer == nil && problem != nil }
}
