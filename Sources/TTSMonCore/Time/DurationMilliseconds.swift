extension Duration {
    /// The duration in whole milliseconds (rounded down): what logs and probe results carry.
    public var wholeMilliseconds: Int {
        Int(components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000)
    }
}
