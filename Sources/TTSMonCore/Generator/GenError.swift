import Foundation

/// Why the generator refused its options or could not write.
enum GenError: Error, LocalizedError, CustomStringConvertible {
    case invalidOption(String)
    case cannotWrite(String)

    var description: String {
        switch self {
        case .invalidOption(let what): return "invalid generator option: \(what)"
        case .cannotWrite(let path): return "cannot write \(path)"
        }
    }

    var errorDescription: String? { description }
}
