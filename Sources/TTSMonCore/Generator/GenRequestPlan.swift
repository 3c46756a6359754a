import Foundation

/// One logged `stage_time`.
struct GenStageTime {
    var stage: GenStage
    var ms: Int
}

/// Everything decided about one IndexTTS request before any line is rendered: its text,
/// stage timings, outcome and side lines. Times are epoch milliseconds.
///
/// Rules: a failing stage gets no `stage_time`; `synthesis_failed` is logged at
/// start + completed stages + the time spent in the failing stage, and `synthesis_complete`
/// 0-2 ms later. A success completes 2-12 ms (overhead) after its last stage. So for every
/// request `duration_ms` of the completion line = completion time - start time.
struct GenRequestPlan {
    static let voices = ["female", "male", "alloy", "echo"]

    var id: String
    var text: String
    var textLen: Int
    var showTextLen: Bool
    var lang: String
    var voice: String
    var cacheHit: Bool
    var start: Int64
    var stages: [GenStageTime]
    var failure: GenErrorCode?
    var failedAt: Int64 = 0
    var codeOnComplete = true
    var traceback: [String] = []
    var warning: String?
    var completeAt: Int64 = 0
    var audioKB = 0
    var cacheSaved = false
    var metrics: (rms: Int, centroid: Int, at: Int64)?

    var durationMs: Int { Int(completeAt - start) }
    var modelStage: GenStage { failure?.stage ?? .audioRender }

    init(id: String, start: Int64, incident: Bool, rng: inout GenRandom) {
        self.id = id
        self.start = start
        (text, lang) = GenTextCorpus.pick(&rng)
        textLen = GenTextCorpus.scalarCount(text)
        showTextLen = rng.chance(0.7)
        voice = rng.pick(GenRequestPlan.voices)
        cacheHit = textLen > 0 && rng.chance(incident ? 0.10 : 0.25)
        stages = []
        let len = Double(textLen)

        if textLen == 0 {
            failure = .textEmpty
        } else if !cacheHit {
            let p = incident ? 0.22 : (textLen > 600 ? 0.25 : 0.012)
            if rng.chance(p) {
                if incident {
                    failure = rng.chance(0.5) ? .scipyFFTInvalid : .modelLoadTimeout
                } else if textLen > 600 {
                    failure = rng.chance(0.7) ? .scipyFFTInvalid : .modelLoadTimeout
                } else {
                    let codes: [GenErrorCode] = [.modelLoadTimeout, .modelLoadFailed, .cacheWriteFailed, .scipyFFTInvalid]
                    failure = codes[rng.weighted([35, 25, 25, 15])]
                }
            }
        }

        // Durations of every stage the request would run.
        var planned: [GenStageTime]
        if cacheHit {
            planned = [GenStageTime(stage: .textNormalize, ms: rng.int(1...4)),
                       GenStageTime(stage: .audioRender, ms: min(90, max(20, Int(rng.logNormal(median: 40, sigma: 0.25)))))]
        } else {
            let inference = rng.logNormal(median: 480 + 2.8 * len, sigma: 0.35) * (incident ? 5 : 1)
            planned = [
                GenStageTime(stage: .textNormalize, ms: 2 + rng.int(0...8) + textLen / 200),
                GenStageTime(stage: .llmPromptGen, ms: 8 + rng.int(0...20) + textLen / 100),
                GenStageTime(stage: .llmInference, ms: max(1, Int(inference))),
                GenStageTime(stage: .llmPostproc, ms: 15 + rng.int(0...40) + textLen / 20),
                GenStageTime(stage: .audioRender, ms: 25 + rng.int(0...60) + textLen / 8),
            ]
        }

        var t = start
        if let failure {
            for s in planned where s.stage.rawValue < failure.stage.rawValue {
                stages.append(s)
                t += Int64(s.ms)
            }
            failedAt = t + Int64(failure.partialMs(&rng))
            completeAt = failedAt + Int64(rng.int(0...2))
            codeOnComplete = rng.chance(0.7)
            if rng.chance(0.5) { traceback = failure.traceback(lineCount: rng.int(3...6), &rng) }
        } else {
            stages = planned
            for s in planned { t += Int64(s.ms) }
            completeAt = t + Int64(rng.int(2...12))
            let perChar = lang == "zh" ? 16.0 : 4.0
            audioKB = max(1, Int((20 + perChar * len) * (0.9 + 0.2 * rng.unit())))
            cacheSaved = cacheHit ? false : rng.chance(0.97)
            if rng.chance(0.4) {
                metrics = (rng.int(10...60), rng.int(1500...3200), completeAt + Int64(rng.int(3...60)))
            }
        }

        if !stages.isEmpty {
            if incident, !cacheHit, rng.chance(0.10) {
                warning = "INFERENCE_SLOW"
            } else if cacheHit, rng.chance(0.02) {
                warning = "CACHE_QUALITY_DEGRADED"
            } else if !cacheHit, rng.chance(0.015) {
                warning = rng.chance(0.6) ? "TEXT_CONTROL_CHARS" : "VOICE_PARAM_UNKNOWN"
            }
        }
    }

    /// The truth record (file filled in once the files are written).
    func truth() -> GeneratedTruth.Request {
        GeneratedTruth.Request(
            id: id, status: failure == nil ? "success" : "failed", durationMs: durationMs,
            errorCode: failure?.code, textLen: textLen, text: text, voice: voice, lang: lang,
            cacheHit: cacheHit, audioSizeKB: failure == nil ? audioKB : nil,
            stages: stages.map { GeneratedTruth.Stage(stage: $0.stage.name, durationMs: $0.ms) },
            completeTime: GenClock.format(completeAt), file: "")
    }
}
