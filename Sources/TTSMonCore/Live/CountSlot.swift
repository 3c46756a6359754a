/// Failed requests of one error code within one second.
struct ErrorTally: Sendable {
    var code: String
    var count: Int32
}

/// Requests and failures served by one GPU within one second.
struct GPUTally: Sendable {
    var gpu: Int16
    var requests: Int32
    var failed: Int32
}

/// The request counts of one log second.
struct CountSlot: SecondSlot, Sendable {
    /// Distinct codes kept apart per second; more fold into `overflowCode` (hostile logs only).
    static let maxCodes = 64
    static let overflowCode = "OTHER"

    var requests: Int32 = 0
    var success: Int32 = 0
    var failed: Int32 = 0
    var serverErrors: Int32 = 0
    var cacheHits: Int32 = 0
    var cacheKnown: Int32 = 0
    /// Audio the second's requests produced (milliseconds), and how many said.
    var audioMs: Int64 = 0
    var audioKnown: Int32 = 0
    /// Per text-length bucket: requests at `2·bucket`, failed at `2·bucket + 1` (empty until used).
    var lengths: [Int32] = []
    var errors: [ErrorTally] = []
    /// Per GPU, for logs that say which served a request (at most `maxGPUs` kept apart).
    var gpus: [GPUTally] = []
    static let maxGPUs = 64

    init() {}

    mutating func clear() {
        requests = 0; success = 0; failed = 0; serverErrors = 0; cacheHits = 0; cacheKnown = 0
        audioMs = 0; audioKnown = 0
        if !lengths.isEmpty {
            for i in lengths.indices { lengths[i] = 0 }
        }
        if !errors.isEmpty { errors.removeAll(keepingCapacity: true) }
        if !gpus.isEmpty { gpus.removeAll(keepingCapacity: true) }
    }

    /// Counts one request a GPU served.
    mutating func addGPU(_ gpu: Int, failed: Bool) { addGPU(gpu, requests: 1, failed: failed ? 1 : 0) }

    mutating func addGPU(_ gpu: Int, requests: Int32, failed: Int32) {
        for i in gpus.indices where gpus[i].gpu == Int16(gpu) {
            gpus[i].requests &+= requests
            gpus[i].failed &+= failed
            return
        }
        guard gpus.count < CountSlot.maxGPUs else { return }
        gpus.append(GPUTally(gpu: Int16(gpu), requests: requests, failed: failed))
    }

    /// Counts one completed request.
    @inline(__always)
    mutating func add(status: RequestStatus, code: String?, serverError: Bool, cacheHit: Bool?, bucket: TextLengthBucket) {
        requests &+= 1
        if status == .success { success &+= 1 } else { failed &+= 1 }
        if serverError { serverErrors &+= 1 }
        if let cacheHit { cacheKnown &+= 1; if cacheHit { cacheHits &+= 1 } }
        if lengths.isEmpty { lengths = Array(repeating: 0, count: 2 * TextLengthBucket.allCases.count) }
        lengths[2 * bucket.rawValue] &+= 1
        if status == .failed {
            lengths[2 * bucket.rawValue + 1] &+= 1
            addError(code ?? "UNKNOWN")
        }
    }

    @inline(__always)
    mutating func addError(_ code: String) {
        for i in errors.indices where errors[i].code == code {
            errors[i].count &+= 1
            return
        }
        if errors.count < CountSlot.maxCodes - 1 || code == CountSlot.overflowCode {
            errors.append(ErrorTally(code: code, count: 1))
        } else {
            addError(CountSlot.overflowCode)   // found, or appended as the last tally
        }
    }
}
