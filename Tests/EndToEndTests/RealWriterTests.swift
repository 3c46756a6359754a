import Foundation
import Testing
import TTSMonCore

/// Issue 16 against logs written by the real libraries (pip: loguru, structlog; `.ci/run`
/// installs them): loguru's default layout, `logging.basicConfig`'s and structlog's JSON are
/// read; a layout ttsmon does not read (a Go service's klog) is named — with `ttsmon formats test` —
/// instead of an empty report and no reason.
@Suite struct RealWriterTests {
    static func pythonHas(_ module: String) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import \(module)"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }
    static let loguru = pythonHas("loguru")
    static let structlog = pythonHas("structlog")

    /// Runs a Python script that writes `path`.
    static func write(_ script: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
    }

    static let events = """
        for i in range(30):
            log(f"synthesis_start: id=ts_{i:08x}, text=\\"你好\\", lang=zh, voice=alloy")
            log(f"synthesis_complete: id=ts_{i:08x}, status=success, duration_ms={500 + i}")
        """

    /// The file reads: every request counted, no warning, in report and watch alike.
    func checkRead(_ path: String) throws {
        let (rc, out, err) = try TTSMonBinary.run(["report", "--format", "json", path])
        #expect(rc == 0)
        #expect(out.contains("\"total\": 30"), "report counts the 30 requests")
        #expect(!err.contains("warning"), "\(err)")
        let (_, watch, watchErr) = try TTSMonBinary.run(["watch", "--log", path, "--duration", "1"])
        #expect(watch.split(separator: "\n").last?.contains("\"total\": 30") == true, "watch agrees")
        #expect(!watchErr.contains("warning"), "\(watchErr)")
    }

    /// The file is not read, and both report and watch say so.
    func checkNamed(_ path: String) throws {
        let (rc, _, err) = try TTSMonBinary.run(["report", path])
        #expect(rc == 0)
        #expect(err.contains("warning: \(path): only") && err.contains("ttsmon formats test \(path)"), "report says so: \(err)")
        let (testRC, text, _) = try TTSMonBinary.run(["formats", "test", "--lines", "3", path])
        #expect(testRC == 0)
        #expect(text.contains("not understood"), "\(text)")
        let (watchRC, _, watchErr) = try TTSMonBinary.run(["watch", "--log", path, "--duration", "1"])
        #expect(watchRC == 0)
        #expect(watchErr.contains("warning: \(path): only"), "watch says so: \(watchErr)")
    }

    @Test(.enabled(if: loguru, "loguru is not installed (pip install loguru; .ci/run does)"))
    func loguruDefaultFormat() async throws { try await offThePool {
        let dir = ScratchDir()
        let path = dir.path + "/loguru.log"
        try Self.write("""
            from loguru import logger
            logger.remove()
            logger.add("\(path)")
            log = logger.info
            \(Self.events)
            """)
        try checkRead(path)
    } }

    /// CosyVoice's basicConfig, the named variant, logging's own default (no time), bracketed.
    @Test(arguments: ["%(asctime)s %(levelname)s %(message)s", "%(asctime)s - %(levelname)s - %(name)s: %(message)s",
                      "%(levelname)s:%(name)s:%(message)s", "[%(asctime)s] [%(levelname)s] [%(name)s] %(message)s"])
    func basicConfigLayouts(format: String) throws {
        let dir = ScratchDir()
        let path = dir.path + "/basic.log"
        try Self.write("""
            import logging
            logging.basicConfig(filename="\(path)", format="\(format)", level=logging.INFO)
            log = logging.getLogger("tts").info
            \(Self.events)
            """)
        try checkRead(path)
    }

    /// loguru's `serialize=True` (the record nested under `record`, its time with an offset).
    @Test(.enabled(if: loguru, "loguru is not installed (pip install loguru; .ci/run does)"))
    func loguruSerialized() async throws { try await offThePool {
        let dir = ScratchDir()
        let path = dir.path + "/loguru.json"
        try Self.write("""
            from loguru import logger
            logger.remove()
            logger.add("\(path)", serialize=True)
            log = logger.info
            \(Self.events)
            """)
        try checkRead(path)
    } }

    @Test(.enabled(if: structlog, "structlog is not installed (pip install structlog; .ci/run does)"))
    func structlogJSONRenderer() async throws { try await offThePool {
        let dir = ScratchDir()
        let path = dir.path + "/structlog.log"
        try Self.write("""
            import structlog
            out = open("\(path)", "w")
            structlog.configure(processors=[structlog.processors.add_log_level, structlog.processors.TimeStamper(fmt="iso"),
                                            structlog.processors.JSONRenderer()],
                                logger_factory=structlog.WriteLoggerFactory(file=out))
            log = structlog.get_logger().info
            \(Self.events)
            out.close()
            """)
        try checkRead(path)
    } }

    @Test func aLayoutNotReadIsNamed() async throws { try await offThePool {
        let dir = ScratchDir()
        let path = dir.path + "/klog.log"
        try (0..<50).map { "I0612 14:22:\(10 + $0 % 40).123456   12345 server.go:123] handled POST /tts in 523ms" }
            .joined(separator: "\n").appending("\n").write(toFile: path, atomically: true, encoding: .utf8)
        try checkNamed(path)
    } }
}
