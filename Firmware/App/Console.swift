import FirmwareSupport

/// Line-buffered text output over semihosting without `String` (which would pull ~25 KB of Unicode tables into
/// flash): static text, decimal and hexadecimal integers, flushed at each newline.
struct Console {
    private var line: [UInt8] = []

    init() { line.reserveCapacity(96) }

    mutating func text(_ s: StaticString) {
        s.withUTF8Buffer { for b in $0 { line.append(b) } }
    }

    mutating func bytes(_ b: [UInt8]) { line.append(contentsOf: b) }

    mutating func int<T: BinaryInteger>(_ value: T) {
        var v = Int64(value)
        if v < 0 { line.append(UInt8(ascii: "-")) }
        var digits: [UInt8] = []
        repeat {
            let d = v % 10
            digits.append(UInt8(ascii: "0") + UInt8(d < 0 ? -d : d))
            v /= 10
        } while v != 0
        line.append(contentsOf: digits.reversed())
    }

    mutating func hex32(_ value: UInt32) {
        text("0x")
        for shift in stride(from: 28, through: 0, by: -4) {
            let nibble = UInt8((value >> UInt32(shift)) & 0xF)
            line.append(nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10)
        }
    }

    /// Lowercase hexadecimal without a prefix or leading zeros (as Swift's `String(value, radix: 16)`).
    mutating func hex(_ value: UInt64) {
        var v = value
        var digits: [UInt8] = []
        repeat {
            let nibble = UInt8(v & 0xF)
            digits.append(nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10)
            v >>= 4
        } while v != 0
        line.append(contentsOf: digits.reversed())
    }

    mutating func newline() {
        line.append(UInt8(ascii: "\n"))
        line.withUnsafeBufferPointer { tern_write_bytes($0.baseAddress, $0.count) }
        line.removeAll(keepingCapacity: true)
    }
}
