/// `ttsmon probe` output, JSON and text.
public enum ProbeReport {
    /// The documented JSON object of one round.
    public static func json(_ results: [ProbeResult], active: String?, time: LogTimestamp) -> JSONValue {
        .object([
            ("time", .string(time.logText)),
            ("active", .string(active)),
            ("targets", .array(results.map { r in
                .object([
                    ("name", .string(r.target.name)), ("url", .string(r.target.url)), ("up", .bool(r.up)),
                    ("health", .object([("ok", .bool(r.health.ok)), ("status", .int(r.health.status)), ("ms", .int(r.health.ms)),
                                        ("error", .string(r.health.error)), ("body", .string(r.health.body))])),
                    ("synthesis", .object([("ok", .bool(r.synthesis.ok)), ("status", .int(r.synthesis.status)),
                                           ("ms", .int(r.synthesis.ms)), ("content_type", .string(r.synthesis.contentType.map(Sanitizer.clean))),
                                           ("bytes", .int(r.synthesis.bytes)), ("audio", .string(r.synthesis.audio)),
                                           ("error", .string(r.synthesis.error)), ("snippet", .string(r.synthesis.snippet))])),
                ])
            })),
        ])
    }

    /// One line per target, the active one marked.
    public static func text(_ results: [ProbeResult], active: String?, time: LogTimestamp) -> String {
        var t = TextTable(["", "target", "state", "health", "synthesis", "url"], alignments: [.left, .left, .left, .left, .left, .left])
        for r in results {
            let mark = r.target.name == active ? "●" : (r.up ? "○" : "✗")
            let state = r.target.name == active ? "active" : (r.up ? "up" : "down")
            let health = r.health.ok ? "ok \(r.health.ms ?? 0) ms" : "\(r.health.error ?? "failed")"
            let synth = r.synthesis.ok ? "ok \(r.synthesis.ms ?? 0) ms \(r.synthesis.audio ?? "")"
                : "\(r.synthesis.error ?? "failed")" + (r.synthesis.snippet.map { " «\(String($0.prefix(40)))»" } ?? "")
            t.add([mark, Sanitizer.clean(r.target.name), state, Sanitizer.clean(health), Sanitizer.clean(synth), Sanitizer.clean(r.target.url)])
        }
        return "probe \(time.logText) — active: \(active ?? "none")\n" + t.render()
    }
}
