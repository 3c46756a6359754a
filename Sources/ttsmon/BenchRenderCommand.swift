import ArgumentParser
import Foundation
import TTSMonCore
import TTSMonUI

/// `ttsmon bench-render`: times full-frame renders of the overview at 150×45 from a fixed state
/// (used by bench/dashboard.sh; hidden from help).
struct BenchRenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench-render", shouldDisplay: false)

    @Option var frames = 2000
    @Option var width = 150
    @Option var height = 45

    func run() throws {
        let dir = NSTemporaryDirectory() + "ttsmon-bench-render-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var options = GeneratorOptions(outputDirectory: dir, requests: 5000)
        options.incident = true
        _ = try LogGenerator.generate(options)
        let collector = LiveCollector(paths: [dir + "/app.log"])
        while collector.poll() {}
        var state = DashboardState(snapshot: collector.metrics.snapshot(window: .fiveMinutes))
        state.clock = "12:00:00"
        state.sources = [SourceLine(name: dir + "/app.log", ageSeconds: 1, error: nil)]
        state.targets = [TargetLine(name: "main", active: true, up: true, latencyMs: 412, lastError: nil, ageSeconds: 1),
                         TargetLine(name: "standby", active: false, up: true, latencyMs: 388, lastError: nil, ageSeconds: 1)]
        var checksum = 0
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<frames {
            let grid = DashboardView.render(state, width: width, height: height)
            checksum &+= grid.cells.count
        }
        let elapsed = clock.now - start
        let ms = (Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15) / Double(frames)
        emit(String(format: "render %dx%d: %.3f ms per full frame (%d frames, checksum %d)", width, height, ms, frames, checksum))
    }
}
