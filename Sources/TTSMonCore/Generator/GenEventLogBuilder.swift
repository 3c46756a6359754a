import Foundation

/// Builds the IndexTTS / JSON-lines record stream: every request's lines, cache readings,
/// router switches and hostile lines, each as a timestamped record in the arena.
enum GenEventLogBuilder {
    static func build<R: GenEventRenderer>(_: R.Type, options: GeneratorOptions, startMs: Int64,
                                           rng: inout GenRandom) -> GenBuiltLog {
        let count = options.requests
        let arrivals = GenArrivals.make(count: count, rate: options.rate, startMs: startMs, rng: &rng)
        let timeline = GenTimeline(startMs: startMs, endMs: arrivals.last ?? startMs, incident: options.incident,
                                   cache: true, rng: &rng)
        let hostile = GenHostileLines.plan(requests: count, enabled: options.hostile, rng: &rng)
        var ids = GenRequestIds(seed: options.seed, startMs: startMs)
        var log = GenBuiltLog(expectedRecords: count * 8 + timeline.cacheReadings.count + 4)
        log.requestCount = count
        if options.collectTruth { log.requests.reserveCapacity(count) }

        for i in 0..<count {
            let plan = GenRequestPlan(id: ids.nextIndexTTS(&rng), start: arrivals[i],
                                      incident: timeline.inIncident(arrivals[i]), rng: &rng)
            // synthesis_start, with a hostile line glued after it when planned.
            log.arena.begin(time: plan.start)
            R.start(&log.arena.buffer, plan)
            if hostile[i] > 0, let kind = GenHostileKind(rawValue: hostile[i] - 1) {
                log.arena.buffer.newline()
                GenHostileLines.append(kind, format: R.format, time: plan.start, to: &log.arena.buffer, rng: &rng)
                log.arena.end(lines: 2)
                log.unparsedLines += 1
            } else {
                log.endLine(&rng)
            }

            var t = plan.start
            for (k, stage) in plan.stages.enumerated() {
                t += Int64(stage.ms)
                log.arena.begin(time: t)
                R.stage(&log.arena.buffer, time: t, id: plan.id, stage: stage.stage, ms: stage.ms)
                log.endLine(&rng)
                if k == 0, let code = plan.warning {
                    log.arena.begin(time: t)
                    R.warning(&log.arena.buffer, time: t, id: plan.id, code: code)
                    log.endLine(&rng)
                }
            }

            if plan.failure != nil {
                log.arena.begin(time: plan.failedAt)
                R.failed(&log.arena.buffer, plan)
                if R.tracebackAsContinuation, !plan.traceback.isEmpty {
                    log.arena.buffer.newline(crlf: rng.next() % 100 == 0)
                    for line in plan.traceback {
                        log.arena.buffer.append(line)
                        log.arena.buffer.newline()
                    }
                    log.arena.end(lines: 1 + plan.traceback.count)
                    log.continuationLines += plan.traceback.count
                } else {
                    log.endLine(&rng)
                }
            }

            log.arena.begin(time: plan.completeAt)
            R.complete(&log.arena.buffer, plan)
            log.endLine(&rng, completes: i)

            if let m = plan.metrics {
                log.arena.begin(time: m.at)
                R.metrics(&log.arena.buffer, time: m.at, id: plan.id, rms: m.rms, centroid: m.centroid)
                log.endLine(&rng)
            }
            if options.collectTruth { log.requests.append(plan.truth()) }
        }

        for reading in timeline.cacheReadings {
            log.arena.begin(time: reading.time)
            if reading.health {
                R.cacheHealth(&log.arena.buffer, time: reading.time, tenths: reading.tenths)
            } else {
                R.cacheUsage(&log.arena.buffer, time: reading.time, tenths: reading.tenths,
                             thresholdTenths: GenTimeline.thresholdTenths)
                log.cacheThreshold = Double(GenTimeline.thresholdTenths) / 10
            }
            log.endLine(&rng)
            log.cacheReadings.append(Double(reading.tenths) / 10)
        }

        for s in timeline.routerSwitches {
            log.arena.begin(time: s.time)
            R.router(&log.arena.buffer, time: s.time, level: s.level, message: s.message)
            log.endLine(&rng)
            log.failovers.append(GeneratedTruth.Failover(time: GenClock.format(s.time),
                                                         from: s.failover ? "main" : "standby",
                                                         to: s.failover ? "standby" : "main", message: s.message))
        }
        log.arena.seal()
        return log
    }
}
