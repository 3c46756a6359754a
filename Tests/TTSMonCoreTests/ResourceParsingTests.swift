import Testing
@testable import TTSMonCore

/// #20: what `/proc` and nvidia-smi print, read into figures (real processes are driven in
/// `EndToEndTests.ResourceTests`).
@Suite struct ResourceParsingTests {
    @Test func processStatWithSpacesAndParenthesesInItsName() throws {
        // proc(5): pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
        // utime stime cutime cstime priority nice num_threads itrealvalue starttime vsize rss …
        let line = "4242 (tts (worker) 1) S 1 4242 4242 0 -1 4194560 900 0 0 0 1234 566 0 0 20 0 17 0 998877 1000000 25600 18446744073709551615"
        let s = try #require(ProcFS.ProcessStat.parse(line))
        #expect(s.command == "tts (worker) 1" && s.parent == 1)
        #expect(s.cpuTicks == 1800 && s.threads == 17 && s.startTicks == 998877 && s.residentPages == 25600)
        #expect(ProcFS.ProcessStat.parse("4242 (x) S 1 2") == nil)
        #expect(ProcFS.ProcessStat.parse("garbage") == nil)
    }

    @Test func hostCPUMemoryAndLoad() throws {
        let a = try #require(ProcFS.CPUTimes.parse("cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 1 2 3 4\n"))
        let b = try #require(ProcFS.CPUTimes.parse("cpu  250 0 150 800 100 0 0 0 0 0\ncpu0 1 2 3 4\n"))
        #expect(a.busy == 200 && a.total == 1000)
        #expect(b.percent(since: a) == 200.0 / 300 * 100, "idle and iowait are not busy")
        #expect(a.percent(since: a) == nil)
        #expect(ProcFS.CPUTimes.parse("intr 1 2 3") == nil)
        let meminfo = "MemTotal:       16000000 kB\nMemFree:         1000000 kB\nMemAvailable:    4000000 kB\n"
        #expect(ProcFS.memoryUsedPercent(meminfo) == 75)
        #expect(ProcFS.memoryUsedPercent("MemTotal: 0 kB\n") == nil)
        #expect(ProcFS.load1("1.25 0.80 0.50 2/345 6789\n") == 1.25)
    }

    @Test func listeningSocketsOfAPort() {
        let table = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0100007F:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 55501 1 0000000000000000 100 0 0 10 0
               1: 0100007F:1F40 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000  1000        0 55502 1 0000000000000000 20 4 30 10 -1
               2: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 55503 1 0000000000000000 100 0 0 10 0
            """
        #expect(ProcFS.listeningInodes(table, port: 8000) == [55501], "listening only, not the established connection")
        #expect(ProcFS.listeningInodes(table, port: 80) == [55503])
        #expect(ProcFS.listeningInodes(table, port: 9) == [])
    }

    @Test func selectors() {
        #expect(ProcessSelector("1234") == .pid(1234))
        #expect(ProcessSelector(":8000") == .port(8000))
        #expect(ProcessSelector("uvicorn") == .name("uvicorn"))
        #expect(WatchedProcess("main=:8000") == WatchedProcess(label: "main", .port(8000)))
        #expect(WatchedProcess("standby=uvicorn app:b") == WatchedProcess(label: "standby", .name("uvicorn app:b")))
        #expect(WatchedProcess("python -m x=1") == WatchedProcess(.name("python -m x=1")), "not a label: a name with =")
        #expect(WatchedProcess("main=:0") == nil && WatchedProcess("main=") == nil, "a label with a bad selector is an error")
        #expect(ProcessSelector(":0") == nil && ProcessSelector(":70000") == nil && ProcessSelector("0") == nil && ProcessSelector(" ") == nil)
    }

    @Test func growthIsALeastSquaresSlopeOverTheRecentSpan() throws {
        var t = GrowthTrend(span: 600, minimumSamples: 5)
        for i in 0..<4 { t.add(100 + Double(i), at: Double(i)) }
        #expect(t.slopePerHour == nil, "fewer than five samples")
        t.add(104, at: 4)
        #expect(abs(try #require(t.slopePerHour) - 3600) < 1e-6, "1 MB a second is 3,600 MB an hour")
        // A single spike barely moves a slope over many samples.
        var flat = GrowthTrend()
        for i in 0..<300 { flat.add(i == 150 ? 900 : 500, at: Double(i)) }
        #expect(abs(try #require(flat.slopePerHour)) < 5)
        // Samples older than the span go.
        var old = GrowthTrend(span: 10)
        for i in 0..<20 { old.add(i < 9 ? Double(i) * 100 : 1000, at: Double(i)) }   // t 9…19 are kept
        #expect(try #require(old.slopePerHour) == 0)
    }

    @Test func nvidiaSMIsDocumentedCSV() {
        // `nvidia-smi --query-gpu=index,utilization.gpu,memory.used,memory.total --format=csv,noheader,nounits`
        let gpus = GPUMonitor.parse("0, 97, 15235, 16384\n1, 3, 401, 16384\n2, [N/A], [N/A], 81920\nNo devices were found\n")
        #expect(gpus == [
            ResourceFigures.GPU(index: 0, utilPercent: 97, memoryUsedMB: 15235, memoryTotalMB: 16384),
            ResourceFigures.GPU(index: 1, utilPercent: 3, memoryUsedMB: 401, memoryTotalMB: 16384),
            ResourceFigures.GPU(index: 2, utilPercent: nil, memoryUsedMB: nil, memoryTotalMB: 81920),
        ])
        #expect(GPUMonitor.parse("") == [])
    }

    @Test func resourceRulesAreOnTheSamplingClock() {
        for name in ["HighCPULoad", "MemoryGrowth", "GPUSaturated"] {
            let rule = AlertRule.builtIn.first { $0.name == name }
            #expect(rule?.signal.clock == .probe, "\(name)")
        }
        var engine = AlertEngine(rules: AlertRule.builtIn.filter { $0.name == "GPUSaturated" })
        let start = LogTimestamp(milliseconds: 1_700_000_000_000)
        for s in 0...301 {
            engine.evaluateProbe(at: LogTimestamp(milliseconds: start.milliseconds + Int64(s) * 1000), activeTargetUp: nil,
                                 diskFreePercent: nil, resources: ResourceAlertInputs(gpuUtilPercent: 97))
        }
        #expect(engine.drainTransitions().map(\.kind) == [.firing], "fires after 5m at 97% with no log at all")
    }
}
