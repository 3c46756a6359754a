import Foundation
import TTSMonCore

/// One labelled value of an instant query.
public struct PromSample: Sendable, Equatable {
    public var labels: [String: String]
    public var value: Double
}

/// One labelled series of a range query.
public struct PromSeries: Sendable, Equatable {
    public var labels: [String: String]
    public var values: [(time: Double, value: Double)]
    public static func == (a: PromSeries, b: PromSeries) -> Bool {
        a.labels == b.labels && a.values.map(\.value) == b.values.map(\.value) && a.values.map(\.time) == b.values.map(\.time)
    }
}

/// Prometheus' HTTP API (`/api/v1/query`, `/api/v1/query_range`), every request bounded by the
/// fetcher's timeout.
public final class PromQLClient: Sendable {
    public let base: String
    let fetcher: HTTPFetcher

    public init(base: String, timeout: Double = 3) {
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        fetcher = HTTPFetcher(timeout: timeout)
    }

    public func shutdown() async { await fetcher.shutdown() }

    /// An instant query's vector (a scalar comes back as one unlabelled sample).
    public func query(_ promQL: String, at time: Date? = nil) async -> Result<[PromSample], InputError> {
        var url = base + "/api/v1/query?query=" + Self.escape(promQL)
        if let time { url += "&time=" + String(format: "%.3f", time.timeIntervalSince1970) }
        switch await data(url) {
        case .failure(let e): return .failure(e)
        case .success(let (type, result)):
            if type == "scalar", let pair = result as? [Any], let v = Self.number(pair) { return .success([PromSample(labels: [:], value: v)]) }
            guard let items = result as? [[String: Any]] else { return .failure(InputError("unexpected \(type) result")) }
            return .success(items.compactMap { item in
                guard let pair = item["value"] as? [Any], let v = Self.number(pair) else { return nil }
                return PromSample(labels: item["metric"] as? [String: String] ?? [:], value: v)
            })
        }
    }

    /// A range query's matrix.
    public func queryRange(_ promQL: String, start: Date, end: Date, step: Double) async -> Result<[PromSeries], InputError> {
        let url = base + "/api/v1/query_range?query=" + Self.escape(promQL)
            + String(format: "&start=%.3f&end=%.3f&step=%.3f", start.timeIntervalSince1970, end.timeIntervalSince1970, step)
        switch await data(url) {
        case .failure(let e): return .failure(e)
        case .success(let (_, result)):
            guard let items = result as? [[String: Any]] else { return .failure(InputError("unexpected range result")) }
            return .success(items.map { item in
                let values = (item["values"] as? [[Any]] ?? []).compactMap { pair -> (Double, Double)? in
                    guard let t = pair.first as? Double ?? (pair.first as? NSNumber)?.doubleValue, let v = Self.number(pair) else { return nil }
                    return (t, v)
                }
                return PromSeries(labels: item["metric"] as? [String: String] ?? [:], values: values)
            })
        }
    }

    func data(_ url: String) async -> Result<(String, Any), InputError> {
        switch await fetcher.get(url) {
        case .failure(let e): return .failure(e)
        case .success(let answer):
            guard let object = try? JSONSerialization.jsonObject(with: answer.body) as? [String: Any] else {
                return .failure(InputError("HTTP \(answer.status): not a Prometheus API answer"))
            }
            guard object["status"] as? String == "success", let data = object["data"] as? [String: Any] else {
                return .failure(InputError(Sanitizer.clean(object["error"] as? String ?? "HTTP \(answer.status)")))
            }
            return .success((data["resultType"] as? String ?? "", data["result"] as Any))
        }
    }

    /// `[time, "value"]` → value (`NaN`, `+Inf` included).
    static func number(_ pair: [Any]) -> Double? {
        guard pair.count == 2, let text = pair[1] as? String else { return nil }
        switch text {
        case "+Inf": return .infinity
        case "-Inf": return -.infinity
        case "NaN": return .nan
        default: return Double(text)
        }
    }

    static func escape(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }
}
