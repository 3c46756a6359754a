import Foundation

/// Builds the ChatTTS stream (seed 002): one line per request at its completion time,
/// `time | trace_id | error_code | <cost>ms | input_len | gpu_id | stack`.
/// Success codes are `OK` (most) or `0`; failures 500 (long inputs, CUDA OOM), 503 (circuit
/// breaker), 429 (rate limited), 400 (empty input). No stages, cache readings or router lines.
enum GenChatTTSBuilder {
    private static let oomStacks = [
        "Traceback: RuntimeError: CUDA out of memory | thread pool exhausted",
        "Traceback: RuntimeError: CUDA error: device-side assert triggered",
        "Traceback: TimeoutError: inference exceeded 30s",
    ]

    static func build(options: GeneratorOptions, startMs: Int64, rng: inout GenRandom) -> GenBuiltLog {
        let count = options.requests
        let arrivals = GenArrivals.make(count: count, rate: options.rate, startMs: startMs, rng: &rng)
        let window = options.incident
            ? GenTimeline.incidentWindow(startMs: startMs, endMs: arrivals.last ?? startMs) : nil
        let hostile = GenHostileLines.plan(requests: count, enabled: options.hostile, rng: &rng)
        var ids = GenRequestIds(seed: options.seed, startMs: startMs)
        var log = GenBuiltLog(expectedRecords: count + 4)
        log.requestCount = count
        if options.collectTruth { log.requests.reserveCapacity(count) }

        for i in 0..<count {
            let start = arrivals[i]
            let incident = window?.contains(start) ?? false
            let id = ids.nextChatTTS()
            let inputLen: Int
            switch rng.unit() {
            case ..<0.005: inputLen = 0
            case ..<0.035: inputLen = rng.int(600...2500)
            case ..<0.2: inputLen = rng.int(40...300)
            default: inputLen = rng.int(1...40)
            }
            var cost = Int(rng.logNormal(median: 180 + 1.5 * Double(inputLen), sigma: 0.35) * (incident ? 5 : 1))
            var code = rng.chance(0.85) ? "OK" : "0"
            var stack = inputLen > 600 ? "truncated=true" : "-"
            if inputLen == 0 {
                code = "400"; stack = "ValueError: empty input"; cost = rng.int(1...5)
            } else if rng.chance(incident ? 0.10 : (inputLen > 600 ? 0.25 : 0.004)) {
                code = "500"; stack = rng.pick(oomStacks); cost = max(cost, rng.int(3000...9000))
            } else if rng.chance(incident ? 0.10 : 0.003) {
                code = "503"; stack = "circuit breaker open: system busy"; cost = rng.int(2...30)
            } else if rng.chance(0.003) {
                code = "429"; stack = "rate limited: queue full"; cost = rng.int(2...30)
            }
            cost = max(1, cost)
            let time = start + Int64(cost)
            let gpu = rng.int(0...3)

            log.arena.begin(time: time)
            let b = { (buffer: inout GenLineBuffer) in
                buffer.appendTimestamp(time)
                buffer.append(" | ")
                buffer.append(id)
                buffer.append(" | ")
                buffer.append(code)
                buffer.append(" | ")
                buffer.appendInt(cost)
                buffer.append("ms | ")
                buffer.appendInt(inputLen)
                buffer.append(" | ")
                buffer.appendInt(gpu)
                buffer.append(" | ")
                buffer.append(stack)
            }
            b(&log.arena.buffer)
            if hostile[i] > 0, let kind = GenHostileKind(rawValue: hostile[i] - 1) {
                log.arena.buffer.newline()
                GenHostileLines.append(kind, format: .chatTTS, time: time, to: &log.arena.buffer, rng: &rng)
                log.arena.end(lines: 2, completes: i)
                log.unparsedLines += 1
            } else {
                log.endLine(&rng, completes: i)
            }

            if options.collectTruth {
                let ok = code == "OK" || code == "0"
                log.requests.append(GeneratedTruth.Request(
                    id: id, status: ok ? "success" : "failed", durationMs: cost, errorCode: ok ? nil : code,
                    textLen: inputLen, text: nil, voice: nil, lang: nil, cacheHit: nil, audioSizeKB: nil,
                    stages: [], completeTime: GenClock.format(time), file: ""))
            }
        }
        log.arena.seal()
        return log
    }
}
