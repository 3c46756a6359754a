import Testing
@testable import TTSMonCore

@Suite struct TimestampTests {
    @Test func roundTripsLogText() {
        let ts = LogTimestamp("2024-06-12 14:22:37,892")
        #expect(ts?.logText == "2024-06-12 14:22:37,892")
        #expect(LogTimestamp("2024-02-29 00:00:00,000") != nil)
        #expect(LogTimestamp("2023-02-29 00:00:00,000") == nil)
        #expect(LogTimestamp("2024-13-45 99:99:99,999") == nil)
    }

    @Test func ordersAndMeasures() throws {
        let a = try #require(LogTimestamp("2024-06-12 23:59:59,500"))
        let b = try #require(LogTimestamp("2024-06-13 00:00:00,250"))
        #expect(a < b)
        #expect(a.seconds(until: b) == 0.75)
        #expect(b.startOfDay.logText == "2024-06-13 00:00:00,000")
    }
}
