import Foundation
import Testing

/// Issue 16 against the access logs real web servers write (pip: fastapi + uvicorn, gunicorn,
/// flask; `.ci/run` installs them): each serves a small TTS app on loopback, a client sends 20
/// good synthesis requests, 5 that fail with 500 and a few health checks, and `report` and
/// `watch` count 25 requests, 5 failed, 5 server errors — the health checks are probes.
@Suite struct RealServerAccessLogTests {
    static let fastapi = RealWriterTests.pythonHas("fastapi") && RealWriterTests.pythonHas("uvicorn")
    static let gunicorn = RealWriterTests.pythonHas("gunicorn") && RealWriterTests.pythonHas("flask")
    static let flask = RealWriterTests.pythonHas("flask")

    static let fastapiApp = """
        from fastapi import FastAPI, Response
        app = FastAPI()
        @app.get("/health")
        def health(): return {"ok": True}
        @app.post("/tts")
        def tts(): return Response(b"RIFF0000WAVEfmt ", media_type="audio/wav")
        @app.post("/fail")
        def fail(): return Response(status_code=500)
        """

    static let flaskApp = """
        from flask import Flask, Response
        app = Flask(__name__)
        @app.get("/health")
        def health(): return {"ok": True}
        @app.post("/tts")
        def tts(): return Response(b"RIFF0000WAVEfmt ", mimetype="audio/wav")
        @app.post("/fail")
        def fail(): return Response(status=500)
        """

    /// Starts `argv` (with `{port}` filled in) in `dir`, drives the requests, stops it.
    static func serve(_ dir: String, app: String, argv: [String], log: String, logIsOutput: Bool) throws {
        try app.write(toFile: dir + "/app.py", atomically: true, encoding: .utf8)
        let command = String(decoding: try JSONSerialization.data(withJSONObject: argv), as: UTF8.self)
        try RealWriterTests.write("""
            import json, signal, socket, subprocess, sys, time, urllib.error, urllib.request
            # The test runner blocks signals its children inherit: the server must die on SIGTERM.
            signal.pthread_sigmask(signal.SIG_SETMASK, [])
            for sig in (signal.SIGTERM, signal.SIGINT): signal.signal(sig, signal.SIG_DFL)
            s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
            out = open("\(log)", "a") if \(logIsOutput ? "True" : "False") else subprocess.DEVNULL
            argv = [a.replace("{port}", str(port)) for a in json.loads(r'''\(command)''')]
            proc = subprocess.Popen(argv, cwd="\(dir)", stdout=out, stderr=out)
            base = f"http://127.0.0.1:{port}"
            try:
                for _ in range(200):
                    try:
                        urllib.request.urlopen(base + "/health", timeout=1); break
                    except Exception:
                        time.sleep(0.05)
                def post(path):
                    req = urllib.request.Request(base + path, data=json.dumps({"text": "你好"}).encode(), method="POST",
                                                 headers={"Content-Type": "application/json"})
                    try: urllib.request.urlopen(req, timeout=5).read()
                    except urllib.error.HTTPError: pass
                for i in range(20): post("/tts")
                for i in range(5): post("/fail")
                for i in range(2): urllib.request.urlopen(base + "/health", timeout=5).read()
                time.sleep(0.3)
            finally:
                proc.terminate()
                try: proc.wait(10)
                except subprocess.TimeoutExpired: proc.kill(); proc.wait()
            """)
    }

    func check(_ path: String) throws {
        let (rc, out, err) = try TTSMonBinary.run(["report", "--format", "json", path])
        #expect(rc == 0)
        let json = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]
        let requests = json?["requests"] as? [String: Any]
        #expect(requests?["total"] as? Int == 25 && requests?["failed"] as? Int == 5, "\(out)")
        #expect(requests?["server_errors"] as? Int == 5)
        #expect((json?["errors"] as? [[String: Any]])?.first?["code"] as? String == "HTTP_500")
        #expect(!err.contains("warning"), "\(err)")
        let (_, watch, _) = try TTSMonBinary.run(["watch", "--log", path, "--duration", "1"])
        #expect(watch.split(separator: "\n").last?.contains("\"total\": 25") == true, "watch agrees: \(watch)")
    }

    @Test(.enabled(if: fastapi, "fastapi/uvicorn are not installed (pip install fastapi uvicorn; .ci/run does)"))
    func uvicornDefaultAccessLog() async throws { try await offThePool {
        let dir = ScratchDir()
        let log = dir.path + "/uvicorn.log"
        try Self.serve(dir.path, app: Self.fastapiApp, argv: ["python3", "-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", "{port}"],
                       log: log, logIsOutput: true)
        try check(log)
    } }

    @Test(.enabled(if: gunicorn, "gunicorn/flask are not installed (pip install gunicorn flask; .ci/run does)"))
    func gunicornCombinedWithMicroseconds() async throws { try await offThePool {
        let dir = ScratchDir()
        let log = dir.path + "/gunicorn-access.log"
        let format = #"%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)s"#
        try Self.serve(dir.path, app: Self.flaskApp,
                       argv: ["python3", "-m", "gunicorn", "-b", "127.0.0.1:{port}", "--access-logfile", log, "--access-logformat", format, "app:app"],
                       log: log, logIsOutput: false)
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.contains("\"POST /tts HTTP/1.1\" 200"), "\(text)")
        try check(log)
        let (_, out, _) = try TTSMonBinary.run(["report", "--format", "json", log])
        #expect(out.contains("\"p50\": ") && !out.contains("\"p50\": null"), "gunicorn's %(D)s gives latency")
    } }

    @Test(.enabled(if: flask, "flask is not installed (pip install flask; .ci/run does)"))
    func werkzeugDevelopmentServer() async throws { try await offThePool {
        let dir = ScratchDir()
        let log = dir.path + "/flask.log"
        try Self.serve(dir.path, app: Self.flaskApp, argv: ["python3", "-m", "flask", "--app", "app", "run", "--port", "{port}"],
                       log: log, logIsOutput: true)
        try check(log)
    } }
}

/// `--format-file` as a user gives it: a good file reads, a bad one is named (exit 2).
@Suite struct FormatFileCLITests {
    @Test func aBadFormatFileIsNamedAndExits2() async throws { try await offThePool {
        let dir = ScratchDir()
        let bad = dir.path + "/bad.toml"
        try "name = \"x\"\nline = '^(?<message>.*)$'\n[[event]]\nkind = \"request\"\nmatch = '(?<latency>\\d+)'\n"
            .write(toFile: bad, atomically: true, encoding: .utf8)
        let log = dir.path + "/x.log"
        try "hello\n".write(toFile: log, atomically: true, encoding: .utf8)
        let ff = ["--format-file", bad]
        for command in [["report"] + ff + [log], ["trace", "ts_1"] + ff + [log], ["formats", "test"] + ff + [log], ["formats"] + ff,
                        ["watch", "--duration", "1", "--log", log] + ff, ["export", "--duration", "1", "--log", log] + ff,
                        ["replay", log] + ff, ["dashboard", "--log", log] + ff] {
            let (rc, _, err) = try TTSMonBinary.run(command)
            #expect(rc == 2, "\(command)")
            #expect(err.contains("\(bad):5: event.match: unknown capture latency"), "\(command): \(err)")
        }
    } }

    @Test func theFormatsDirectoryIsReadAndListed() async throws { try await offThePool {
        let dir = ScratchDir()
        let formats = dir.path + "/ttsmon/formats"
        try FileManager.default.createDirectory(atPath: formats, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: ReadmeCommandsTests.packageRoot + "/examples/formats/cosyvoice.toml", toPath: formats + "/cosyvoice.toml")
        let (rc, out, _) = try TTSMonBinary.run(["formats"], environment: ["XDG_CONFIG_HOME": dir.path])
        #expect(rc == 0 && out.hasPrefix("cosyvoice (user)"), "\(out)")
        let (_, json, _) = try TTSMonBinary.run(["report", "--format", "json", ReadmeCommandsTests.packageRoot + "/examples/cosyvoice-sample.txt"],
                                                environment: ["XDG_CONFIG_HOME": dir.path])
        #expect(json.contains("\"format\": \"cosyvoice\"") && json.contains("\"total\": 3"), "\(json)")
    } }
}
