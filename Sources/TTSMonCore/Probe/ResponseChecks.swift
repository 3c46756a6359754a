import Foundation

/// The judgement of probe responses, separate from HTTP so it is unit-tested on bytes.
public enum ResponseChecks {
    /// `GET /health`: ok only for 200 with a JSON object whose `status` is "ok" and whose
    /// `model_loaded`, when present, is true.
    public static func health(status: Int, body: [UInt8], ms: Int) -> HealthCheck {
        let text = snippet(body, limit: 200)
        guard status == 200 else { return HealthCheck(ok: false, status: status, ms: ms, error: "HTTP \(status)", body: text) }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
            return HealthCheck(ok: false, status: status, ms: ms, error: "bad JSON", body: text)
        }
        guard let state = object["status"] as? String else {
            return HealthCheck(ok: false, status: status, ms: ms, error: "no \"status\" in health JSON", body: text)
        }
        guard state == "ok" else {
            return HealthCheck(ok: false, status: status, ms: ms, error: "status \"\(Sanitizer.clean(state))\"", body: text)
        }
        if let loaded = object["model_loaded"], (loaded as? Bool) != true {
            return HealthCheck(ok: false, status: status, ms: ms, error: "model_loaded is not true", body: text)
        }
        return HealthCheck(ok: true, status: status, ms: ms, body: text)
    }

    /// `POST /tts`: ok only for 200, an `audio/*` content type and a body that is real audio.
    public static func synthesis(status: Int, contentType: String?, body: [UInt8], ms: Int) -> SynthesisCheck {
        var check = SynthesisCheck(ok: false, status: status, ms: ms, contentType: contentType, bytes: body.count)
        let type = (contentType ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        guard status == 200 else {
            check.error = "HTTP \(status)"
            check.snippet = snippet(body, limit: 200)
            return check
        }
        guard type.hasPrefix("audio/") else {
            check.error = "content type \(type.isEmpty ? "missing" : Sanitizer.clean(type))"
            check.snippet = snippet(body, limit: 200)
            return check
        }
        switch AudioInspector.inspect(body, contentType: type) {
        case .success(let description):
            check.ok = true
            check.audio = description
        case .failure(let problem):
            check.error = "invalid audio: \(problem.description)"
            check.snippet = snippet(body, limit: 64)
        }
        return check
    }

    /// The first bytes of a body as safe text.
    public static func snippet(_ body: [UInt8], limit: Int) -> String? {
        guard !body.isEmpty else { return nil }
        return Sanitizer.clean(bytes: Array(body.prefix(limit)).withUnsafeBufferPointer { $0 })
    }
}

/// Recognises real audio in a response body.
public enum AudioInspector {
    /// Describes the audio, or says why the bytes are not audio of that type.
    public static func inspect(_ b: [UInt8], contentType: String) -> Result<String, InputError> {
        if b.count >= 4, b[0] == 0x52, b[1] == 0x49, b[2] == 0x46, b[3] == 0x46 { return wav(b) }   // RIFF
        if contentType.contains("wav") { return wav(b) }
        if contentType == "audio/mpeg" || contentType == "audio/mp3" { return mpeg(b) }
        if b.starts(with: Array("OggS".utf8)) { return .success("ogg, \(b.count) bytes") }
        if b.starts(with: Array("fLaC".utf8)) { return .success("flac, \(b.count) bytes") }
        if b.isEmpty { return .failure(InputError("empty body")) }
        return .failure(InputError("unrecognised \(contentType) data"))
    }

    static func le32(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 | Int(b[i + 2]) << 16 | Int(b[i + 3]) << 24 }
    static func le16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }

    /// A RIFF/WAVE header with a `fmt ` chunk and a `data` chunk followed by at least one sample.
    /// Sizes larger than the body are accepted (streamed WAVs carry placeholders).
    static func wav(_ b: [UInt8]) -> Result<String, InputError> {
        guard b.count >= 12, b[0...3] == [0x52, 0x49, 0x46, 0x46], b[8...11] == [0x57, 0x41, 0x56, 0x45] else {
            return .failure(InputError(b.isEmpty ? "empty body" : "no RIFF/WAVE header"))
        }
        var i = 12
        var channels = 0, rate = 0, blockAlign = 0, bits = 0
        while i + 8 <= b.count {
            let id = String(decoding: b[i..<(i + 4)], as: UTF8.self)
            let size = le32(b, i + 4)
            let body = i + 8
            if id == "fmt " {
                guard size >= 16, body + 16 <= b.count else { return .failure(InputError("short fmt chunk")) }
                channels = le16(b, body + 2); rate = le32(b, body + 4); blockAlign = le16(b, body + 12); bits = le16(b, body + 14)
                guard channels > 0, rate > 0, blockAlign > 0 else { return .failure(InputError("bad fmt chunk")) }
            } else if id == "data" {
                guard blockAlign > 0 else { return .failure(InputError("data before fmt chunk")) }
                let available = b.count - body
                let samples = min(available, size) / blockAlign
                guard samples > 0 else { return .failure(InputError("WAV header with no samples")) }
                let seconds = Double(samples) / Double(rate)
                return .success(String(format: "wav %d Hz %d ch %d bit, %.2f s", rate, channels, bits, seconds))
            }
            guard size >= 0, size < Int(Int32.max) else { break }
            i = body + size + (size & 1)
        }
        return .failure(InputError("no data chunk"))
    }

    /// An MPEG audio frame header (after an optional ID3v2 tag).
    static func mpeg(_ b: [UInt8]) -> Result<String, InputError> {
        var i = 0
        if b.count >= 10, b[0] == 0x49, b[1] == 0x44, b[2] == 0x33 {   // "ID3"
            let size = Int(b[6] & 0x7F) << 21 | Int(b[7] & 0x7F) << 14 | Int(b[8] & 0x7F) << 7 | Int(b[9] & 0x7F)
            i = 10 + size
        }
        guard i + 4 <= b.count else { return .failure(InputError(b.isEmpty ? "empty body" : "no MPEG frame")) }
        let h1 = b[i + 1], h2 = b[i + 2]
        let version = (h1 >> 3) & 0x3, layer = (h1 >> 1) & 0x3
        let bitrate = h2 >> 4, rate = (h2 >> 2) & 0x3
        guard b[i] == 0xFF, h1 & 0xE0 == 0xE0, version != 1, layer != 0, bitrate != 0xF, bitrate != 0, rate != 3 else {
            return .failure(InputError("no MPEG frame header"))
        }
        return .success("mpeg layer \(4 - Int(layer)), \(b.count) bytes")
    }
}
