import Foundation

/// GPU figures from `nvidia-smi` every few seconds, on a thread of its own with a timeout, so a
/// hung driver never stalls a sample; absent or failing, it says why.
public final class GPUMonitor: @unchecked Sendable {
    /// The arguments of the documented query (utilisation in %, memory in MiB).
    public static let arguments = ["--query-gpu=index,utilization.gpu,memory.used,memory.total", "--format=csv,noheader,nounits"]

    private let lock = NSLock()
    private var gpus: [ResourceFigures.GPU] = []
    private var problem: String?
    private var thread: PeriodicThread?

    /// Starts querying `executable` (found on `PATH` when nil) every `interval` seconds, each
    /// run given `timeout` seconds.
    public init(executable: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                interval: Double = 5, timeout: Double = 2) {
        guard let path = executable ?? GPUMonitor.find("nvidia-smi", in: environment["PATH"] ?? "") else {
            problem = "no GPU figures: nvidia-smi is not on PATH"
            return
        }
        problem = "no GPU figures yet"
        thread = PeriodicThread(name: "ttsmon-gpu", interval: interval) { [weak self] in
            let (gpus, problem) = GPUMonitor.query(path, timeout: timeout)
            guard let self else { return }
            self.lock.withLock { self.gpus = gpus; self.problem = problem }
        }
    }

    deinit { stop() }

    /// The latest figures, and why there are none when there are none.
    public var latest: ([ResourceFigures.GPU], String?) { lock.withLock { (gpus, problem) } }

    public func stop() { thread?.stop() }

    static func find(_ name: String, in path: String) -> String? {
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// One run: its figures, or why there are none.
    static func query(_ path: String, timeout: Double) -> ([ResourceFigures.GPU], String?) {
        let result: (status: Int32, output: [UInt8])?
        do { result = try Subprocess.run([path] + arguments, timeout: timeout) } catch {
            return ([], "nvidia-smi could not be started: \(error)")
        }
        guard let result else { return ([], "nvidia-smi did not answer within \(LiveFormat.trimmed(timeout))s") }
        let text = String(decoding: result.output, as: UTF8.self)
        guard result.status == 0 else {
            let first = text.split(separator: "\n").first.map { ": " + Sanitizer.clean(String($0.prefix(120))) } ?? ""
            return ([], "nvidia-smi failed (exit \(result.status))\(first)")
        }
        let gpus = parse(text)
        return gpus.isEmpty ? ([], "nvidia-smi listed no GPU") : (gpus, nil)
    }

    /// `index, utilization.gpu, memory.used, memory.total` lines (`[N/A]` where unknown).
    public static func parse(_ csv: String) -> [ResourceFigures.GPU] {
        csv.split(whereSeparator: \.isNewline).compactMap { line in
            let f = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard f.count >= 4, let index = Int(f[0]), index >= 0 else { return nil }
            func number(_ s: String) -> Double? { Double(s).flatMap { $0.isFinite && $0 >= 0 ? $0 : nil } }
            return ResourceFigures.GPU(index: index, utilPercent: number(f[1]).map { min($0, 100) },
                                       memoryUsedMB: number(f[2]), memoryTotalMB: number(f[3]))
        }
    }
}
