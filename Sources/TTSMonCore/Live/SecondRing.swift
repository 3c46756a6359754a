/// A slot of a `SecondRing`: the figures of one log second, reused in place when the ring wraps.
protocol SecondSlot {
    init()
    /// Empties the slot, keeping its storage for reuse.
    mutating func clear()
}

/// Per-second slots covering the newest `capacity` log seconds, keyed by `second mod capacity`.
/// Slots are cleared and reused as log time advances, so memory is fixed after warm-up; a
/// record older than the ring has no slot.
struct SecondRing<Slot: SecondSlot> {
    let capacity: Int
    /// The log second each slot currently holds (`Int64.min` when never used).
    private(set) var seconds: [Int64]
    var slots: [Slot]
    /// The newest second the ring covers; nil before the first record.
    private(set) var newest: Int64?

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
        seconds = Array(repeating: Int64.min, count: capacity)
        slots = Array(repeating: Slot(), count: capacity)
    }

    @inline(__always)
    func position(of second: Int64) -> Int {
        let m = Int(second % Int64(capacity))
        return m < 0 ? m + capacity : m
    }

    /// The slot index for `second`, advancing (and clearing) the ring when it is newer than
    /// anything seen; nil when the second is older than the ring.
    @inline(__always)
    mutating func slot(for second: Int64) -> Int? {
        if let newest, second <= newest {
            guard second > newest - Int64(capacity) else { return nil }
            return position(of: second)
        }
        advance(to: second)
        return position(of: second)
    }

    /// Moves the newest second forward to `second`, clearing the slots it takes over.
    mutating func advance(to second: Int64) {
        let from: Int64
        if let newest {
            guard second > newest else { return }
            from = Swift.max(newest + 1, second - Int64(capacity) + 1)
        } else {
            from = second - Int64(capacity) + 1
        }
        var s = from
        while s <= second {
            let p = position(of: s)
            if seconds[p] != Int64.min { slots[p].clear() }
            seconds[p] = s
            s += 1
        }
        newest = second
    }

    /// Position `p` for `second`: cleared when it held an older one.
    mutating func claim(_ second: Int64) -> Int {
        let p = position(of: second)
        if seconds[p] != second {
            if seconds[p] != Int64.min { slots[p].clear() }
            seconds[p] = second
        }
        return p
    }

    /// The slot holding `second` for reading, or nil when the ring does not hold it.
    @inline(__always)
    func existingSlot(for second: Int64) -> Int? {
        let p = position(of: second)
        return seconds[p] == second ? p : nil
    }
}

extension SecondRing: Sendable where Slot: Sendable {}
