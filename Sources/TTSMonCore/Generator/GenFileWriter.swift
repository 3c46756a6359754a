import Foundation

/// Writes bytes to a new file through a large in-memory buffer (one syscall per several MB).
struct GenFileWriter {
    private static let flushThreshold = 8 << 20
    private let handle: FileHandle
    private var buffer: [UInt8] = []

    /// Creates (or truncates) the file at `path`.
    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw GenError.cannotWrite(path)
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        buffer.reserveCapacity(GenFileWriter.flushThreshold + (1 << 20))
    }

    @inline(__always)
    mutating func write(_ bytes: ArraySlice<UInt8>) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= GenFileWriter.flushThreshold { try flush() }
    }

    mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        try handle.write(contentsOf: Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes the file.
    mutating func close() throws {
        try flush()
        try handle.close()
    }
}
