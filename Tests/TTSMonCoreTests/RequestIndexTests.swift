import Foundation
import Testing
@testable import TTSMonCore
import CInflate
import CTextScan

/// The request index: `trace` answers the same with it as without, on every layout, rotated
/// or not, in any order; a damaged, foreign or stale index is rebuilt, never believed.
@Suite struct RequestIndexTests {
    /// The trace as JSON ("nil" when not found): what a user sees, compared byte for byte.
    static func answer(_ id: String, _ paths: [String], _ store: RequestIndexStore?) -> String {
        let result = try? RequestTracer.trace(id: id, inputs: paths.map(LogInput.init(path:)), index: store)
        return result?.trace?.json.serialized() ?? "nil"
    }

    /// Every word of id bytes in the files (each a candidate id), sampled down to `limit`.
    static func words(in paths: [String], limit: Int) -> [String] {
        var seen = Set<String>()
        for path in paths {
            guard let log = try? LogOpener.open(LogInput(path: path)) else { continue }
            log.lines().forEachBlock { block, _ in
                var i = 0
                while i < block.count {
                    while i < block.count, !isRequestIDByte(block[i]) { i += 1 }
                    let s = i
                    while i < block.count, isRequestIDByte(block[i]) { i += 1 }
                    if i > s { seen.insert(block.slice(s, i).string) }
                }
            }
        }
        let all = seen.sorted()
        let step = max(1, all.count / limit)
        return stride(from: 0, to: all.count, by: step).map { all[$0] }
    }

    /// Each id's answer without the index, with it while it is built, and through it.
    static func expectSameAnswers(_ paths: [String], ids: [String], store: RequestIndexStore,
                                  sourceLocation: SourceLocation = #_sourceLocation) {
        for id in ids {
            let plain = answer(id, paths, nil)
            let building = answer(id, paths, store)
            let indexed = answer(id, paths, store)
            #expect(building == plain, "\(id) while indexing", sourceLocation: sourceLocation)
            #expect(indexed == plain, "\(id) through the index", sourceLocation: sourceLocation)
        }
    }

    @Test func generatedRotatedLogsAnswerTheSame() throws {
        for format in GeneratedFormat.allCases {
            let g = try GeneratedLogTests.generate(1500, rotate: 3, format: format, seed: 5)
            let store = RequestIndexStore(directory: g.dir.path + "/cache")
            let ids = g.truth.requests.filter { $0.status == "failed" }.prefix(6).map(\.id)
                + g.truth.requests.map(\.id).enumerated().filter { $0.offset % 150 == 0 }.map(\.element)
                + ["ts_nothere0", "main", "standby"]
            // Any order of the files, and once more with the index made from the first order.
            Self.expectSameAnswers(g.paths, ids: ids, store: store)
            Self.expectSameAnswers(g.paths.reversed(), ids: Array(ids.prefix(5)), store: store)
            let indexes = try FileManager.default.contentsOfDirectory(atPath: store.directory).filter { $0.hasSuffix(".idx") }
            #expect(indexes.count == g.paths.count, "\(format): one index per file")
        }
    }

    /// Real layouts (see RealFormatsTests for where each comes from): every word of every file
    /// traced with and without the index.
    @Test func everyLayoutAnswersTheSame() throws {
        let dir = TempDir()
        let store = RequestIndexStore(directory: dir.path + "/cache")
        let docker = #"{"log":"2024-06-12 14:22:38,100 - tts - ERROR - synthesis_complete: id=ts_9, sta","stream":"stdout","time":"2025-09-14T03:00:01.1Z"}"#
            + "\n" + #"{"log":"tus=failed, duration_ms=208, error_code=OOM\n","stream":"stdout","time":"2025-09-14T03:00:01.2Z"}"#
            + "\n" + #"{"log":"Traceback (most recent call last):\n","stream":"stdout","time":"2025-09-14T03:00:01.3Z"}"# + "\n"
        let files = [
            dir.write("loguru.log", """
                2024-06-12 14:22:37.892 | INFO     | app:synth:120 - synthesis_start: id=ts_1, text="你好", voice=echo
                2024-06-12 14:22:37.990 | INFO     | app:synth:121 - stage_time: stage=llm_inference, id=ts_1, duration_ms=98
                2024-06-12 14:22:38.002 | ERROR    | app:synth:130 - synthesis_complete: id=ts_1, status=failed, duration_ms=110, error_code=OOM
                Traceback (most recent call last):
                > File "app.py", line 3, in synth
                torch.OutOfMemoryError: CUDA out of memory (request ts_2 waits)
                2024-06-12 14:22:38.100 | INFO     | app:synth:120 - synthesis_start: id=ts_2, text="hi"
                2024-06-12 14:22:38.300 | INFO     | app:synth:130 - synthesis_complete: id=ts_2, status=success, duration_ms=200

                """),
            dir.write("structlog.json", """
                {"event": "synthesis_start", "id": "ts_3", "text": "hi", "level": "info", "timestamp": "2024-06-12T14:22:37.000Z"}
                {"event": "synthesis_complete", "request_id": "ts_3", "status": "failed", "duration_ms": 12, "error_code": "OOM", "level": "error", "timestamp": "2024-06-12T14:22:37.012Z", "exception": "Traceback\\nValueError: ts_4"}
                {"event": "cache_usage", "used_percent": 91.5, "timestamp": "2024-06-12T14:22:38.000Z"}

                """),
            dir.write("container-json.log", docker),
            dir.write("cri.log", """
                2025-09-14T03:00:01.326168105Z stdout F INFO:     127.0.0.1:53422 - "POST /tts HTTP/1.1" 200 OK
                2025-09-14T03:00:02.326168105Z stdout P INFO:     127.0.0.1:53423 - "POST /tts
                2025-09-14T03:00:02.326168106Z stdout F  HTTP/1.1" 500 Internal Server Error

                """),
            dir.write("router.log", """
                2024-06-12 14:22:37,000 - ttsmon.router - INFO - routed: id=rt_1, X-Request-ID=ts_5, backend=main, status=200
                2024-06-12 14:22:38,000 - ttsmon.router - WARNING - main instance failed, switching to standby
                2024-06-12 14:22:39,000 - ttsmon.router - INFO - routed: X-Request-ID=ts_6, backend=standby, status=502

                """),
            dir.write("chattts.log", """
                2024-06-12 14:22:37,000 | tr_1 | 0 | 120ms | 12 | 0 |
                2024-06-12 14:22:38,000 | tr_2 | E102 | 3000ms | 40 | 1 | Traceback: TimeoutError tr_1

                """),
            dir.write("indextts2.log", RealFormatsTests.indexTTS2),
        ]
        for file in files {
            Self.expectSameAnswers([file], ids: Self.words(in: [file], limit: 200), store: store)
        }
        Self.expectSameAnswers(files, ids: ["ts_1", "ts_2", "ts_5", "tr_1", "main", "indextts2-1"], store: store)
    }

    /// A gzip file's access points: inflating from each gives the same text as from the start.
    @Test(.enabled(if: GzipSource.usesFastInflate, "libisal2 is not installed"))
    func accessPointsResumeInflating() throws {
        let dir = TempDir()
        var text = [UInt8]()
        var k = 0
        while text.count < 9 << 20 {
            text += Array("2024-06-12 08:00:00,000 - app - INFO - stage_time: stage=s\(k % 7), id=ts_\(k), duration_ms=\(k % 997)\n".utf8)
            k += 1
        }
        let path = dir.write("big.log.1.gz", bytes: Gzip.compress(text))
        let log = try LogOpener.open(LogInput(path: path))
        let recorder = AccessPointRecorder(span: 1 << 20)
        log.gzip?.recorder = recorder
        var total = 0
        log.lines().forEachBlock { block, _ in total += block.count + 1 }
        #expect(recorder.points.count >= 7)
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        let size = Int64(try FileManager.default.attributesOfItem(atPath: path)[.size] as! NSNumber)
        for point in recorder.points {
            let source = try #require(GzipSource.resuming(at: point, stateSize: RequestIndexStore.stateSize, fd: fd, fileSize: size))
            var got = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while got.count < 200_000 {
                let n = buffer.withUnsafeMutableBytes { source.read(into: $0) }
                if n == 0 { break }
                got += buffer[0..<n]
            }
            let at = Int(point.textOffset)
            #expect(Array(got.prefix(200_000)) == Array(text[at..<min(text.count, at + 200_000)]))
            var wrong = point
            wrong.check ^= 1
            #expect(GzipSource.resuming(at: wrong, stateSize: RequestIndexStore.stateSize, fd: fd, fileSize: size) == nil)
        }
    }

    /// Flipped bytes, a truncated file, an index moved to another file's name, a file changed
    /// under its index: each answer stays right, and a good index is written again.
    @Test func damagedForeignAndStaleIndexesAreRebuilt() throws {
        let g = try GeneratedLogTests.generate(1200, rotate: 2, seed: 9)
        let store = RequestIndexStore(directory: g.dir.path + "/cache")
        let ids = g.truth.requests.map(\.id).enumerated().filter { $0.offset % 100 == 0 }.map(\.element)
        let expected = ids.map { Self.answer($0, g.paths, nil) }
        #expect(ids.map { Self.answer($0, g.paths, store) } == expected)
        func indexFiles() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: store.directory).filter { $0.hasSuffix(".idx") }.sorted().map { store.directory + "/" + $0 }
        }
        let files = try indexFiles()
        #expect(files.count == 3)
        let originals = try files.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        let damages: [(String, (Data, Int) -> Data)] = [
            ("flipped", { d, i in var c = d; for k in stride(from: 100 + i, to: c.count - 8, by: max(1, c.count / 9)) { c[k] ^= 0x41 }; return c }),
            ("truncated", { d, _ in d.prefix(d.count / 2) }),
            ("empty", { _, _ in Data() }),
            ("swapped", { _, i in originals[(i + 1) % originals.count] }),
            ("zeroed entries", { d, _ in var c = d; for k in 120..<min(c.count, 4000) { c[k] = 0 }; return c }),
        ]
        for (name, damage) in damages {
            for (i, file) in files.enumerated() { try damage(originals[i], i).write(to: URL(fileURLWithPath: file)) }
            #expect(ids.map { Self.answer($0, g.paths, store) } == expected, "\(name)")
            // Rebuilt by that search: the index files are whole again and answer alike.
            let rebuilt = try indexFiles().map { RequestIndex(decoding: Array(try Data(contentsOf: URL(fileURLWithPath: $0)))) }
            #expect(rebuilt.allSatisfy { $0 != nil }, "\(name): rebuilt")
            #expect(ids.map { Self.answer($0, g.paths, store) } == expected, "\(name), rebuilt")
        }
    }

    /// The live file grows: the new lines are found and the index extended; truncated and
    /// written again (copytruncate), its index is not believed.
    @Test func liveFileGrowsAndIsTruncated() throws {
        let dir = TempDir()
        let store = RequestIndexStore(directory: dir.path + "/cache")
        let path = dir.path + "/app.log"
        func line(_ id: String, _ ms: Int) -> String {
            "2024-06-12 08:00:00,\(String(format: "%03d", ms % 1000)) - app - INFO - synthesis_complete: id=\(id), status=success, duration_ms=\(ms)\n"
        }
        try (0..<3000).map { line("ts_a\($0)", $0) }.joined().write(toFile: path, atomically: false, encoding: .utf8)
        #expect(Self.answer("ts_a10", [path], store) != "nil")
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data((0..<50).map { line("ts_b\($0)", $0) }.joined().utf8))
        try handle.close()
        for id in ["ts_b7", "ts_a10", "ts_a2999", "ts_b49"] { #expect(Self.answer(id, [path], store) == Self.answer(id, [path], nil), "\(id)") }
        let facts = try #require(IndexedFileFacts.of(fd: open(path, O_RDONLY), compressed: false))
        let grown = try #require(RequestIndex(decoding: Array(try Data(contentsOf: URL(fileURLWithPath: store.path(for: facts))))))
        #expect(grown.coverage.coveredRaw == facts.size, "extended to the new end")
        // copytruncate, then other requests written past the old size.
        let fd = open(path, O_WRONLY | O_TRUNC)
        close(fd)
        let again = (0..<3100).map { line("ts_c\($0)", $0) }.joined()
        try again.write(toFile: path, atomically: false, encoding: .utf8)
        for id in ["ts_c5", "ts_a10", "ts_c3099"] { #expect(Self.answer(id, [path], store) == Self.answer(id, [path], nil), "\(id)") }
    }

    /// The C scan's two ways (one pass with AVX2; line by line when `out` is small) give the
    /// same records, however the output is cut, on lines of every shape.
    @Test func idScanWaysAgree() {
        let many = (0..<200).map { "k\($0)_id=v\($0)" }.joined(separator: ", ")
        let text = "a - INFO - x: id=ts_1, X-Request-ID=\"ts_2\", request_id=ts_3\n\nno ids here ts_4\n"
            + "id=\n=id=\n" + "x id=aZ09_.:-xyzXYZ0123456789@rest, id=Ab-9.c:d_e01234567é, id=[0123456789abcdefgh]\n" + many + "\n" + String(repeating: "z", count: 100) + "ID=tail_5, id=ts_6"
        func records(_ capacity: Int) -> [String] {
            Self.scanRecords(Array(text.utf8), capacity: capacity).map { r in r.value.map { "\(r.start):\($0)" } ?? "line@\(r.start)..\(r.end)" }
        }
        let wide = records(4096), narrow = records(64)
        let bigStart = text.utf8.count - 100 - 18 - many.utf8.count - 1
        let bigLine = "\(bigStart)..\(bigStart + many.utf8.count)"
        // The line of 200 values does not fit 64: handed over whole (to be parsed) instead.
        #expect(wide.filter { !$0.contains(":v") } == narrow.filter { $0 != "line@\(bigLine)" })
        #expect(narrow.contains("line@\(bigLine)"))
        #expect(wide.contains { $0.hasSuffix(":aZ09_.:-xyzXYZ0123456789") } && wide.contains { $0.hasSuffix(":Ab-9.c:d_e01234567") })
        #expect(wide.contains("0:ts_1") && wide.contains("0:ts_2") && wide.contains("0:ts_3") && wide.contains { $0.hasSuffix(":tail_5") })
        #expect(wide.filter { $0.hasPrefix("line@") }.count == 4, "the empty line, the one without ids, `id=` with no value, `=id=`: \(wide.filter { $0.hasPrefix("line@") })")
        #expect(wide.filter { $0.contains(":v") }.count == 200)
        #expect(records(128).filter { $0.contains(":v") }.count == 0, "a line with more values than fit is handed over whole")
    }

    /// With a set of ids met, the scan hands an id over once per 64 KB block of text (the
    /// blocks an index entry records), and still every id of every block, both ways.
    @Test func idScanHandsAnIdOverOncePerBlock() {
        var text = ""
        for k in 0..<4000 {
            // Ids of 5 to 70 bytes (longer than the 56 a set slot holds, too), recurring within
            // and across blocks; lines without ids between.
            let id = k % 5 == 0 ? "ts_\(k / 50)_" + String(repeating: "x", count: k % 64) : "ts_\(k / 7)"
            text += "2024-06-12 08:00:00,000 - app - INFO - stage_time: id=\(id), request_id=r\(k % 3), duration_ms=5\n"
            if k % 100 == 0 { text += "no id here\n" }
        }
        let bytes = Array(text.utf8)
        let offset: Int64 = 60_000   // the text does not start at a block's start
        func pairs(_ records: [(start: Int, end: Int, value: String?)]) -> [String] {
            records.map { r in r.value.map { "\((offset + Int64(r.start)) >> 16):\($0)" } ?? "line@\(r.start)" }
        }
        for capacity in [64, 4096] {
            let all = pairs(Self.scanRecords(bytes, capacity: capacity, offset: offset))
            let seen = SeenIDs()
            let once = pairs(Self.scanRecords(bytes, capacity: capacity, seen: seen.set, offset: offset))
            #expect(Set(all) == Set(once), "capacity \(capacity)")
            #expect(all.filter { $0.hasPrefix("line@") } == once.filter { $0.hasPrefix("line@") })
            #expect(once.count < all.count / 3, "capacity \(capacity): \(once.count) of \(all.count)")
            let long = once.filter { $0.hasSuffix(String(repeating: "x", count: 60)) }
            #expect(long.count == all.filter { $0.hasSuffix(String(repeating: "x", count: 60)) }.count, "ids too long for the set are always handed over")
        }
        // Ids sharing a slot take turns, so a few come again; most come once a block.
        let seen = SeenIDs()
        let short = pairs(Self.scanRecords(bytes, capacity: 4096, seen: seen.set, offset: offset)).filter { !$0.hasSuffix("x") }
        #expect(short.count - Set(short).count < short.count / 10, "\(short.count) handed over, \(Set(short).count) distinct")
    }

    /// The C scan's records over `bytes`, cut by `capacity`: each value with its line's start,
    /// or a line without one (`value` nil) with its start and end.
    static func scanRecords(_ bytes: [UInt8], capacity: Int, seen: OpaquePointer? = nil, offset: Int64 = 0) -> [(start: Int, end: Int, value: String?)] {
        var out: [(start: Int, end: Int, value: String?)] = []
        bytes.withUnsafeBufferPointer { block in
            var hits = [ttsmon_id_hit](repeating: ttsmon_id_hit(), count: capacity)
            var done = 0
            while done < block.count {
                var consumed = 0
                let n = hits.withUnsafeMutableBufferPointer {
                    ttsmon_scan_id_values(block.baseAddress! + done, block.count - done, $0.baseAddress, capacity, &consumed,
                                          LineValidation.blockCheckAvailable ? 1 : 0, seen, offset + Int64(done))
                }
                for h in hits[0..<n] {
                    let start = done + Int(h.line_start), valueStart = done + Int(h.value_start)
                    out.append(h.value_length < 0 ? (start, valueStart, nil)
                               : (start, valueStart, block.slice(valueStart, valueStart + Int(h.value_length)).string))
                }
                if consumed == 0 { break }
                done += consumed
            }
        }
        return out
    }

    /// Saved inflater states packed (by ISA-L where it is loaded) come back whole through zlib.
    @Test func packedStatesUnpack() throws {
        let bytes = (0..<70_000).map { UInt8(truncatingIfNeeded: ($0 / 3) &* 7 ^ ($0 >> 9)) }
        let packed = try #require(Deflate.pack(bytes[...]))
        #expect(packed.count < bytes.count / 2)
        let (back, length) = try #require(Deflate.unpack(packed, size: 80_000))
        #expect(length == bytes.count && Array(back.prefix(length)) == bytes && back.count == 80_000)
        if GzipSource.usesFastInflate {
            var out = [UInt8](repeating: 0, count: 90_000)
            #expect(bytes.withUnsafeBufferPointer { b in out.withUnsafeMutableBufferPointer { ttsmon_fast_deflate(b.baseAddress, b.count, $0.baseAddress, $0.count) } } > 0)
        }
    }

    /// Indexes unused for a month (their files long rotated away) and a killed writer's
    /// temporary files go; used ones stay.
    @Test func unusedIndexesArePruned() throws {
        let dir = TempDir()
        let store = RequestIndexStore(directory: dir.path)
        for name in ["old.idx", "new.idx", "left.tmp"] { dir.write(name, "x") }
        let old = Date().addingTimeInterval(-Double(RequestIndexStore.unusedDays + 1) * 86_400)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: dir.path + "/old.idx")
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-7200)], ofItemAtPath: dir.path + "/left.tmp")
        store.prune()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["new.idx"])
    }

    @Test func encodingRoundTripsAndRejectsDamage() throws {
        let facts = IndexedFileFacts(device: 1, inode: 2, size: 300, headCRC: 3, compressed: true)
        let entries = (0..<500).map { IndexEntry(hash: UInt64($0) &* 0x9E37_79B9_7F4A_7C15, firstBlock: UInt32($0), lastBlock: UInt32($0 + 2)) }
        let point = AccessPoint(textOffset: 1 << 22, rawOffset: 1234, state: [1, 2, 3], check: 77, checkLength: 4096)
        let index = try #require(RequestIndex(facts: facts, coveredRaw: 300, coveredText: 5000, tailCRC: 9, formatName: "indextts",
                                              entries: entries, points: [point], stateSize: 10))
        let bytes = index.encoded()
        #expect(RequestIndex(decoding: bytes) == index)
        // Opened for lookups: the head alone, then one bucket's chunk.
        let dir = TempDir()
        let file = try #require(RequestIndexFile.open(dir.write("one.idx", bytes: bytes)))
        #expect(file.head.entryCount == 500 && file.head.points.count == 1)
        #expect(file.point(before: 1 << 23) == point && file.point(before: 10) == nil)
        for cut in [0, 10, bytes.count / 2, bytes.count - 1] { #expect(RequestIndex(decoding: Array(bytes.prefix(cut))) == nil) }
        for at in stride(from: 0, to: bytes.count, by: 97) {
            var bad = bytes
            bad[at] ^= 0x10
            #expect(RequestIndex(decoding: bad) == nil, "byte \(at)")
        }
        let hash = IndexEntry.hash(RequestKey("ts_1"))
        let one = try #require(RequestIndex(facts: facts, coveredRaw: 300, coveredText: 1 << 24, tailCRC: 9, formatName: "x",
                                            entries: [IndexEntry(hash: hash, firstBlock: 3, lastBlock: 4), IndexEntry(hash: hash, firstBlock: 40, lastBlock: 40),
                                                      IndexEntry(hash: hash, firstBlock: 5, lastBlock: 6), IndexEntry(hash: hash, firstBlock: 1000, lastBlock: 1600)],
                                            points: [], stateSize: 0))
        let expected: [Range<Int64>] = [(3 << 16)..<(7 << 16), (40 << 16)..<(41 << 16), (1000 << 16)..<(1601 << 16)]
        #expect(one.ranges(of: "ts_1") == expected)
        #expect(one.entries.count == 6, "a run of 601 blocks is stored as three of at most 256")
        #expect(one.ranges(of: "ts_2").isEmpty)
        #expect(RequestIndex(decoding: one.encoded()) == one)
        // More text than entries can name: no index, rather than a wrong one.
        #expect(RequestIndex(facts: facts, coveredRaw: 300, coveredText: 1 << 41, tailCRC: 9, formatName: "x",
                             entries: [IndexEntry(hash: hash, firstBlock: 1 << 24, lastBlock: 1 << 24)], points: [], stateSize: 0) == nil)
        let lookups = try #require(RequestIndexFile.open(dir.write("two.idx", bytes: one.encoded())))
        #expect(lookups.ranges(of: "ts_1") == one.ranges(of: "ts_1") && lookups.ranges(of: "ts_2") == [])
        // A damaged entry chunk: the lookup says so (nil) rather than answer.
        var bad = one.encoded()
        bad[Int(lookups.head.entriesOffset) + 3] ^= 1
        #expect(RequestIndexFile.open(dir.write("bad.idx", bytes: bad))?.ranges(of: "ts_1") == .some(nil))
    }
}
