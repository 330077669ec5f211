import TernFormat
import TernInflate

/// Arena bytes a zlib section needs: the inflater's Huffman tables, a `2^windowBits` window and room for the next
/// chunk of decoded bytes, which `SlidingInflater` keeps in one buffer.
enum InflateMemory {
    /// Decoded bytes delivered per inflater call at most.
    static let chunkBytes = 1024
    static func bytes(windowBits: Int) -> Int {
        SlidingInflater.workspaceBytes(windowBits: windowBits, pieceBytes: chunkBytes)
    }
}

/// Delivers one section's decoded bytes in order, a chunk at a time, so consumers never need the whole decoded
/// section in memory. Uncompressed sections are one chunk that points into the file (execute-in-place); zlib
/// sections are inflated through the arena's window, up to `InflateMemory.chunkBytes` at a time, and never past the
/// declared `decodedBytes` (a zlib bomb stops there with an error).
struct SectionReader {
    let index: Int
    let record: SectionRecord
    private let stored: UnsafeRawBufferPointer
    private var done = false
    /// Decoded bytes delivered so far.
    private(set) var delivered: UInt64 = 0
    private var inflater: SlidingInflater?
    private var consumed = 0

    init(file: TernFile, bytes: UnsafeRawBufferPointer, index: Int,
         inflateMemory: UnsafeMutableRawBufferPointer) throws(RuntimeError) {
        self.index = index
        record = file.sections[index]
        stored = file.storedBytes(of: index, in: bytes)
        if record.compression == .zlib {
            guard inflateMemory.count >= InflateMemory.bytes(windowBits: Int(record.windowBits)) else {
                throw .unsupportedSection(index: index)
            }
            do throws(InflateError) {
                inflater = try SlidingInflater(workspace: inflateMemory)
            } catch {
                throw .corruptSection(index: index, problem: .inflate(error))
            }
        }
    }

    /// The next chunk of decoded bytes, or nil after the last. Never delivers more than `decodedBytes` in total.
    /// A chunk stays valid until the next call.
    mutating func next() throws(RuntimeError) -> UnsafeRawBufferPointer? {
        if done { return nil }
        guard inflater != nil else {
            done = true
            delivered = UInt64(stored.count)
            return stored
        }
        let input = UnsafeBufferPointer(start: stored.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                        count: stored.count)
        while true {
            // Room for what is left, plus one byte so that output beyond the declared length is noticed.
            let left = record.decodedBytes - delivered
            let step: (consumed: Int, piece: UnsafeBufferPointer<UInt8>, finished: Bool)
            do throws(InflateError) {
                step = try inflater!.next(UnsafeBufferPointer(rebasing: input[consumed...]),
                                          limit: Int(min(UInt64(InflateMemory.chunkBytes), left + 1)))
            } catch {
                throw .corruptSection(index: index, problem: .inflate(error))
            }
            consumed += step.consumed
            let produced = step.piece.count
            guard UInt64(produced) <= left else {
                throw .corruptSection(index: index, problem: .tooMuchOutput(limit: record.decodedBytes))
            }
            delivered += UInt64(produced)
            if step.finished {
                done = true
                guard consumed == stored.count else {
                    throw .corruptSection(index: index, problem: .trailingBytes(stored.count - consumed))
                }
            }
            if produced > 0 { return UnsafeRawBufferPointer(step.piece) }
            if done { return nil }
            // Neither output nor the end: only possible when the input ran out mid-stream.
            guard step.consumed > 0 else {
                throw .corruptSection(index: index, problem: .inflate(.truncatedInput))
            }
        }
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
    let maxValue = Int32(bitPattern: UInt32.max >> (shift + 1))
    @inline(__always) func widen(_ value: Int32) -> Int32 {
        guard isThreshold && width < 4 else { return value }
        return value == ~maxValue ? Int32.min : value == maxValue ? Int32.max : value
    }
    while let chunk = try reader.next() {
        var rest = chunk[...]
        // Whole elements straight from the chunk while no element is split between chunks (the common case).
        if have == 0, let base = chunk.baseAddress {
            let whole = min(chunk.count / width, count - element)
            for k in 0..<whole {
                let raw: UInt32
                switch width {
                case 1: raw = UInt32(base.load(fromByteOffset: k, as: UInt8.self))
                case 2: raw = UInt32(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * k, as: UInt16.self)))
                default: raw = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * k, as: UInt32.self))
                }
                destination[element + k] = widen(Int32(bitPattern: raw << shift) >> Int32(shift))
            }
            element += whole
            rest = chunk[(whole * width)...]
        }
        for byte in rest {
            partial |= UInt32(byte) << UInt32(8 * have)
            have += 1
            guard have == width else { continue }
            guard element < count else {
                throw .corruptSection(index: index, problem: .tooMuchOutput(limit: UInt64(count * width)))
            }
            // Sign-extend from `width` bytes.
            destination[element] = widen(Int32(bitPattern: partial << shift) >> Int32(shift))
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
