import Foundation

/// One flat JSON object per line with the IndexTTS events:
/// `{"time": "...", "level": "INFO", "logger": "app.tts_engine", "event": "synthesis_start", "id": ...}`.
/// Numbers and booleans are JSON numbers and booleans; a traceback is a `"traceback"` string
/// inside the `synthesis_failed` object; router lines carry their message as both `"event"` and `"message"`.
enum GenJSONLinesRenderer: GenEventRenderer {
    static var format: GeneratedFormat { .jsonLines }
    static var tracebackAsContinuation: Bool { false }

    @inline(__always)
    private static func head(_ b: inout GenLineBuffer, _ time: Int64, _ logger: String, _ level: String, _ event: String) {
        b.append("{\"time\": \"")
        b.appendTimestamp(time)
        b.append("\", \"level\": \"")
        b.append(level)
        b.append("\", \"logger\": \"")
        b.append(logger)
        b.append("\", \"event\": ")
        b.appendJSONString(event)
    }

    @inline(__always)
    private static func key(_ b: inout GenLineBuffer, _ name: String) {
        b.append(", \"")
        b.append(name)
        b.append("\": ")
    }

    static func start(_ b: inout GenLineBuffer, _ r: GenRequestPlan) {
        head(&b, r.start, "app.tts_engine", "INFO", "synthesis_start")
        key(&b, "id"); b.appendJSONString(r.id)
        key(&b, "text"); b.appendJSONString(r.text)
        if r.showTextLen { key(&b, "text_len"); b.appendInt(r.textLen) }
        key(&b, "lang"); b.appendJSONString(r.lang)
        key(&b, "voice"); b.appendJSONString(r.voice)
        b.append(r.cacheHit ? ", \"duration_ms\": 0, \"cache_hit\": true}" : ", \"duration_ms\": 0, \"cache_hit\": false}")
    }

    static func stage(_ b: inout GenLineBuffer, time: Int64, id: String, stage: GenStage, ms: Int) {
        head(&b, time, "app.tts_engine", "INFO", "stage_time")
        key(&b, "stage"); b.appendJSONString(stage.name)
        key(&b, "id"); b.appendJSONString(id)
        key(&b, "duration_ms"); b.appendInt(ms)
        b.append("}")
    }

    static func warning(_ b: inout GenLineBuffer, time: Int64, id: String, code: String) {
        head(&b, time, "app.tts_engine", "WARNING", "synthesis_warning")
        key(&b, "id"); b.appendJSONString(id)
        key(&b, "warning_code"); b.appendJSONString(code)
        b.append(", \"fallback_used\": true}")
    }

    static func failed(_ b: inout GenLineBuffer, _ r: GenRequestPlan) {
        guard let failure = r.failure else { return }
        head(&b, r.failedAt, "app.tts_engine", "ERROR", "synthesis_failed")
        key(&b, "id"); b.appendJSONString(r.id)
        key(&b, "error_code"); b.appendJSONString(failure.code)
        key(&b, "message"); b.appendJSONString(failure.message)
        if !r.traceback.isEmpty {
            key(&b, "traceback"); b.appendJSONString(r.traceback.joined(separator: "\n"))
        }
        b.append("}")
    }

    static func complete(_ b: inout GenLineBuffer, _ r: GenRequestPlan) {
        head(&b, r.completeAt, "app.tts_engine", "INFO", "synthesis_complete")
        key(&b, "id"); b.appendJSONString(r.id)
        if let failure = r.failure {
            b.append(", \"status\": \"failed\"")
            key(&b, "duration_ms"); b.appendInt(r.durationMs)
            if r.codeOnComplete { key(&b, "error_code"); b.appendJSONString(failure.code) }
        } else {
            b.append(", \"status\": \"success\"")
            key(&b, "duration_ms"); b.appendInt(r.durationMs)
            key(&b, "audio_size_kb"); b.appendInt(r.audioKB)
            b.append(r.cacheSaved ? ", \"cache_saved\": true" : ", \"cache_saved\": false")
        }
        key(&b, "model_stage"); b.appendJSONString(r.modelStage.name)
        b.append("}")
    }

    static func metrics(_ b: inout GenLineBuffer, time: Int64, id: String, rms: Int, centroid: Int) {
        head(&b, time, "app.tts_engine", "INFO", "audio_metrics")
        key(&b, "id"); b.appendJSONString(id)
        key(&b, "rms"); b.appendThousandths(rms)
        key(&b, "spectral_centroid"); b.appendInt(centroid)
        b.append("}")
    }

    static func cacheUsage(_ b: inout GenLineBuffer, time: Int64, tenths: Int, thresholdTenths: Int) {
        let over = tenths > thresholdTenths
        head(&b, time, "app.cache", over ? "WARNING" : "INFO", "cache_dir_usage")
        b.append(", \"path\": \"/app/cache\"")
        key(&b, "used_percent"); b.appendTenths(tenths)
        key(&b, "threshold"); b.appendTenths(thresholdTenths)
        b.append(over ? ", \"action\": \"warn\"}" : ", \"action\": \"none\"}")
    }

    static func cacheHealth(_ b: inout GenLineBuffer, time: Int64, tenths: Int) {
        head(&b, time, "app.cache", "WARNING", "cache_health")
        b.append(", \"path\": \"/app/cache\"")
        key(&b, "used_mb"); b.appendInt(tenths * 10)
        b.append(", \"total_mb\": 10000")
        key(&b, "usage"); b.appendTenths(tenths)
        b.append("}")
    }

    static func router(_ b: inout GenLineBuffer, time: Int64, level: String, message: String) {
        head(&b, time, "tts.router", level, message)
        key(&b, "message"); b.appendJSONString(message)
        b.append("}")
    }
}
