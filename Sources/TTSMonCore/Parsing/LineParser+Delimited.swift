/// The delimited layout: one request per line (ChatTTS).
extension LineParser {
    func parseDelimitedLine(_ line: ByteSpan, into record: inout LogRecord, checked: Bool) -> LineKind {
        switch scanTimestamp(line) {
        case .absent: return .noTimestamp
        case .impossible: return .malformed
        case .found(let ts, _): record.reset(time: ts)
        }
        guard checked || LineValidation.isCleanText(line) else { return .malformed }
        let sep = separatorBytes
        var cells: [ByteSpan] = []
        cells.reserveCapacity(columns.count)
        var start = 0
        var i = 0
        let n = line.count
        while i < n, cells.count < columns.count - 1 {
            if line[i] == sep[0], i + sep.count <= n, (1..<sep.count).allSatisfy({ line[i + $0] == sep[$0] }) {
                cells.append(line.slice(start, i))
                i += sep.count
                start = i
            } else { i += 1 }
        }
        cells.append(line.slice(start, n))
        record.level = .info
        // Lines with fewer columns are timestamped records that are not requests.
        guard cells.count == columns.count else { return .record }
        record.event = .synthesisComplete
        for (column, cell) in zip(columns, cells) {
            switch column {
            case .id:
                guard isRequestIDToken(cell, table: idBytes) else { return .malformed }
                record.idKey = RequestKey(bytes: cell)
                if keepIDs { record.id = cell.string }
            case .errorCode:
                guard cell.count > 0 else { return .malformed }
                if cell.equals("OK") || cell.equals("0") || cell.equals("ok") {
                    record.status = .success
                } else {
                    record.status = .failed
                    record.errorCode = cell.string(limit: keptNameBytes)
                    record.level = .error
                }
            case .durationMs:
                guard let v = ValueParsing.integer(cell, allowMsSuffix: true) else { return .malformed }
                record.durationMs = v
            case .textLen:
                guard let v = ValueParsing.integer(cell) else { return .malformed }
                record.textLen = v
            case .queueMs:
                record.queueMs = ValueParsing.integer(cell, allowMsSuffix: true)
            case .gpuID:
                record.gpuID = ValueParsing.integer(cell).flatMap { (0...4095).contains($0) ? $0 : nil }
            default:
                break
            }
        }
        if captureText { record.message = cells[cells.count - 1].string }
        if let truncated = cells.last?.find("truncated=true") { _ = truncated; record.warningCode = "TRUNCATED" }
        return validateRequired(record)
    }
}
