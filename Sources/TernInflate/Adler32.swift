// Adler-32 (RFC 1950 §8.2), updated incrementally over the output as it is produced.

/// The running Adler-32 of the bytes seen so far.
struct Adler32 {
    private(set) var value: UInt32 = 1

    /// The largest n such that 255·n·(n+1)/2 + (n+1)·(65521−1) fits in 32 bits: sums stay exact for this many bytes.
    private static let blockLength = 5552
    private static let modulus: UInt32 = 65521

    mutating func update(_ bytes: UnsafePointer<UInt8>, count: Int) {
        var a = value & 0xFFFF
        var b = value >> 16
        var p = bytes
        var left = count
        while left > 0 {
            let n = min(left, Adler32.blockLength)
            left -= n
            var i = 0
            // Eight bytes at a time: b gains 8·a plus the bytes weighted 8…1, which breaks the byte-to-byte
            // dependency chain of the textbook loop.
            while i + 8 <= n {
                let x0 = UInt32(p[i]), x1 = UInt32(p[i + 1]), x2 = UInt32(p[i + 2]), x3 = UInt32(p[i + 3])
                let x4 = UInt32(p[i + 4]), x5 = UInt32(p[i + 5]), x6 = UInt32(p[i + 6]), x7 = UInt32(p[i + 7])
                let sum = x0 &+ x1 &+ x2 &+ x3 &+ x4 &+ x5 &+ x6 &+ x7
                let weighted = 8 &* x0 &+ 7 &* x1 &+ 6 &* x2 &+ 5 &* x3 &+ 4 &* x4 &+ 3 &* x5 &+ 2 &* x6 &+ x7
                b = b &+ 8 &* a &+ weighted
                a = a &+ sum
                i += 8
            }
            while i < n {
                a = a &+ UInt32(p[i])
                b = b &+ a
                i += 1
            }
            a %= Adler32.modulus
            b %= Adler32.modulus
            p += n
        }
        value = b << 16 | a
    }
}
