/// An array kept in pages of 4,096 elements: appends never copy what is stored (a plain array
/// doubling past a day of seconds holds the old and the new buffer at once, and up to twice what
/// it needs after), and dropping the oldest elements frees whole pages. Inserting in the middle
/// (a second that arrives out of order) shifts the later elements, as an array does.
struct PagedArray<Element> {
    static var pageShift: Int { 12 }
    static var pageSize: Int { 1 << pageShift }
    private var pages: [[Element]] = []
    /// Elements of the first page already dropped.
    private var head = 0
    private(set) var count = 0

    init() {}

    init(_ elements: some Sequence<Element>) {
        for e in elements { append(e) }
    }

    var isEmpty: Bool { count == 0 }
    var first: Element? { count > 0 ? self[0] : nil }
    var last: Element? { count > 0 ? self[count - 1] : nil }

    subscript(i: Int) -> Element {
        get {
            precondition(i >= 0 && i < count, "PagedArray index out of range")
            let p = i + head
            return pages[p >> PagedArray.pageShift][p & (PagedArray.pageSize - 1)]
        }
        set {
            precondition(i >= 0 && i < count, "PagedArray index out of range")
            let p = i + head
            pages[p >> PagedArray.pageShift][p & (PagedArray.pageSize - 1)] = newValue
        }
    }

    mutating func append(_ e: Element) {
        if pages.isEmpty || pages[pages.count - 1].count == PagedArray.pageSize {
            var page: [Element] = []
            page.reserveCapacity(PagedArray.pageSize)
            pages.append(page)
        }
        pages[pages.count - 1].append(e)
        count += 1
    }

    mutating func append(contentsOf other: PagedArray<Element>) {
        for i in 0..<other.count { append(other[i]) }
    }

    mutating func insert(_ e: Element, at i: Int) {
        precondition(i >= 0 && i <= count, "PagedArray index out of range")
        if i == count { append(e); return }
        let p = i + head
        var page = p >> PagedArray.pageShift
        pages[page].insert(e, at: p & (PagedArray.pageSize - 1))
        // Every page but the last stays full: each overflow moves on to the next page's front.
        while pages[page].count > PagedArray.pageSize {
            let spill = pages[page].removeLast()
            if page + 1 == pages.count {
                var fresh: [Element] = []
                fresh.reserveCapacity(PagedArray.pageSize)
                pages.append(fresh)
            }
            pages[page + 1].insert(spill, at: 0)
            page += 1
        }
        count += 1
    }

    /// Drops the first `n` elements.
    mutating func removeFirst(_ n: Int) {
        precondition(n >= 0 && n <= count, "PagedArray: removing more than it holds")
        head += n
        count -= n
        let whole = head >> PagedArray.pageShift
        if whole > 0 {
            pages.removeFirst(whole)
            head &= PagedArray.pageSize - 1
        }
        if count == 0 { pages = []; head = 0 }
    }

    /// The elements of `range`, copied.
    func elements(_ range: Range<Int>) -> [Element] {
        var out: [Element] = []
        out.reserveCapacity(range.count)
        for i in range { out.append(self[i]) }
        return out
    }
}

extension PagedArray: Sequence {
    struct Iterator: IteratorProtocol {
        let array: PagedArray
        var i = 0
        mutating func next() -> Element? {
            guard i < array.count else { return nil }
            defer { i += 1 }
            return array[i]
        }
    }
    func makeIterator() -> Iterator { Iterator(array: self) }
}

extension PagedArray: Sendable where Element: Sendable {}
