import Foundation

extension RequestIndexer {
    /// One line per file and a total: text covered, index size and its share of the text, ids
    /// (entries), access points, time.
    public static func text(_ outcomes: [Outcome], directory: String) -> String {
        var table = TextTable(["file", "text", "index", "share", "entries", "points", "time"],
                              alignments: [.left, .right, .right, .right, .right, .right, .right])
        let mb = Format.bytes
        func share(_ index: Int, _ text: Int64) -> String { text > 0 ? String(format: "%.1f%%", 100 * Double(index) / Double(text)) : "-" }
        var notes: [String] = []
        for o in outcomes {
            if let why = o.skipped { notes.append("\(Sanitizer.clean(o.file)): not indexed: \(why)"); continue }
            table.add([Sanitizer.clean(o.file), mb(o.textBytes), mb(Int64(o.indexBytes)), share(o.indexBytes, o.textBytes), "\(o.entries)",
                       "\(o.accessPoints)", o.reused ? "current" : Format.ms(Int((o.seconds * 1000).rounded()))])
        }
        let done = outcomes.filter { $0.skipped == nil }
        let text = done.reduce(Int64(0)) { $0 + $1.textBytes }, index = done.reduce(0) { $0 + $1.indexBytes }
        table.add(["total", mb(text), mb(Int64(index)), share(index, text), "\(done.reduce(0) { $0 + $1.entries })",
                   "\(done.reduce(0) { $0 + $1.accessPoints })", ""])
        return (["request index in \(directory)", table.render()] + notes).joined(separator: "\n") + "\n"
    }

    /// The same as JSON: `{"directory", "files": [{file, text_bytes, index_bytes, entries, access_points, seconds, reused, skipped}]}`.
    public static func json(_ outcomes: [Outcome], directory: String) -> JSONValue {
        .object([
            ("directory", .string(directory)),
            ("files", .array(outcomes.map { o in
                .object([
                    ("file", .string(o.file)), ("text_bytes", .int(Int(o.textBytes))), ("index_bytes", .int(o.indexBytes)),
                    ("entries", .int(o.entries)), ("access_points", .int(o.accessPoints)), ("seconds", .double(o.seconds)),
                    ("reused", .bool(o.reused)), ("skipped", o.skipped.map(JSONValue.string) ?? .null),
                ])
            })),
        ])
    }
}
