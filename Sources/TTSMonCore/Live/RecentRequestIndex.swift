/// The most recent completed requests, in a fixed-size ring, with a dictionary from id to ring
/// position: memory is bounded by `capacity`, and the oldest entry goes first.
struct RecentRequestIndex: Sendable {
    let capacity: Int
    private var entries: [RecentRequest] = []
    private var keys: [RequestKey] = []
    /// Id → sequence number of its newest entry.
    private var byKey: [RequestKey: Int] = [:]
    /// Sequence number the next entry gets.
    private var nextSequence = 0

    init(capacity: Int) { self.capacity = Swift.max(1, capacity) }

    /// Entries currently held.
    var count: Int { entries.count }
    /// Ids the dictionary currently maps.
    var keyCount: Int { byKey.count }

    /// Adds a request, evicting the oldest when full.
    mutating func add(_ request: RecentRequest, key: RequestKey) {
        let sequence = nextSequence
        nextSequence += 1
        let slot = sequence % capacity
        if entries.count < capacity {
            entries.append(request)
            keys.append(key)
        } else {
            let old = keys[slot]
            if byKey[old] == sequence - capacity { byKey.removeValue(forKey: old) }
            entries[slot] = request
            keys[slot] = key
        }
        byKey[key] = sequence
    }

    /// The newest entry of an id.
    func lookup(id: String) -> RecentRequest? {
        guard let sequence = byKey[RequestKey(id)] else { return nil }
        let entry = entries[sequence % capacity]
        return entry.id == id ? entry : nil
    }

    /// Entries newest first while `body` returns true.
    func forEachNewestFirst(_ body: (RecentRequest) -> Bool) {
        var sequence = nextSequence - 1
        let oldest = nextSequence - entries.count
        while sequence >= oldest {
            if !body(entries[sequence % capacity]) { return }
            sequence -= 1
        }
    }
}
