import Foundation

/// Splits the time-ordered record stream into the rotated file set and writes it:
/// oldest part → `app.log.K.gz`, ..., newest → `app.log` (plain).
struct GenLogFiles {
    /// File names, newest first.
    var files: [String] = []
    /// For each request, the index in `files` of the file holding its completion line (-1: none).
    var fileOfRequest: [Int32] = []
    /// Physical lines written.
    var totalLines = 0

    static func write(_ arena: GenRecordArena, order: [Int], requestCount: Int,
                      options: GeneratorOptions) throws -> GenLogFiles {
        let k = options.rotate
        let parts = k + 1
        let refs = arena.refs
        let chunks = arena.chunks
        var result = GenLogFiles()
        result.files = (0...k).map { $0 == 0 ? options.fileName : "\(options.fileName).\($0).gz" }
        result.fileOfRequest = [Int32](repeating: -1, count: requestCount)
        var total = 0
        for ref in refs { total += Int(ref.lines) }
        result.totalLines = total

        let directory = URL(fileURLWithPath: options.outputDirectory)
        var cursor = 0
        var written = 0
        for part in 0..<parts {
            let nameIndex = k - part
            let target = part == parts - 1 ? Int.max : total * (part + 1) / parts
            let plainName = nameIndex == 0 ? options.fileName : "\(options.fileName).\(nameIndex)"
            let plainPath = directory.appendingPathComponent(plainName).path
            var writer = try GenFileWriter(path: plainPath)
            while cursor < order.count, written < target {
                let ref = refs[order[cursor]]
                let start = Int(ref.offset)
                try writer.write(chunks[Int(ref.chunk)][start..<(start + Int(ref.length))])
                written += Int(ref.lines)
                if ref.completes >= 0 { result.fileOfRequest[Int(ref.completes)] = Int32(nameIndex) }
                cursor += 1
            }
            try writer.close()
            if nameIndex > 0 {
                let gzPath = directory.appendingPathComponent(result.files[nameIndex]).path
                try Gzip.compressFile(atPath: plainPath, toPath: gzPath)
                try FileManager.default.removeItem(atPath: plainPath)
            }
        }
        return result
    }
}
