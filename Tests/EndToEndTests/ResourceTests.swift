import Foundation
import Testing
@testable import TTSMonCore
import TTSMonNet

/// #20 on real processes: one burning a core, one growing its memory (both end by themselves
/// within a minute), a wrapper in front of one, a listener on a port; GPUs through a stand-in
/// `nvidia-smi` printing the documented CSV (these machines have none).
@Suite struct ResourceTests {
    /// A Python child that ends by itself (killed at the end of the test too), through
    /// `Subprocess`: Foundation's Process reaps late under load, and a zombie is not gone to
    /// /proc's readers at once. It first closes what it inherited (other tests' pipes).
    final class Child {
        let process: Subprocess
        init(_ script: String) throws {
            process = try Subprocess([ResourceTests.python ?? "/usr/bin/python3", "-c", "import os\nos.closerange(3, 65536)\n" + script])
        }
        var pid: Int { Int(process.pid) }
        func firstLine() -> String { process.firstLine(until: Date().addingTimeInterval(20)) ?? "" }
        func stop() { process.kill() }
    }

    static let python = Tmux.which("python3")
    static let burn = "import time\ne = time.time() + 60\nwhile time.time() < e: pass"
    /// 4 MB written every 0.1 s (resident, not just reserved), up to 800 MB, then it waits.
    static func grow(_ marker: String) -> String {
        "import time\n# \(marker)\nkept = []\ne = time.time() + 60\nwhile time.time() < e:\n    if len(kept) < 200: kept.append(b'x' * (4 << 20))\n    time.sleep(0.1)"
    }

    /// A directory with a stand-in `nvidia-smi` that prints `body` (a shell script's lines).
    static func standIn(_ dir: ScratchDir, _ body: String) throws -> String {
        let bin = dir.path + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try "#!/bin/sh\n\(body)\n".write(toFile: bin + "/nvidia-smi", atomically: true, encoding: .utf8)
        chmod(bin + "/nvidia-smi", 0o755)
        return bin
    }

    /// What the live-command tests share: a process growing its memory (named by `marker`), an
    /// empty log, and a PATH whose nvidia-smi prints one GPU at 97 %.
    struct Stage {
        let dir = ScratchDir()
        let marker = "grower-\(UUID().uuidString.prefix(8))"
        let grower: Child
        let log: String
        let path: String
        init() throws {
            let bin = try ResourceTests.standIn(dir, "echo '0, 97, 15235, 16384'")
            grower = try Child(ResourceTests.grow(marker))
            log = dir.path + "/app.log"
            try "".write(toFile: log, atomically: true, encoding: .utf8)
            path = bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        }
    }

    @Test(.enabled(if: python != nil, "python3 is not installed"))
    func aBusyAndAGrowingProcessAreMeasuredAndAGoneOneSaysSo() async throws { try await offThePool {
        let burner = try Child(Self.burn)
        let grower = try Child(Self.grow("grower-\(UUID().uuidString)"))
        let sampler = ResourceSampler(processes: [WatchedProcess(.pid(burner.pid)), WatchedProcess(.pid(grower.pid))])
        var last = ResourceFigures()
        let start = ProcessInfo.processInfo.systemUptime
        for _ in 0..<8 {
            Thread.sleep(forTimeInterval: 0.5)
            last = sampler.sample(now: ProcessInfo.processInfo.systemUptime - start)
        }
        let (b, g) = (last.processes[0], last.processes[1])
        #expect(b.pid == burner.pid && b.name == "python3")
        #expect((b.cpuPercent ?? 0) > 40, "a process burning a core: \(b)")
        #expect((g.cpuPercent ?? 100) < 40, "the grower mostly sleeps: \(g)")
        #expect((g.rssGrowthMBPerHour ?? 0) > 200, "4 MB every 0.1 s is far over 200 MB/h: \(g)")
        #expect(abs(b.rssGrowthMBPerHour ?? 1000) < 200, "the burner does not grow: \(b)")
        #expect((g.rssMB ?? 0) > 30 && (b.threads ?? 0) >= 1 && (b.fds ?? 0) >= 3)
        #expect(last.host.cpuPercent != nil && last.host.memoryUsedPercent != nil && last.host.load1 != nil)
        #expect(b.recentRSS.count == 8 && b.recentCPU.count == 7)
        burner.stop()
        let after = sampler.sample(now: ProcessInfo.processInfo.systemUptime - start)
        #expect(after.processes[0].gone && after.processes[0].cpuPercent == nil, "\(after.processes[0])")
        #expect(!after.processes[1].gone)
        grower.stop()
    } }

    @Test(.enabled(if: python != nil, "python3 is not installed"))
    func namesSkipWrappersAndPortsFindTheirListener() async throws { try await offThePool {
        let marker = "ttsmon-resource-test-\(UUID().uuidString)"
        // A wrapper of another executable (`sh -c`, as `timeout` would be) is older and names
        // the marker too: the child doing the work is meant.
        let inner = "import time\n# \(marker)\nprint('up', flush=True)\ntime.sleep(60)"
        let wrapped = try Child("import shlex\ninner = \"\"\"\(inner)\"\"\"\nos.execvp('sh', ['sh', '-c', 'python3 -c ' + shlex.quote(inner) + '; true'])")
        _ = wrapped.firstLine()
        let resolved = try #require(ProcessSelector.name(marker).resolve())
        #expect(resolved != wrapped.pid)
        let parent = ProcFS.text("/proc/\(resolved)/stat").flatMap(ProcFS.ProcessStat.parse)?.parent
        #expect(parent == wrapped.pid, "the wrapper's child")
        #expect(ProcessSelector.name("no-such-process-\(UUID().uuidString)").resolve() == nil)
        // A parent of the same executable (a pre-fork master and its worker) is the one meant.
        let forkMarker = "ttsmon-prefork-\(UUID().uuidString)"
        let worker = "import time\n# \(forkMarker)\nprint('up', flush=True)\ntime.sleep(60)"
        let master = try Child("import subprocess, sys\n# \(forkMarker)\nsubprocess.run([sys.executable, '-c', \"\"\"\(worker)\"\"\"])")
        _ = master.firstLine()
        #expect(ProcessSelector.name(forkMarker).resolve() == master.pid)
        master.stop()
        let listener = try Child("import socket, time\ns = socket.socket()\ns.bind(('127.0.0.1', 0))\ns.listen()\nprint(s.getsockname()[1], flush=True)\ntime.sleep(60)")
        let port = try #require(Int(listener.firstLine()))
        #expect(ProcessSelector.port(port).resolve() == listener.pid)
        // A restarted service is found again by its name.
        let sampler = ResourceSampler(processes: [WatchedProcess(label: "svc", .name(marker))])
        let first = sampler.sample(now: 1).processes[0]
        #expect(first.pid == resolved && first.name == "svc", "a LABEL= names it")
        wrapped.stop()
        kill(pid_t(resolved), SIGKILL)
        Thread.sleep(forTimeInterval: 0.3)
        #expect(sampler.sample(now: 2).processes[0].gone)
        let again = try Child(inner)
        _ = again.firstLine()
        #expect(sampler.sample(now: 8).processes[0].pid == again.pid, "re-resolved (at most every 5 s)")
    } }

    @Test func gpusThroughAStandInNvidiaSMIAndWhyNotWhenItFails() async throws { try await offThePool {
        let dir = ScratchDir()
        let ok = try Self.standIn(dir, "[ \"$1\" = '\(GPUMonitor.arguments[0])' ] && [ \"$2\" = '\(GPUMonitor.arguments[1])' ] || exit 3\necho '0, 97, 15235, 16384'\necho '1, 12, 401, 16384'")
        // A script just written can be busy to exec for a moment ("Text file busy": another
        // test's fork may hold its descriptor): tried again then, as the monitor would 5 s later.
        func query(_ path: String) -> ([ResourceFigures.GPU], String?) {
            var answer = GPUMonitor.query(path, timeout: 2)
            for _ in 0..<20 where answer.1?.contains("busy") == true {
                Thread.sleep(forTimeInterval: 0.05); answer = GPUMonitor.query(path, timeout: 2)
            }
            return answer
        }
        let (gpus, problem) = query(ok + "/nvidia-smi")
        #expect(problem == nil && gpus.map(\.index) == [0, 1] && gpus[0].utilPercent == 97 && gpus[1].memoryUsedMB == 401, "\(problem ?? "")")
        let dir2 = ScratchDir(), dir3 = ScratchDir()
        let failing = try Self.standIn(dir2, "echo 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.'\nexit 9")
        let (_, why) = query(failing + "/nvidia-smi")
        #expect(why?.contains("exit 9") == true && why?.contains("NVIDIA driver") == true, "\(why ?? "")")
        let hung = try Self.standIn(dir3, "exec sleep 30")
        let began = Date()
        let (_, late) = query(hung + "/nvidia-smi")
        #expect(late == "nvidia-smi did not answer within 2s" && Date().timeIntervalSince(began) < 5)
        let (againGPUs, againProblem) = GPUMonitor.query(ok + "/nvidia-smi", timeout: 2)
        #expect(againGPUs.count == 2, "after a hung run: \(againProblem ?? "")")
        #expect(GPUMonitor(environment: ["PATH": dir.path + "/none"]).latest.1 == "no GPU figures: nvidia-smi is not on PATH")
        let monitor = GPUMonitor(environment: ["PATH": ok], interval: 0.2)
        defer { monitor.stop() }
        let deadline = Date().addingTimeInterval(10)
        while monitor.latest.0.isEmpty, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(monitor.latest.0.count == 2, "\(monitor.latest.1 ?? "")")
    } }

    /// The rules fire in `watch` on the sampling clock, with a log that says nothing.
    @Test(.enabled(if: python != nil, "python3 is not installed"))
    func resourceRulesFireInWatch() async throws { try await offThePool {
        let stage = try Self.Stage()
        let (dir, marker, grower, log, path) = (stage.dir, stage.marker, stage.grower, stage.log, stage.path)
        // Through `stage`: its directory lives until the end of the test.
        defer { stage.grower.stop() }
        let rules = dir.path + "/rules.toml"
        // HighCPULoad at a threshold any reading passes: the host's CPU reaches its rule.
        try "[[rule]]\nname = \"MemoryGrowth\"\nfor = \"1s\"\n[[rule]]\nname = \"GPUSaturated\"\nfor = \"1s\"\n[[rule]]\nname = \"HighCPULoad\"\nthreshold = -1\nfor = \"1s\"\n"
            .write(toFile: rules, atomically: true, encoding: .utf8)
        let (code, out, err) = try TTSMonBinary.run(["watch", "--log", log, "--process", marker, "--rules", rules,
                                                     "--interval", "1", "--duration", "9"], environment: ["PATH": path])
        #expect(code == 0, "\(err)")
        let last = try #require(out.split(separator: "\n").last.map(String.init))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
        let process = try #require((json["processes"] as? [[String: Any]])?.first)
        #expect(process["name"] as? String == marker && process["pid"] as? Int == grower.pid)
        #expect((process["rss_growth_mb_per_hour"] as? Double ?? 0) > 200, "\(process)")
        #expect(process["threads"] is Int && process["fds"] is Int && process["cpu_percent"] is Double)
        let gpu = try #require((json["gpus"] as? [[String: Any]])?.first)
        #expect(gpu["index"] as? Int == 0 && gpu["util_percent"] as? Double == 97 && gpu["memory_total_mb"] as? Double == 16384)
        #expect((json["host"] as? [String: Any])?["cpu_percent"] is Double)
        let firing = Set(((json["alerts"] as? [[String: Any]]) ?? []).filter { $0["state"] as? String == "firing" }.compactMap { $0["name"] as? String })
        #expect(firing.isSuperset(of: ["MemoryGrowth", "GPUSaturated", "HighCPULoad"]), "\(last)")
        let (bad, _, why) = try TTSMonBinary.run(["watch", "--log", log, "--process", ":99999", "--duration", "1"])
        #expect(bad == 2 && why.contains("--process ':99999'"))
    } }

    /// The dashboard in tmux: the Resources panel with the process and the stand-in's GPU, the
    /// rule's alert in the strip with an empty log, and the process shown gone once it ends.
    @Test(.enabled(if: python != nil && Tmux.available, "python3 or tmux is not installed"))
    func theDashboardShowsResourcesAndTheirAlerts() async throws { try await offThePool {
        let stage = try Self.Stage()
        let (dir, marker, grower, log, path) = (stage.dir, stage.marker, stage.grower, stage.log, stage.path)
        // Through `stage`: its directory lives until the end of the test.
        defer { stage.grower.stop() }
        let rules = dir.path + "/rules.toml"
        try "[[rule]]\nname = \"MemoryGrowth\"\nfor = \"1s\"\n".write(toFile: rules, atomically: true, encoding: .utf8)
        let listener = try Child("import socket, time\ns = socket.socket()\ns.bind(('127.0.0.1', 0))\ns.listen()\nprint(s.getsockname()[1], flush=True)\ntime.sleep(60)")
        defer { listener.stop() }
        let port = try #require(Int(listener.firstLine()))
        let tmux = Tmux()
        defer { tmux.kill() }
        tmux.start("\(TTSMonBinary.url.path) dashboard --log \(log) --process \(marker) --process :\(port) --rules \(rules); echo EXIT=$?; sleep 30",
                   env: ["PATH": path])
        let screen = tmux.waitFor(30) { $0.contains("MemoryGrowth") && $0.contains("GPU0") && $0.contains("MB/h") }
        #expect(screen.contains(":\(port)  cpu "), "what listens on the port: \(screen)")
        #expect(screen.contains("Resources") && screen.contains("host cpu"), "\(screen)")
        #expect(screen.contains("\(marker)  cpu "), "\(screen)")
        #expect(screen.contains("97.0%  mem ") && screen.contains(" 14.9/16.0G"), "\(screen)")
        let strip = screen.split(separator: "\n").dropFirst().first.map(String.init) ?? ""
        #expect(strip.contains("MemoryGrowth") && strip.contains("MB/h > 200 MB/h"), "the alert strip: \(strip)")
        grower.stop()
        let gone = tmux.waitFor(15) { $0.contains("\(marker)  gone") }
        #expect(gone.contains("\(marker)  gone"), "\(gone)")
        #expect(tmux.quit().contains("EXIT=0"))
    } }

    /// `export` serves the resource gauges; a process that ends drops out instead of keeping
    /// its last figures.
    @Test(.enabled(if: python != nil, "python3 is not installed"))
    func exportServesTheResourceGauges() async throws { try await offThePool {
        let stage = try Self.Stage()
        let (marker, grower, log, path) = (stage.marker, stage.grower, stage.log, stage.path)
        // Through `stage`: its directory lives until the end of the test.
        defer { stage.grower.stop() }
        let port = freeLoopbackPort()
        let export = try Subprocess([TTSMonBinary.url.path, "export", "--log", log, "--process", marker, "--listen", "127.0.0.1:\(port)"],
                                    environment: ProcessInfo.processInfo.environment.merging(["PATH": path]) { $1 })
        defer { export.kill() }
        let fetcher = HTTPFetcher(timeout: 2)
        defer { try? DashboardTmuxTests.blocking { await fetcher.shutdown() } }
        func metrics() -> String { ExportTests.scrape(fetcher, port: port) }
        func value(_ text: String, _ series: String) -> Double? {
            text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { $0.split(separator: " ").last.flatMap { Double($0) } }
        }
        let resident = "ttsmon_process_resident_bytes{process=\"\(marker)\"}"
        var text = ""
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            text = metrics()
            if value(text, "ttsmon_host_cpu_ratio") != nil, value(text, "ttsmon_gpu_utilization_ratio{gpu=\"0\"}") != nil,
               value(text, "ttsmon_process_cpu_ratio{process=\"\(marker)\"}") != nil { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        #expect((value(text, "ttsmon_host_cpu_ratio") ?? -1) >= 0 && (value(text, "ttsmon_host_cpu_ratio") ?? 2) <= 1, "\(text.suffix(1500))")
        #expect((value(text, resident) ?? 0) > 10_000_000, "\(text.suffix(1500))")
        #expect(value(text, "ttsmon_gpu_utilization_ratio{gpu=\"0\"}") == 0.97)
        #expect(abs((value(text, "ttsmon_gpu_memory_used_bytes{gpu=\"0\"}") ?? 0) - 15235 * 1_048_576) < 1, "MiB as bytes")
        for family in ["ttsmon_host_cpu_ratio", "ttsmon_process_cpu_ratio", "ttsmon_process_resident_bytes",
                       "ttsmon_gpu_utilization_ratio", "ttsmon_gpu_memory_used_bytes"] {
            #expect(text.contains("# TYPE \(family) gauge") && text.contains("# HELP \(family) "), "\(family)")
        }
        grower.stop()
        let until = Date().addingTimeInterval(10)
        while Date() < until, value(metrics(), resident) != nil { Thread.sleep(forTimeInterval: 0.2) }
        #expect(value(metrics(), resident) == nil, "a gone process keeps no figures")
    } }
}
