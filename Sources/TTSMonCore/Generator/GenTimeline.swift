import Foundation

/// Arrival times: a Poisson process at `rate` requests per second, the first at `start`.
enum GenArrivals {
    static func make(count: Int, rate: Double, startMs: Int64, rng: inout GenRandom) -> [Int64] {
        var arrivals = [Int64]()
        arrivals.reserveCapacity(count)
        var elapsed = 0.0
        let mean = 1000.0 / rate
        for _ in 0..<count {
            arrivals.append(startMs + Int64(elapsed))
            elapsed += rng.exponential(mean: mean)
        }
        return arrivals
    }
}

/// Service-wide events: the incident window, periodic cache readings and router switches.
///
/// Readings come every ~5 minutes of log time (more often for short logs: at least ~12 over
/// the span). With an incident (a window of min(span/5, 6 min) centred in the middle third)
/// the cache fill climbs from its current level to ~96.5 % between half an incident length
/// before the window and its end (readings then come every len/6), stays high, and a cleanup
/// drops it back to ~70 %; the router fails over 35 % into the window and fails back a
/// quarter length after it.
struct GenTimeline {
    struct CacheReading {
        var time: Int64
        var health: Bool
        var tenths: Int
    }

    struct RouterSwitch {
        var time: Int64
        var failover: Bool
        var level: String { failover ? "WARNING" : "INFO" }
        var message: String {
            failover ? "main instance failed, switching to standby" : "main instance recovered, switching to main"
        }
    }

    static let thresholdTenths = 900

    var incident: Range<Int64>?
    var cacheReadings: [CacheReading] = []
    var routerSwitches: [RouterSwitch] = []

    @inline(__always)
    func inIncident(_ time: Int64) -> Bool { incident?.contains(time) ?? false }

    /// The incident window alone (ChatTTS needs nothing else).
    static func incidentWindow(startMs: Int64, endMs: Int64) -> Range<Int64> {
        let span = max(endMs - startMs, 3)
        let length = max(1, min(span / 5, 360_000))
        let from = startMs + span / 3 + (span / 3 - length) / 2
        return from..<(from + length)
    }

    init(startMs: Int64, endMs: Int64, incident withIncident: Bool, cache: Bool, rng: inout GenRandom) {
        if withIncident { incident = GenTimeline.incidentWindow(startMs: startMs, endMs: endMs) }
        guard cache else { return }
        let span = max(endMs - startMs, 1)
        let normal = min(Int64(300_000), max(1000, span / 12))
        var rampStart = Int64.max, rampEnd = Int64.max, cleanup = Int64.max, fast = normal
        if let window = incident {
            let length = window.upperBound - window.lowerBound
            rampStart = window.lowerBound - length / 2
            rampEnd = window.upperBound
            cleanup = window.upperBound + max(1, length * 3 / 10)
            fast = max(200, length / 6)
            routerSwitches = [
                RouterSwitch(time: window.lowerBound + length * 35 / 100 + Int64(rng.int(0...999)), failover: true),
                RouterSwitch(time: window.upperBound + length / 4 + Int64(rng.int(0...999)), failover: false),
            ]
        }
        var level = 760 + rng.int(-30...30)
        var rampBase: Int? = nil
        var cleaned = false
        var t = startMs + normal / 2 + Int64(rng.int(0...999))
        while t <= endMs {
            var value: Int
            if t >= rampStart, t < rampEnd {
                let base = rampBase ?? max(level, 800)
                rampBase = base
                let fraction = Double(t - rampStart) / Double(rampEnd - rampStart)
                value = base + Int(fraction * Double(965 - base)) + rng.int(-3...3)
            } else if t >= rampEnd, t < cleanup {
                value = 960 + rng.int(0...10)
            } else if t >= cleanup, !cleaned {
                cleaned = true
                level = 700 + rng.int(-10...10)
                value = level
            } else {
                level = min(870, max(700, level + Int((rng.normal() * 12).rounded())))
                value = level
            }
            value = min(999, max(0, value))
            cacheReadings.append(CacheReading(time: t, health: false, tenths: value))
            let busy = t + normal > rampStart && t < cleanup
            let interval = busy ? fast : normal
            if value > 850 {
                cacheReadings.append(CacheReading(time: t + max(1, min(interval, fast) / 3), health: true,
                                                  tenths: min(999, value + rng.int(0...2))))
            }
            t += interval + Int64(rng.int(0...999))
        }
        cacheReadings.sort { $0.time < $1.time }
    }
}
