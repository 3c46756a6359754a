import Foundation

/// What `ttsmon router` answers on `GET /admin/status`: the target traffic goes to and what its
/// last probe of each target found. The router writes it and the dashboard (`--router`) reads
/// it, so both sides share this one shape:
/// `{"active": "main", "targets": [{"name", "url", "up", "last_probe_ms", "reason"}]}`.
public struct RouterStatus: Sendable, Equatable {
    public struct Target: Sendable, Equatable {
        public var name: String
        public var url: String?
        public var up: Bool
        /// How long the last probe took (the synthesis, else the health check).
        public var lastProbeMs: Int?
        /// Why the target is down (nil while it is up).
        public var reason: String?

        public init(name: String, url: String?, up: Bool, lastProbeMs: Int?, reason: String?) {
            self.name = name; self.url = url; self.up = up; self.lastProbeMs = lastProbeMs; self.reason = reason
        }
    }

    public var active: String?
    public var targets: [Target]

    public init(active: String?, targets: [Target]) { self.active = active; self.targets = targets }

    /// The status of a failover state whose targets are `targets` (names and URLs, main first).
    public init(_ failover: FailoverState, targets urls: [ProbeTarget]) {
        active = failover.active
        targets = failover.targets.map { t in
            let r = t.lastResult
            return Target(name: t.name, url: urls.first { $0.name == t.name }?.url, up: t.up,
                          lastProbeMs: r?.synthesis.ms ?? r?.health.ms,
                          reason: t.up ? nil : r.map { $0.synthesis.error ?? $0.health.error ?? "down" } ?? "down")
        }
    }

    public var json: JSONValue {
        .object([
            ("active", .string(active)),
            ("targets", .array(targets.map { t in
                .object([("name", .string(t.name)), ("url", .string(t.url)), ("up", .bool(t.up)),
                         ("last_probe_ms", .int(t.lastProbeMs)), ("reason", .string(t.reason))])
            })),
        ])
    }

    /// Reads an answer of `/admin/status`; nil when it is not one (names are sanitised: they
    /// reach the terminal).
    public init?(json bytes: [UInt8]) {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any],
              let list = object["targets"] as? [[String: Any]] else { return nil }
        var targets: [Target] = []
        for item in list.prefix(64) {
            guard let name = item["name"] as? String, let up = item["up"] as? Bool else { return nil }
            let ms = (item["last_probe_ms"] as? NSNumber).map { $0.intValue }
            targets.append(Target(name: Sanitizer.clean(String(name.prefix(128))), url: (item["url"] as? String).map { Sanitizer.clean(String($0.prefix(512))) },
                                  up: up, lastProbeMs: ms, reason: (item["reason"] as? String).map { Sanitizer.clean(String($0.prefix(512))) }))
        }
        let active = (object["active"] as? String).map { Sanitizer.clean(String($0.prefix(128))) }
        self.init(active: active, targets: targets)
    }
}

/// Why a router's status could not be read (refused, timed out, not a status).
public struct RouterProblem: Error, Sendable, Equatable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
}
