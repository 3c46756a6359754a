import Foundation
import Testing
@testable import TTSMonCore

/// The follower's state machine, fed with file-system facts, for every rotation case.
@Suite struct FollowStateTests {
    let a = FileIdentity(device: 1, inode: 100)
    let b = FileIdentity(device: 1, inode: 200)

    @Test func readsHistoryThenAppends() {
        var s = FollowState(path: "app.log")
        #expect(s.observe(path: .present(a, size: 50), openFileSize: nil) == [.open(a, from: 0), .read(from: 0, upTo: 50)])
        #expect(s.observe(path: .present(a, size: 50), openFileSize: 50) == [])
        #expect(s.observe(path: .present(a, size: 80), openFileSize: 80) == [.read(from: 50, upTo: 80)])
        #expect(s.rotations == 0)
    }

    @Test func fromEndSkipsHistory() {
        var s = FollowState(path: "app.log", startAtEnd: true)
        #expect(s.observe(path: .present(a, size: 50), openFileSize: nil) == [.open(a, from: 50)])
        #expect(s.offset == 50)
    }

    @Test func renameAndCreateFinishesTheOldFileFirst() {
        var s = FollowState(path: "app.log")
        _ = s.observe(path: .present(a, size: 50), openFileSize: nil)
        // The old file grew to 70 before the rename; the path now names a new file of 10 bytes.
        #expect(s.observe(path: .present(b, size: 10), openFileSize: 70)
                == [.read(from: 50, upTo: 70), .close, .open(b, from: 0), .read(from: 0, upTo: 10)])
        #expect(s.current == b)
        #expect(s.rotations == 1)
    }

    @Test func copyTruncateStartsAgainFromZero() {
        var s = FollowState(path: "app.log")
        _ = s.observe(path: .present(a, size: 50), openFileSize: nil)
        let actions = s.observe(path: .present(a, size: 12), openFileSize: 12)
        #expect(actions.first == .restartFromZero)
        #expect(actions.contains(.read(from: 0, upTo: 12)))
        #expect(s.offset == 12)
        #expect(s.rotations == 1)
    }

    @Test func deleteThenRecreate() {
        var s = FollowState(path: "app.log")
        _ = s.observe(path: .present(a, size: 50), openFileSize: nil)
        let gone = s.observe(path: .missing, openFileSize: 50)
        #expect(gone.count == 1)
        guard case .note = gone[0] else { Issue.record("expected a note"); return }
        #expect(s.observe(path: .missing, openFileSize: 50) == [], "said once")
        #expect(s.observe(path: .present(b, size: 5), openFileSize: 50) == [.close, .open(b, from: 0), .read(from: 0, upTo: 5)])
    }

    @Test func waitsForAMissingFileAndSaysSoOnce() {
        var s = FollowState(path: "later.log")
        #expect(s.observe(path: .missing, openFileSize: nil) == [.note("waiting for later.log to appear")])
        #expect(s.observe(path: .missing, openFileSize: nil) == [])
        #expect(s.observe(path: .present(a, size: 3), openFileSize: nil) == [.open(a, from: 0), .read(from: 0, upTo: 3)])
        #expect(s.problem == nil)
    }

    @Test func unreadableIsReportedAndRetried() {
        var s = FollowState(path: "x.log")
        #expect(s.observe(path: .unreadable("Permission denied"), openFileSize: nil) == [.note("x.log: Permission denied")])
        #expect(s.observe(path: .unreadable("Permission denied"), openFileSize: nil) == [])
        #expect(s.observe(path: .present(a, size: 1), openFileSize: nil).first == .open(a, from: 0))
    }

    @Test func inodeReuseLooksLikeTruncation() {
        var s = FollowState(path: "app.log")
        _ = s.observe(path: .present(a, size: 50), openFileSize: nil)
        // Deleted and re-created with the same inode number, smaller: read it from 0.
        #expect(s.observe(path: .present(a, size: 20), openFileSize: 20).first == .restartFromZero)
    }
}

/// The real follower on real files.
@Suite struct FileFollowerTests {
    func lines(_ f: FileFollower) -> [String] {
        var out: [String] = []
        f.poll { line in
            if case .text(let bytes, _, _) = line { out.append(String(decoding: bytes, as: UTF8.self)) } else { out.append("<overlong>") }
        }
        return out
    }

    func append(_ path: String, _ text: String) {
        let h = FileHandle(forWritingAtPath: path)!
        h.seekToEndOfFile()
        h.write(Data(text.utf8))
        try? h.close()
    }

    @Test func followsThroughEveryRotation() throws {
        let dir = TempDir()
        let path = dir.path + "/app.log"
        let f = FileFollower(path: path)
        #expect(lines(f) == [])
        #expect(f.notes.first?.contains("waiting") == true)
        dir.write("app.log", "one\ntwo\nthr")
        #expect(lines(f) == ["one", "two"])
        append(path, "ee\nfour\n")
        #expect(lines(f) == ["three", "four"])
        // rename + create, with a last line appended to the old file just before the rename
        append(path, "five\n")
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        dir.write("app.log", "six\n")
        #expect(lines(f) == ["five", "six"])
        #expect(f.rotations == 1)
        // copytruncate
        append(path, "seven\n")
        #expect(lines(f) == ["seven"])
        try FileManager.default.copyItem(atPath: path, toPath: path + ".2")
        truncate(path, 0)
        append(path, "eight\n")
        #expect(lines(f) == ["eight"])
        #expect(f.rotations == 2)
        // delete, then re-create later
        try FileManager.default.removeItem(atPath: path)
        #expect(lines(f) == [])
        dir.write("app.log", "nine\n")
        #expect(lines(f) == ["nine"])
        #expect(f.rotations == 3)
    }

    @Test func directoryIsUnreadableAndOverlongLinesAreSkipped() throws {
        let dir = TempDir()
        try FileManager.default.createDirectory(atPath: dir.path + "/d.log", withIntermediateDirectories: true)
        let d = FileFollower(path: dir.path + "/d.log")
        #expect(lines(d) == [])
        #expect(d.problem?.contains("directory") == true)
        let path = dir.write("big.log", "a\n" + String(repeating: "x", count: 3000) + "\nb\n")
        let f = FileFollower(path: path, maxLineLength: 1000)
        #expect(lines(f) == ["a", "<overlong>", "b"])
    }

    @Test func aByteBudgetSpreadsAHistoryOverPollsAndKeepsRotationOrder() throws {
        let dir = TempDir()
        let lines = (0..<2000).map { "line \($0) " + String(repeating: "x", count: $0 % 50) }
        let path = dir.write("app.log", lines.joined(separator: "\n") + "\n")
        let f = FileFollower(path: path)
        var got: [String] = []
        var polls = 0
        func take(_ line: LineReader.Line) { if case .text(let b, _, _) = line { got.append(String(decoding: b, as: UTF8.self)) } }
        f.poll(budget: 4096, take)
        #expect(got.count > 0 && got.count < lines.count, "the first poll reads only part")
        while f.hasBacklog, polls < 1000 { f.poll(budget: 4096, take); polls += 1 }
        #expect(got == lines)
        // A rotation while a backlog is pending: the old file is finished before the new one.
        let h = FileHandle(forWritingAtPath: path)!
        h.seekToEndOfFile(); h.write(Data((lines.joined(separator: "\n") + "\n").utf8)); try h.close()
        f.poll(budget: 4096, take)
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        dir.write("app.log", "after rotation\n")
        polls = 0
        while polls < 2000 { f.poll(budget: 4096, take); polls += 1; if got.last == "after rotation" { break } }
        #expect(got.count == 2 * lines.count + 1)
        #expect(got.last == "after rotation")
    }
}
