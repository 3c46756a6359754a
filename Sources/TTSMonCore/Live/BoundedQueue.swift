/// A first-in first-out queue of at most `capacity` elements: appending to a full queue drops
/// the oldest element.
struct BoundedQueue<Element> {
    let capacity: Int
    private var storage: [Element] = []
    /// Index of the oldest element once the storage is full and wrapping.
    private var start = 0
    private(set) var count = 0

    init(capacity: Int) { self.capacity = Swift.max(1, capacity) }

    var isEmpty: Bool { count == 0 }

    /// Appends, dropping the oldest element when full.
    mutating func append(_ element: Element) {
        if storage.count < capacity, start + count == storage.count {
            storage.append(element)
            count += 1
            return
        }
        let end = (start + count) % storage.count
        if count == storage.count {
            storage[end] = element
            start = (start + 1) % storage.count
        } else {
            storage[end] = element
            count += 1
        }
    }

    /// The oldest element.
    var first: Element? { count > 0 ? storage[start] : nil }

    /// Drops the oldest element.
    mutating func removeFirst() {
        guard count > 0 else { return }
        start = (start + 1) % storage.count
        count -= 1
        if count == 0 { start = 0; storage.removeAll(keepingCapacity: true) }
    }

    /// The element `i` places from the newest (0 = newest).
    func fromNewest(_ i: Int) -> Element { storage[(start + count - 1 - i) % storage.count] }

    /// Elements newest first.
    var newestFirst: [Element] { (0..<count).map(fromNewest) }
}

extension BoundedQueue: Sendable where Element: Sendable {}
