import Foundation
import Testing
import TTSMonCore

/// Issue 18, first part, driven in tmux: on a large log whose last minutes hold an incident,
/// the dashboard's first frames are those minutes' figures (what `report --from -5m` says), not
/// the calm hours at the top of the file replayed as if they were now.
@Suite(.serialized) struct DashboardHistoryTests {
    @Test(.enabled(if: Tmux.available, "tmux is not installed"))
    func theFirstFiguresAreTheLastMinutesOfALargeLog() async throws { try await offThePool {
        let dir = ScratchDir()
        // Two calm hours, then ten minutes with an incident in their middle.
        var calm = GeneratorOptions(outputDirectory: dir.path + "/calm", requests: 72_000)
        calm.rate = 10
        calm.hostile = false
        calm.seed = 3
        _ = try LogGenerator.generate(calm)
        var storm = GeneratorOptions(outputDirectory: dir.path + "/storm", requests: 6_000)
        storm.rate = 10
        storm.incident = true
        storm.hostile = false
        storm.seed = 4
        storm.start = "2024-06-12 10:00:05,000"
        _ = try LogGenerator.generate(storm)
        let log = dir.path + "/app.log"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: dir.path + "/calm/app.log"))
        bytes.append(try Data(contentsOf: URL(fileURLWithPath: dir.path + "/storm/app.log")))
        try bytes.write(to: URL(fileURLWithPath: log))
        let (rc, json, _) = try TTSMonBinary.run(["report", "--format", "json", "--from", "-5m", log])
        #expect(rc == 0)
        let report = try #require((try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])?["requests"] as? [String: Any])
        let total = try #require(report["total"] as? Int), failed = try #require(report["failed"] as? Int)
        let failedPercent = Double(failed) * 100 / Double(total)
        #expect(failedPercent > 3, "the last five minutes hold the incident: \(failed) of \(total)")

        let tmux = Tmux()
        defer { tmux.kill() }
        tmux.start("\(TTSMonBinary.url.path) dashboard --window 5m --log \(log); echo EXIT=$?; sleep 30")
        // The first frame with figures that does not say it is still reading.
        let screen = tmux.waitFor(60) { s in
            guard let header = s.split(separator: "\n").first, !header.contains("reading") else { return false }
            return s.contains("req in 5m")
        }
        let traffic = try #require(screen.split(separator: "\n").first { $0.contains("req in 5m") }.map(String.init), "\(screen)")
        let shown = try #require(Int(traffic.components(separatedBy: " req in 5m")[0].split(separator: " ").last!.replacingOccurrences(of: ",", with: "")))
        #expect(abs(shown - total) <= max(2, total / 100), "the dashboard's 5m (\(shown)) is report's last 5 minutes (\(total))\n\(screen)")
        // Only twice the longest per-second window (and a margin) was read, not two hours.
        let sinceStart = try #require(Int(traffic.components(separatedBy: "total ")[1].prefix { $0.isNumber || $0 == "," }.replacingOccurrences(of: ",", with: "")))
        #expect(sinceStart < 30_000, "requests read: \(sinceStart) of the file's 78,000")
        let failedLine = try #require(screen.split(separator: "\n").first { $0.contains("failed ") && $0.contains("%") }.map(String.init))
        let shownPercent = try #require(Double(failedLine.components(separatedBy: "failed ")[1].prefix { $0 != "%" }))
        #expect(abs(shownPercent - failedPercent) < 1, "failed \(shownPercent)% on screen, \(failedPercent)% in report\n\(screen)")
        tmux.keys("q")
        #expect(tmux.waitFor(15) { $0.contains("EXIT=") }.contains("EXIT=0"))

        // The long windows: the hours before the recent stretch are read in the background
        // ("history N%" in the header meanwhile), then the window is report's over its minutes.
        let whole = try #require(try JSONSerialization.jsonObject(with: Data(try TTSMonBinary.run(["report", "--format", "json", log]).1.utf8)) as? [String: Any])
        let lastText = try #require((whole["span"] as? [String: Any])?["last"] as? String)
        let last = try #require(LogTimestamp(lastText))
        for window in [LiveWindow.oneHour, .oneDay] {
            let endMinute = last.second >= 0 ? last.second / 60 : (last.second - 59) / 60
            let start = LogTimestamp(milliseconds: (endMinute - Int64(window.seconds / 60) + 1) * 60_000)
            let (_, windowJSON, _) = try TTSMonBinary.run(["report", "--format", "json", "--from", String(start.logText.prefix(19)), log])
            let expected = try #require(Self.requestTotal(windowJSON))
            let long = Tmux()
            defer { long.kill() }
            long.start("\(TTSMonBinary.url.path) dashboard --window \(window.rawValue) --log \(log); echo EXIT=$?; sleep 30")
            let label = "req in \(window.rawValue)"
            let done = Self.settled(long, label: label) { _ in true }
            let line = try #require(done.split(separator: "\n").first { $0.contains(label) }.map(String.init), "\(done)")
            let shownLong = try #require(Int(line.components(separatedBy: " " + label)[0].split(separator: " ").last!))
            #expect(shownLong == expected, "\(window): the dashboard shows \(shownLong), report over its minutes \(expected)\n\(done)")
            long.keys("q")
        }
    } }

    /// `-R`: a 24 h window over a live file and its rotated `.gz` siblings, read in the
    /// background, shows what `report -R` counts.
    @Test(.enabled(if: Tmux.available, "tmux is not installed"))
    func rotatedSiblingsFeedTheDayWindow() async throws { try await offThePool {
        let dir = ScratchDir()
        let (gen, _, genErr) = try TTSMonBinary.run(["gen", "--out", dir.path, "--requests", "16000", "--rate", "2", "--rotate", "3", "--incident"])
        #expect(gen == 0, "\(genErr)")
        let log = dir.path + "/app.log"
        let (_, json, _) = try TTSMonBinary.run(["report", "--format", "json", "-R", log])
        let total = try #require(Self.requestTotal(json))
        let liveOnly = try #require(Self.requestTotal(try TTSMonBinary.run(["report", "--format", "json", log]).1))
        #expect(liveOnly < total)
        let tmux = Tmux()
        defer { tmux.kill() }
        tmux.start("\(TTSMonBinary.url.path) dashboard -R --window 24h --log \(log); echo EXIT=$?; sleep 30")
        let label = "req in 24h"
        let done = Self.settled(tmux, label: label) { $0.contains(" \(total) " + label) }
        let line = try #require(done.split(separator: "\n").first { $0.contains(label) }.map(String.init), "\(done)")
        let shown = try #require(Int(line.components(separatedBy: " " + label)[0].split(separator: " ").last!))
        #expect(shown == total, "the dashboard's 24h (\(shown)) is report -R's (\(total)); the live file alone: \(liveOnly)\n\(done)")
        #expect(tmux.quit().contains("EXIT=0"))
    } }

    /// The screen once the header no longer says `reading` or `history` and the line holding
    /// `label` satisfies `line` (90 s at most).
    static func settled(_ tmux: Tmux, label: String, line: (Substring) -> Bool) -> String {
        tmux.waitFor(90) { s in
            guard let header = s.split(separator: "\n").first, !header.contains("reading"), !header.contains("history") else { return false }
            return s.split(separator: "\n").first(where: { $0.contains(label) }).map(line) ?? false
        }
    }

    /// `requests.total` of report's JSON.
    static func requestTotal(_ json: String) -> Int? {
        ((try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any]).flatMap { $0["requests"] as? [String: Any] }?["total"] as? Int
    }
}
