import Foundation
import Testing
@testable import TTSMonCore

/// User formats (#16): TOML files describing what no built-in format reads; checked when they
/// load (file, line and key named), tried before the built-ins, joined by id or by order.
@Suite struct UserFormatTests {
    /// The README's worked example: CosyVoice's `synthesis text …` / `yield speech len …, rtf …`.
    static let cosyvoice = """
        name = "cosyvoice"
        line = '^(?<time>\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3}) (?<level>[A-Z]+) (?<message>.*)$'
        time_format = "%Y-%m-%d %H:%M:%S,%f"
        join = "sequence"              # or "id" (default): an `id` capture ties a request's lines
        sample = ["2025-01-10 14:22:37,892 INFO synthesis text 你好"]
        [[event]]
        kind = "start"                 # start | stage | field | end | request (a whole request on one line)
        match = '^synthesis text (?<text>.*)$'
        [[event]]
        kind = "end"
        match = 'yield speech len (?<audio_s>[\\d.]+), rtf (?<rtf>[\\d.]+)'

        """

    static let cosyLog = """
        2025-01-10 14:22:37,892 INFO synthesis text 你好
        2025-01-10 14:22:38,300 INFO yield speech len 3.52, rtf 0.4137
        2025-01-10 14:22:39,000 INFO synthesis text 今天天气真好
        2025-01-10 14:22:41,100 INFO yield speech len 4.00, rtf 0.525
        2025-01-10 14:22:42,000 INFO loading model weights

        """

    func load(_ text: String, file: String = "test.toml") throws -> LogFormat {
        try UserFormat.load(text: text, file: file).logFormat
    }

    @Test func theWorkedExampleReads() throws {
        let dir = TempDir()
        let format = try load(Self.cosyvoice)
        let path = dir.write("cosy.log", Self.cosyLog)
        let outcome = try ReportRunner.run(ReportOptions(inputs: [LogInput(path: path, formats: [format])]))
        let s = ReportSummary(outcome)
        #expect(s.files.first?.format == "cosyvoice")
        #expect(s.total == 2 && s.failed == 0 && s.warnings.isEmpty)
        #expect(s.latency.p50 == 408 && s.latency.max == 2100, "end time − start time")
        #expect(s.rtf?.max == 0.525 && s.audioSeconds == 7.52)
        // Live reads it the same (watch, dashboard, export).
        let collector = LiveCollector(paths: [path], formats: [format])
        while collector.poll() {}
        #expect(collector.metrics.totalRequests == 2)
        #expect(collector.metrics.snapshot(window: .fifteenMinutes).rtf?.max == 0.525)
    }

    @Test func joinedByIDWithStagesFieldsAndOneLineRequests() throws {
        let format = try load("""
            name = "mytts"
            line = '^\\[(?<time>[^\\]]+)\\] (?<level>\\w+) (?<message>.*)$'
            sample = "[2025-01-10T14:22:37.892+08:00] INFO begin req=a1 text=你好"
            [[event]]
            kind = "start"
            match = 'begin req=(?<id>\\w+) text=(?<text>.*)'
            [[event]]
            kind = "stage"
            match = 'req=(?<id>\\w+) (?<stage>vocoder|acoustic) took (?<duration_s>[\\d.]+)s'
            [[event]]
            kind = "field"
            match = 'req=(?<id>\\w+) audio (?<audio_s>[\\d.]+)s'
            [[event]]
            kind = "end"
            match = 'done req=(?<id>\\w+)(?: status=(?<status>\\w+))?(?: code=(?<code>\\w+))?'
            [[event]]
            kind = "request"
            match = 'health-checked (?<http_status>\\d+)'
            """)
        let dir = TempDir()
        let path = dir.write("my.log", """
            [2025-01-10T14:22:37.000+08:00] INFO begin req=a1 text=你好
            [2025-01-10T14:22:37.100+08:00] INFO begin req=b2 text=再见
            [2025-01-10T14:22:37.500+08:00] INFO req=a1 acoustic took 0.25s
            [2025-01-10T14:22:37.600+08:00] INFO req=a1 vocoder took 0.125s
            [2025-01-10T14:22:37.700+08:00] INFO req=a1 audio 2.0s
            [2025-01-10T14:22:38.000+08:00] INFO done req=a1
            [2025-01-10T14:22:38.100+08:00] INFO done req=b2 status=failed code=OOM
            [2025-01-10T14:22:39.000+08:00] WARNING health-checked 503

            """)
        let s = ReportSummary(try ReportRunner.run(ReportOptions(inputs: [LogInput(path: path, formats: [format])])))
        #expect(s.total == 3 && s.failed == 2)
        #expect(Set(s.errors.map(\.code)) == ["OOM", "HTTP_503"])
        #expect(s.latency.max == 1000 && s.latency.p50 == 1000, "a1: end − start; b2 failed without… still end − start")
        #expect(s.stages.map(\.stage) == ["acoustic", "vocoder"] && s.stages.last?.p50 == 125)
        #expect(s.rtf?.p50 == 0.5 && s.audioSeconds == 2)
        #expect(s.first == LogTimestamp.zoned("2025-01-10T06:22:37.000Z"), "the offset applied")
    }

    /// User formats are tried first: one that also reads the seed's lines wins over indextts.
    @Test func userFormatsComeFirstAndTheDirectoryIsRead() throws {
        let dir = TempDir()
        let formats = dir.path + "/config/ttsmon/formats"
        try FileManager.default.createDirectory(atPath: formats, withIntermediateDirectories: true)
        try """
            name = "seedish"
            line = '^(?<time>\\S+ \\S+) - (?<message>.*)$'
            [[event]]
            kind = "request"
            match = 'synthesis_complete: id=(?<id>\\w+), status=(?<status>\\w+), duration_ms=(?<duration_ms>\\d+)'
            """.write(toFile: formats + "/seedish.toml", atomically: true, encoding: .utf8)
        let loaded = try UserFormat.loadAll(files: [], environment: ["XDG_CONFIG_HOME": dir.path + "/config"])
        #expect(loaded.map(\.name) == ["seedish"])
        let line = Array("2024-06-12 14:22:37,892 - tts - INFO - synthesis_complete: id=ts_1, status=success, duration_ms=523".utf8)
        #expect(LogFormat.detect(firstLines: [line], user: loaded.map(\.logFormat)).name == "seedish")
        #expect(LogFormat.detect(firstLines: [line]).name == "indextts")
    }

    /// A bad file is an error naming the file, the line and the key.
    @Test(arguments: [
        ("name = \"x\"\nline = '^(?<message>.*)$'\nbad = [1, 2\n", "bad.toml:3: invalid TOML"),
        ("name = \"x\"\nline = '^(?<message>.*'\n", "bad.toml:2: line: invalid regular expression"),
        ("name = \"x\"\nline = '^(?<message>.*)$'\n[[event]]\nkind = \"begin\"\nmatch = 'x'\n", "bad.toml:4: event.kind: unknown kind begin"),
        ("name = \"x\"\nline = '^(?<message>.*)$'\n[[event]]\nkind = \"request\"\nmatch = '(?<latency>\\d+)'\n", "bad.toml:5: event.match: unknown capture latency"),
        ("name = \"x\"\nline = '^(?<time>\\d+) (?<message>.*)$'\nsample = [\"no digits here\"]\n", "bad.toml:3: sample: \"no digits here\" does not match line"),
        ("name = \"x\"\nline = '^(?<message>.*)$'\ncolour = \"red\"\n", "bad.toml:3: colour: unknown key"),
        ("line = '^(?<message>.*)$'\n", "bad.toml: name: missing (required)"),
        ("name = \"x\"\nline = '^(?<message>.*)$'\n[[event]]\nkind = \"end\"\nmatch = 'done'\n", "bad.toml:5: event.match: a end event needs an id capture"),
        ("name = \"x\"\nline = '^(?<time>\\S+) (?<message>.*)$'\ntime_format = \"%Y-%q\"\n", "bad.toml:3: time_format: unknown directive %q"),
        ("name = \"indextts\"\nline = '^(?<message>.*)$'\n", "bad.toml:1: name: indextts is a built-in format's name"),
    ])
    func badFilesAreNamed(text: String, message: String) {
        #expect(throws: FormatFileError.self) { try UserFormat.load(text: text, file: "bad.toml") }
        do { _ = try UserFormat.load(text: text, file: "bad.toml"); Issue.record("loaded") } catch {
            #expect(error.description.hasPrefix(message), "\(error.description)")
        }
    }

    @Test func tomlSubset() throws {
        let doc = try TOMLDocument("""
            # comment
            a = "tab\\there \\u4f60 \\"q\\""   # trailing comment
            b = 'C:\\raw\\d+'
            c = [
              "one",   # inside
              'two',
            ]
            d = '''
            multi 'line'
            '''
            n = 1_000
            f = 0.5
            t = true
            [[event]]
            kind = "start"
            """)
        #expect(doc.root["a"]?.value == .string("tab\there 你 \"q\""))
        #expect(doc.root["b"]?.value == .string(#"C:\raw\d+"#))
        #expect(doc.root["c"]?.value == .array([.string("one"), .string("two")]))
        #expect(doc.root["d"]?.value == .string("multi 'line'\n"))
        #expect(doc.root["n"]?.value == .integer(1000) && doc.root["f"]?.value == .float(0.5) && doc.root["t"]?.value == .bool(true))
        #expect(doc.tables["event"]?.first?.table["kind"]?.line == 15)
        #expect(throws: TOMLDocument.Error.self) { try TOMLDocument("a = \"unterminated\n") }
        #expect(throws: TOMLDocument.Error.self) { try TOMLDocument("a = 1\na = 2\n") }
    }

    @Test func timeFormats() throws {
        func parse(_ format: String, _ text: String) throws -> LogTimestamp? {
            var copy = text
            let f = try TimeFormat(format)
            return copy.withUTF8 { f.parse($0) }
        }
        #expect(try parse("%Y-%m-%d %H:%M:%S,%f", "2025-01-10 14:22:37,892") == LogTimestamp("2025-01-10 14:22:37,892"))
        #expect(try parse("%d/%b/%Y:%H:%M:%S %z", "10/Jan/2025:14:22:37 +0800") == LogTimestamp.zoned("2025-01-10T06:22:37Z"))
        #expect(try parse("%Y%m%d %H%M%S.%f", "20250110 142237.892123456") == LogTimestamp("2025-01-10 14:22:37,892"))
        #expect(try parse("%Y-%m-%d %H:%M", "2025-01-10 14:22:37") == nil, "the whole text must fit")
        #expect(throws: FormatFileError.Reason.self) { try TimeFormat("%H:%M") }
    }
}
