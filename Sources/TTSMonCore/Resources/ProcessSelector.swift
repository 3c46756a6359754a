import Foundation

/// Which process `--process` watches: a pid, a name found in command lines, or whatever
/// listens on a TCP port (`:8000`).
public enum ProcessSelector: Equatable, Sendable, CustomStringConvertible {
    case pid(Int)
    case name(String)
    case port(Int)

    /// `1234`, `:8000` or a name; nil for an empty name or a port out of range.
    public init?(_ text: String) {
        if text.hasPrefix(":") {
            guard let port = Int(text.dropFirst()), (1...65535).contains(port) else { return nil }
            self = .port(port)
        } else if let pid = Int(text) {
            guard pid > 0 else { return nil }
            self = .pid(pid)
        } else {
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
            self = .name(text)
        }
    }

    public var description: String {
        switch self {
        case .pid(let pid): return String(pid)
        case .name(let name): return name
        case .port(let port): return ":\(port)"
        }
    }

    /// Whether the selector can find another process when the one it found ends (a restarted
    /// service gets a new pid; a pid is only ever that process).
    var resolvesAgain: Bool { if case .pid = self { return false } else { return true } }

    /// The process it means now, nil when none. A name matches the command line of any process
    /// but this one and its ancestors (the shell that started ttsmon names it too). Those whose
    /// executable's name holds it come before those that only mention it; of these, a process
    /// with a matching child of another executable is a wrapper (`timeout`, `sh -c`) and gives
    /// way to the child; of what is left, the oldest (a pre-fork server's master, not one of
    /// its workers of the same name).
    func resolve(procRoot root: String = "/proc", excluding own: Int = Int(getpid())) -> Int? {
        switch self {
        case .pid(let pid):
            return ProcFS.read("\(root)/\(pid)/stat", limit: 4096) != nil ? pid : nil
        case .name(let name):
            var stats: [Int: ProcFS.ProcessStat] = [:]
            var matches: [(pid: Int, byExecutable: Bool)] = []
            for pid in ProcFS.numericEntries(root) ?? [] {
                guard let stat = ProcFS.text("\(root)/\(pid)/stat").flatMap(ProcFS.ProcessStat.parse) else { continue }
                stats[pid] = stat
                guard pid != own, !stat.ended, let line = ProcFS.commandLine(root, pid: pid), line.contains(name) else { continue }
                let executable = line.split(separator: " ").first.map { $0.split(separator: "/").last.map(String.init) ?? "" } ?? ""
                matches.append((pid, stat.command.contains(name) || executable.contains(name)))
            }
            var ancestors = Set<Int>()
            var p = stats[own]?.parent ?? 0
            while p > 1, ancestors.insert(p).inserted { p = stats[p]?.parent ?? 0 }
            var group = matches.filter { !ancestors.contains($0.pid) }
            if group.contains(where: \.byExecutable) { group = group.filter(\.byExecutable) }
            let pids = Set(group.map(\.pid))
            let wrappers = Set(group.compactMap { m -> Int? in
                guard let parent = stats[m.pid]?.parent, pids.contains(parent),
                      stats[parent]?.command != stats[m.pid]?.command else { return nil }
                return parent
            })
            return group.map(\.pid).filter { !wrappers.contains($0) }.min { a, b in
                let sa = stats[a]?.startTicks ?? 0, sb = stats[b]?.startTicks ?? 0
                return sa != sb ? sa < sb : a < b
            }
        case .port(let port):
            let inodes = Set(["tcp", "tcp6"].flatMap { ProcFS.text("\(root)/net/\($0)").map { ProcFS.listeningInodes($0, port: port) } ?? [] })
            guard !inodes.isEmpty else { return nil }
            let wanted = Set(inodes.map { "socket:[\($0)]" })
            for pid in (ProcFS.numericEntries(root) ?? []).sorted() {
                for fd in ProcFS.numericEntries("\(root)/\(pid)/fd") ?? [] {
                    var target = [CChar](repeating: 0, count: 64)
                    let n = readlink("\(root)/\(pid)/fd/\(fd)", &target, target.count - 1)
                    guard n > 0 else { continue }
                    if wanted.contains(String(decoding: target[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)) { return pid }
                }
            }
            return nil
        }
    }
}

/// One `--process` argument: a selector, optionally named `LABEL=SELECTOR` (`main=:8000`) so
/// that the split view shows it under the source of that name (`main.log`).
public struct WatchedProcess: Equatable, Sendable {
    public var label: String?
    public var selector: ProcessSelector

    public init(label: String? = nil, _ selector: ProcessSelector) { self.label = label; self.selector = selector }

    /// `SELECTOR` or `LABEL=SELECTOR` (a label of letters, digits, `.`, `_`, `-`); nil when invalid.
    public init?(_ text: String) {
        if let eq = text.firstIndex(of: "="), eq > text.startIndex {
            let label = String(text[..<eq])
            if label.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0) }) {
                guard let selector = ProcessSelector(String(text[text.index(after: eq)...])) else { return nil }
                self.init(label: label, selector)
                return
            }
        }
        guard let selector = ProcessSelector(text) else { return nil }
        self.init(selector)
    }
}
