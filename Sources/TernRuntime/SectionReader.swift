import TernFormat

/// Arena bytes the inflater needs for a window of `2^windowBits` bytes (its state plus the window ring).
enum InflateMemory {
    /// Inflater state outside the window (Huffman tables, bit buffer). Set by the inflater in use.
    static let stateBytes = 0
    static func bytes(windowBits: Int) -> Int { stateBytes + (1 << windowBits) }
}

/// Delivers one section's decoded bytes in order, a chunk at a time, so consumers never need the whole decoded
/// section in memory. Uncompressed sections are one chunk that points into the file (execute-in-place).
struct SectionReader {
    let index: Int
    let record: SectionRecord
    private let stored: UnsafeRawBufferPointer
    private var done = false
    /// Decoded bytes delivered so far.
    private(set) var delivered: UInt64 = 0

    init(file: TernFile, bytes: UnsafeRawBufferPointer, index: Int,
         inflateMemory: UnsafeMutableRawBufferPointer) throws(RuntimeError) {
        self.index = index
        record = file.sections[index]
        stored = file.storedBytes(of: index, in: bytes)
        if record.compression == .zlib { throw .compressionUnavailable(section: index) }
    }

    /// The next chunk of decoded bytes, or nil after the last. Never delivers more than `decodedBytes` in total.
    mutating func next() throws(RuntimeError) -> UnsafeRawBufferPointer? {
        if done { return nil }
        done = true
        delivered = UInt64(stored.count)
        return stored
    }

    /// Reads the whole section once, checking its decoded length and CRC-32 (done once at load, not per inference).
    static func verify(file: TernFile, bytes: UnsafeRawBufferPointer, index: Int,
                       inflateMemory: UnsafeMutableRawBufferPointer) throws(RuntimeError) {
        var reader = try SectionReader(file: file, bytes: bytes, index: index, inflateMemory: inflateMemory)
        var crc = CRC32()
        while let chunk = try reader.next() { crc.update(chunk) }
        let s = reader.record
        guard reader.delivered == s.decodedBytes else {
            throw .corruptSection(index: index, problem: .tooLittleOutput(expected: s.decodedBytes,
                                                                          produced: reader.delivered))
        }
        guard crc.value == s.crc32 else {
            throw .corruptSection(index: index, problem: .checksum(stored: s.crc32, computed: crc.value))
        }
    }
}

/// Widens a thresholds or affine section to `Int32` into `destination` (`count` elements). Thresholds map their
/// type's minimum to `Int32.min` ("always reached") and maximum to `Int32.max` ("never reached").
func loadParameters(file: TernFile, bytes: UnsafeRawBufferPointer, section index: Int, count: Int,
                    into destination: UnsafeMutablePointer<Int32>,
                    inflateMemory: UnsafeMutableRawBufferPointer) throws(RuntimeError) {
    var reader = try SectionReader(file: file, bytes: bytes, index: index, inflateMemory: inflateMemory)
    let width = reader.record.layout.integerWidth ?? 4
    let isThreshold = reader.record.kind == .thresholds
    let shift = UInt32(32 - 8 * width)
    var element = 0
    var partial: UInt32 = 0
    var have = 0
    while let chunk = try reader.next() {
        for byte in chunk {
            partial |= UInt32(byte) << UInt32(8 * have)
            have += 1
            guard have == width else { continue }
            guard element < count else {
                throw .corruptSection(index: index, problem: .tooMuchOutput(limit: UInt64(count * width)))
            }
            // Sign-extend from `width` bytes.
            let value = Int32(bitPattern: partial << shift) >> Int32(shift)
            var widened = value
            if isThreshold && width < 4 {
                let maxValue = Int32(bitPattern: UInt32.max >> (shift + 1))
                if value == ~maxValue { widened = Int32.min } else if value == maxValue { widened = Int32.max }
            }
            destination[element] = widened
            element += 1
            partial = 0
            have = 0
        }
    }
    guard element == count, have == 0 else {
        throw .corruptSection(index: index, problem: .tooLittleOutput(expected: UInt64(count * width),
                                                                      produced: reader.delivered))
    }
}
