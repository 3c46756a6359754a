import Foundation
import Testing
import TTSMonCore

/// Issue 21: Chinese text over ssh with `LANG=C`: the dashboard switches to a UTF-8 locale the
/// system has instead of drawing `????`; `TERM=vt100` and `--ascii` keep the ASCII screen;
/// headless output is UTF-8 whatever the locale.
@Suite(.serialized) struct LocaleTests {
    static let utf8LocaleExists: Bool = {
        // newlocale asks without changing this process's own locale.
        ["C.UTF-8", "C.utf8", "en_US.UTF-8", "en_US.utf8"].contains { name in
            guard let locale = newlocale(LC_CTYPE_MASK, name, nil) else { return false }
            freelocale(locale)
            return true
        }
    }()

    /// A log with one request whose text is Chinese, and that request.
    static func chineseLog(_ dir: ScratchDir) throws -> (path: String, request: GeneratedTruth.Request) {
        var options = GeneratorOptions(outputDirectory: dir.path, requests: 400)
        options.hostile = false
        let truth = try LogGenerator.generate(options)
        let request = try #require(truth.requests.first { r in
            r.status == "success" && (r.text?.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) } ?? false)
                && (r.text?.unicodeScalars.count ?? 0) < 20
        })
        return (dir.path + "/app.log", request)
    }

    /// The start of a text, up to its first character that is not CJK.
    static func chinesePrefix(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix { (0x4E00...0x9FFF).contains($0.value) || (0x3000...0x303F).contains($0.value) || (0xFF00...0xFFEF).contains($0.value) }))
    }

    @Test(.enabled(if: Tmux.available && utf8LocaleExists, "needs tmux and a UTF-8 locale"))
    func chineseTextSurvivesLANGC() async throws { try await offThePool {
        let dir = ScratchDir()
        let (log, request) = try Self.chineseLog(dir)
        let chinese = Self.chinesePrefix(request.text!)
        #expect(chinese.unicodeScalars.count >= 2)
        let tmux = Tmux()
        defer { tmux.kill() }
        tmux.start("env -u LC_ALL -u LC_CTYPE -u LC_MESSAGES LANG=C TERM=xterm-256color \(TTSMonBinary.url.path) dashboard --log \(log); echo EXIT=$?; sleep 30")
        var screen = tmux.waitFor(30) { $0.contains("QPS") }
        #expect(screen.contains("┌"), "box drawing under LANG=C")
        // The request view: `/` then the id.
        tmux.keys("/")
        tmux.literal(request.id)
        tmux.keys("Enter")
        screen = tmux.waitFor(30) { $0.contains(chinese) }
        #expect(screen.contains(chinese), "request view shows the Chinese text")
        #expect(!screen.contains("????"))
        // The log view shows raw lines with Chinese text intact (searched for, so the line is
        // on screen whatever the newest lines hold).
        tmux.keys("Escape")
        tmux.keys("l")
        _ = tmux.waitFor(30) { $0.contains("Log — all lines") }
        tmux.keys("/")
        tmux.literal(chinese)
        tmux.keys("Enter")
        screen = tmux.waitFor(30) { $0.contains("Log — all lines") && $0.contains("text=\"" + chinese) }
        #expect(screen.contains("text=\"" + chinese), "log view shows the Chinese text")
        #expect(!screen.contains("????"))
        // `?` says which locale draws.
        tmux.keys("Escape")
        tmux.keys("?")
        screen = tmux.waitFor(30) { $0.contains("locale") }
        #expect(screen.contains("UTF-8") || screen.contains("utf8"), "help names the UTF-8 locale")
        tmux.keys("Escape")
        #expect(tmux.quit().contains("EXIT=0"))
    } }

    /// The issue's own check: the demo under `LANG=C` shows its Chinese texts intact in the
    /// request list, the request view and the log view.
    @Test(.enabled(if: Tmux.available && utf8LocaleExists, "needs tmux and a UTF-8 locale"))
    func theDemoUnderLANGCShowsChinese() async throws { try await offThePool {
        let tmux = Tmux()
        defer { tmux.kill() }
        tmux.start("env -u LC_ALL -u LC_CTYPE -u LC_MESSAGES LANG=C TERM=xterm-256color \(TTSMonBinary.url.path) demo; echo EXIT=$?; sleep 30")
        _ = tmux.waitFor(20) { $0.contains("QPS") && !$0.contains("QPS 0.0") }
        Thread.sleep(forTimeInterval: 3)   // a few requests of each text
        tmux.keys("/")
        tmux.literal("天气")
        var screen = tmux.waitFor(5) { $0.contains("text: 天气") }
        #expect(screen.contains("text: 天气"), "typed: \(screen.split(separator: "\n").last ?? "")")
        tmux.keys("Enter")
        screen = tmux.waitFor(30) { $0.contains("今天天气真好") }
        #expect(screen.contains("今天天气真好"), "the request list shows the text")
        tmux.keys("Enter")
        screen = tmux.waitFor(30) { $0.contains("Request ") && $0.contains("今天天气真好") }
        #expect(screen.contains("今天天气真好"), "the request view shows the text")
        #expect(!screen.contains("??"))
        tmux.keys("Escape")
        tmux.keys("Escape")
        tmux.keys("l")
        screen = tmux.waitFor(30) { $0.contains("Log") && $0.contains("text=\"") && ($0.contains("今天天气真好") || $0.contains("欢迎使用")) }
        #expect(screen.contains("今天天气真好") || screen.contains("欢迎使用"), "the log view shows Chinese")
        tmux.keys("Escape")
        #expect(tmux.quit().contains("EXIT=0"))
    } }

    @Test(.enabled(if: Tmux.available, "needs tmux"))
    func vt100AndASCIIKeepTheASCIIScreen() async throws { try await offThePool {
        let dir = ScratchDir()
        let (log, _) = try Self.chineseLog(dir)
        for (env, flag) in [("LANG=C TERM=vt100", ""), ("LANG=C.UTF-8 TERM=xterm-256color", "--ascii")] {
            let tmux = Tmux()
            defer { tmux.kill() }
            tmux.start("env -u LC_ALL -u LC_CTYPE \(env) \(TTSMonBinary.url.path) dashboard \(flag) --log \(log); echo EXIT=$?; sleep 30")
            let screen = tmux.waitFor(20) { $0.contains("QPS") }
            #expect(screen.contains("+-"), "\(env) \(flag): ASCII borders")
            #expect(!screen.unicodeScalars.contains { $0.value > 0x7E }, "\(env) \(flag): ASCII only")
            #expect(tmux.quit().contains("EXIT=0"))
        }
    } }

    @Test func headlessOutputIsUTF8WhateverTheLocale() async throws { try await offThePool {
        let dir = ScratchDir()
        let (log, request) = try Self.chineseLog(dir)
        let process = Process()
        process.executableURL = TTSMonBinary.url
        process.arguments = ["trace", request.id, log]
        process.environment = ["LANG": "C", "PATH": "/usr/bin:/bin"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(String(decoding: data, as: UTF8.self).contains(Self.chinesePrefix(request.text!)))
    } }
}
