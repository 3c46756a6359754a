/// A hash map keyed by `RequestKey` for in-flight requests (the report's and the live joins'):
/// open addressing with linear probing and a multiplicative hash of the packed words, so an
/// insert or a lookup costs a few multiplications instead of a SipHash round (two or three per
/// request).
struct RequestKeyMap<Value>: Sequence {
    private var keys: [RequestKey]
    private var values: [Value?]
    private(set) var count = 0
    private var mask: Int

    init() {
        keys = Array(repeating: RequestKey.empty, count: 16)
        values = Array(repeating: nil, count: 16)
        mask = 15
    }

    var isEmpty: Bool { count == 0 }

    @inline(__always)
    private func slot(_ key: RequestKey) -> Int {
        var h = key.a &* 0x9E37_79B9_7F4A_7C15
        h ^= key.b &* 0xC2B2_AE3D_27D4_EB4F
        h ^= key.c &* 0x1656_67B1_9E37_79F9
        h ^= UInt64(key.length)
        h ^= h >> 29
        return Int(truncatingIfNeeded: h &* 0xBF58_476D_1CE4_E5B9 >> 32) & mask
    }

    /// Where `key` is, or the empty slot where it would go.
    @inline(__always)
    private func find(_ key: RequestKey) -> (index: Int, found: Bool) {
        var i = slot(key)
        while true {
            if keys[i].length == 0 { return (i, false) }
            if keys[i] == key { return (i, true) }
            i = (i + 1) & mask
        }
    }

    subscript(key: RequestKey) -> Value? {
        get {
            let (i, found) = find(key)
            return found ? values[i] : nil
        }
        set {
            guard let newValue else { _ = removeValue(forKey: key); return }
            let (i, found) = find(key)
            if found { values[i] = newValue; return }
            keys[i] = key
            values[i] = newValue
            count += 1
            if count * 4 > keys.count * 3 { grow() }
        }
    }

    /// Changes the value at `key` in place, starting from `value` when there is none: one
    /// search, where reading and storing back would take two.
    @inline(__always)
    mutating func update(_ key: RequestKey, default value: @autoclosure () -> Value, _ body: (inout Value) -> Void) {
        let (i, found) = find(key)
        if found { body(&values[i]!); return }
        var new = value()
        body(&new)
        keys[i] = key
        values[i] = new
        count += 1
        if count * 4 > keys.count * 3 { grow() }
    }

    @discardableResult
    mutating func removeValue(forKey key: RequestKey) -> Value? {
        var (i, found) = find(key)
        guard found else { return nil }
        let old = values[i]
        count -= 1
        // Backward-shift deletion: move later members of the probe run into the hole.
        var j = i
        while true {
            j = (j + 1) & mask
            if keys[j].length == 0 { break }
            let home = slot(keys[j])
            // Move j into i when its home is not cyclically within (i, j].
            let between = i <= j ? (home > i && home <= j) : (home > i || home <= j)
            if !between {
                keys[i] = keys[j]; values[i] = values[j]
                i = j
            }
        }
        keys[i] = RequestKey.empty
        values[i] = nil
        return old
    }

    /// Removes the entries `remove` accepts; returns how many went.
    @discardableResult
    mutating func removeAll(where remove: (Value) -> Bool) -> Int {
        let kept = filter { !remove($0.value) }
        let removed = count - kept.count
        guard removed > 0 else { return 0 }
        self = RequestKeyMap()
        for (k, v) in kept { self[k] = v }
        return removed
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        keys = Array(repeating: RequestKey.empty, count: oldKeys.count * 2)
        values = Array(repeating: nil, count: oldKeys.count * 2)
        mask = keys.count - 1
        count = 0
        for (k, v) in zip(oldKeys, oldValues) where k.length != 0 { self[k] = v }
    }

    func makeIterator() -> AnyIterator<(key: RequestKey, value: Value)> {
        var i = 0
        return AnyIterator {
            while i < keys.count {
                defer { i += 1 }
                if keys[i].length != 0, let v = values[i] { return (keys[i], v) }
            }
            return nil
        }
    }
}

extension RequestKey {
    /// The key of no request (ids are never empty): marks free slots.
    static let empty = RequestKey(bytes: UnsafeBufferPointer(start: nil, count: 0))
}

extension RequestKeyMap: Sendable where Value: Sendable {}
