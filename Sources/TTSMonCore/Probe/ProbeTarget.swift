import Foundation

/// A service instance to probe: `NAME=URL`. Order matters: the first is main, the next standby.
public struct ProbeTarget: Sendable, Equatable {
    public var name: String
    /// Base URL without a trailing slash (`http://127.0.0.1:8000`).
    public var url: String

    public init(name: String, url: String) {
        self.name = name
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    /// Parses `NAME=URL`; the message says what is wrong.
    /// Whether `text` is an http:// or https:// URL with a host (targets, routers, Prometheus,
    /// Alertmanager).
    public static func isHTTPURL(_ text: String) -> Bool {
        guard let parts = URLComponents(string: text), let scheme = parts.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = parts.host else { return false }
        return !host.isEmpty
    }

    public static func parse(_ text: String) -> Result<ProbeTarget, InputError> {
        guard let eq = text.firstIndex(of: "=") else {
            return .failure(InputError("'\(text)': expected NAME=URL, e.g. main=http://127.0.0.1:8000"))
        }
        let name = String(text[..<eq]).trimmingCharacters(in: .whitespaces)
        let url = String(text[text.index(after: eq)...]).trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            return .failure(InputError("'\(text)': the name must be letters, digits, - _ or ."))
        }
        guard isHTTPURL(url) else {
            return .failure(InputError("'\(text)': '\(url)' is not an http:// or https:// URL"))
        }
        if let port = URLComponents(string: url)?.port, !(1...65535).contains(port) {
            return .failure(InputError("'\(text)': port out of range"))
        }
        return .success(ProbeTarget(name: name, url: url))
    }
}

/// The result of `GET /health`.
public struct HealthCheck: Sendable, Equatable {
    public var ok: Bool
    public var status: Int?
    public var ms: Int?
    public var error: String?
    /// The body's first bytes, sanitised.
    public var body: String?
    public init(ok: Bool, status: Int? = nil, ms: Int? = nil, error: String? = nil, body: String? = nil) {
        self.ok = ok; self.status = status; self.ms = ms; self.error = error; self.body = body
    }
}

/// The result of a real `POST /tts`.
public struct SynthesisCheck: Sendable, Equatable {
    public var ok: Bool
    public var status: Int?
    public var ms: Int?
    public var contentType: String?
    public var bytes: Int?
    /// What the audio is (`wav 16000 Hz 1 ch, 0.25 s`), when it is audio.
    public var audio: String?
    public var error: String?
    /// The first 200 bytes of a body that is not audio, sanitised.
    public var snippet: String?
    public init(ok: Bool, status: Int? = nil, ms: Int? = nil, contentType: String? = nil, bytes: Int? = nil,
                audio: String? = nil, error: String? = nil, snippet: String? = nil) {
        self.ok = ok; self.status = status; self.ms = ms; self.contentType = contentType; self.bytes = bytes
        self.audio = audio; self.error = error; self.snippet = snippet
    }
}

/// Both checks of one target in one round. A target is up when both pass.
public struct ProbeResult: Sendable, Equatable {
    public var target: ProbeTarget
    public var health: HealthCheck
    public var synthesis: SynthesisCheck
    public var up: Bool { health.ok && synthesis.ok }
    public init(target: ProbeTarget, health: HealthCheck, synthesis: SynthesisCheck) {
        self.target = target; self.health = health; self.synthesis = synthesis
    }

    /// The most telling reason it is down.
    public var failureReason: String? {
        if up { return nil }
        if !synthesis.ok { return "synthesis: " + (synthesis.error ?? "failed") }
        return "health: " + (health.error ?? "failed")
    }
}
