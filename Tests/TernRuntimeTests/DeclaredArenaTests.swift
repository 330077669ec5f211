import Testing
import TernFormat
import TernRuntime
import TernTestSupport

/// FORMAT.md §7: the header's arena sizes against the runtime's plan (issue 23).
@Suite struct DeclaredArenaTests {
    /// `bytes` with the header's arena fields set (bytes 40 and 44) and the tables' CRC restamped.
    func stamped(_ bytes: [UInt8], streaming: Int, resident: Int) -> [UInt8] {
        var b = bytes
        for k in 0..<4 {
            b[40 + k] = UInt8(truncatingIfNeeded: streaming >> (8 * k))
            b[44 + k] = UInt8(truncatingIfNeeded: resident >> (8 * k))
        }
        return restampTablesCRC(b)
    }

    @Test func understatedArenasAreRefusedOverstatedAccepted() throws {
        let bytes = try SyntheticNetwork.dense([30, 20, 10], bits: 1, sparsity: 0.7, seed: 5).fileBytes()
        let plan = try Plan(file: try TernFile(parsing: bytes))
        let (s, r) = (plan.arenaBytes(.streaming), plan.arenaBytes(.resident))
        // 0 (what a careless writer leaves) and one byte short, in either field.
        #expect(throws: RuntimeError.declaredArenaTooSmall(mode: .streaming, declared: 0, needed: s)) {
            try Plan.checkDeclaredArenas(try TernFile(parsing: stamped(bytes, streaming: 0, resident: r)))
        }
        #expect(throws: RuntimeError.declaredArenaTooSmall(mode: .streaming, declared: s - 1, needed: s)) {
            try Plan.checkDeclaredArenas(try TernFile(parsing: stamped(bytes, streaming: s - 1, resident: r)))
        }
        #expect(throws: RuntimeError.declaredArenaTooSmall(mode: .resident, declared: r - 64, needed: r)) {
            try Plan.checkDeclaredArenas(try TernFile(parsing: stamped(bytes, streaming: s, resident: r - 64)))
        }
        // Exact and overstated (a safe upper bound) pass.
        try Plan.checkDeclaredArenas(try TernFile(parsing: stamped(bytes, streaming: s, resident: r)))
        try Plan.checkDeclaredArenas(try TernFile(parsing: stamped(bytes, streaming: s + 64, resident: r + 64)))
    }
}
