import Foundation

/// `YYYY-MM-DD HH:MM:SS,mmm - logger - LEVEL - event: key=value, ...` (seed 000).
enum GenIndexTTSRenderer: GenEventRenderer {
    static var format: GeneratedFormat { .indexTTS }
    static var tracebackAsContinuation: Bool { true }

    @inline(__always)
    private static func head(_ b: inout GenLineBuffer, _ time: Int64, _ logger: String, _ level: String) {
        b.appendTimestamp(time)
        b.append(" - ")
        b.append(logger)
        b.append(" - ")
        b.append(level)
        b.append(" - ")
    }

    static func start(_ b: inout GenLineBuffer, _ r: GenRequestPlan) {
        head(&b, r.start, "app.tts_engine", "INFO")
        b.append("synthesis_start: id=")
        b.append(r.id)
        b.append(", text=")
        b.appendQuoted(r.text)
        if r.showTextLen {
            b.append(", text_len=")
            b.appendInt(r.textLen)
        }
        b.append(", lang=")
        b.append(r.lang)
        b.append(", voice=")
        b.append(r.voice)
        b.append(r.cacheHit ? ", duration_ms=0, cache_hit=true" : ", duration_ms=0, cache_hit=false")
    }

    static func stage(_ b: inout GenLineBuffer, time: Int64, id: String, stage: GenStage, ms: Int) {
        head(&b, time, "app.tts_engine", "INFO")
        b.append("stage_time: stage=")
        b.append(stage.name)
        b.append(", id=")
        b.append(id)
        b.append(", duration_ms=")
        b.appendInt(ms)
    }

    static func warning(_ b: inout GenLineBuffer, time: Int64, id: String, code: String) {
        head(&b, time, "app.tts_engine", "WARNING")
        b.append("synthesis_warning: id=")
        b.append(id)
        b.append(", warning_code=")
        b.append(code)
        b.append(", fallback_used=true")
    }

    static func failed(_ b: inout GenLineBuffer, _ r: GenRequestPlan) {
        guard let failure = r.failure else { return }
        head(&b, r.failedAt, "app.tts_engine", "ERROR")
        b.append("synthesis_failed: id=")
        b.append(r.id)
        b.append(", error_code=")
        b.append(failure.code)
        b.append(", ")
        b.append(failure.message)
    }

    static func complete(_ b: inout GenLineBuffer, _ r: GenRequestPlan) {
        head(&b, r.completeAt, "app.tts_engine", "INFO")
        b.append("synthesis_complete: id=")
        b.append(r.id)
        if let failure = r.failure {
            b.append(", status=failed, duration_ms=")
            b.appendInt(r.durationMs)
            if r.codeOnComplete {
                b.append(", error_code=")
                b.append(failure.code)
            }
        } else {
            b.append(", status=success, duration_ms=")
            b.appendInt(r.durationMs)
            b.append(", audio_size_kb=")
            b.appendInt(r.audioKB)
            b.append(r.cacheSaved ? ", cache_saved=true" : ", cache_saved=false")
        }
        b.append(", model_stage=")
        b.append(r.modelStage.name)
    }

    static func metrics(_ b: inout GenLineBuffer, time: Int64, id: String, rms: Int, centroid: Int) {
        head(&b, time, "app.tts_engine", "INFO")
        b.append("audio_metrics: id=")
        b.append(id)
        b.append(", rms=")
        b.appendThousandths(rms)
        b.append(", spectral_centroid=")
        b.appendInt(centroid)
    }

    static func cacheUsage(_ b: inout GenLineBuffer, time: Int64, tenths: Int, thresholdTenths: Int) {
        let over = tenths > thresholdTenths
        head(&b, time, "app.cache", over ? "WARNING" : "INFO")
        b.append("cache_dir_usage: path=/app/cache, used_percent=")
        b.appendTenths(tenths)
        b.append(", threshold=")
        b.appendTenths(thresholdTenths)
        b.append(over ? ", action=warn" : ", action=none")
    }

    static func cacheHealth(_ b: inout GenLineBuffer, time: Int64, tenths: Int) {
        head(&b, time, "app.cache", "WARNING")
        b.append("cache_health: path=/app/cache, used=")
        b.appendInt(tenths * 10)
        b.append("MB, total=10000MB, usage=")
        b.appendTenths(tenths)
        b.append("%")
    }

    static func router(_ b: inout GenLineBuffer, time: Int64, level: String, message: String) {
        head(&b, time, "tts.router", level)
        b.append(message)
    }
}
