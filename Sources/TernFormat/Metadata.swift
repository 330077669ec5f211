/// A typed metadata value. Strings are UTF-8 bytes: the format layer never needs `String`.
public enum MetadataValue: Equatable, Sendable {
    case uint32(UInt32)
    case int32(Int32)
    case uint64(UInt64)
    case int64(Int64)
    case float32(Float)
    case float64(Double)
    case bool(Bool)
    case string([UInt8])

    /// The type byte stored in the file.
    public var typeCode: UInt8 {
        switch self {
        case .uint32: 1
        case .int32: 2
        case .uint64: 3
        case .int64: 4
        case .float32: 5
        case .float64: 6
        case .bool: 7
        case .string: 8
        }
    }
}

/// One `lower.dotted` key and its value. Keys are ASCII `[a-z0-9_.]`, 1…64 bytes, unique, sorted by bytes.
public struct MetadataEntry: Equatable, Sendable {
    public var key: [UInt8]
    public var value: MetadataValue

    public init(key: [UInt8], value: MetadataValue) {
        self.key = key
        self.value = value
    }

    static func isValidKey(_ key: [UInt8]) -> Bool {
        guard !key.isEmpty, key.count <= Limits.keyLength else { return false }
        for c in key {
            let ok = (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x5F || c == 0x2E
            if !ok { return false }
        }
        return key.first != 0x2E && key.last != 0x2E
    }

    static func read(_ r: inout ByteReader, index: Int) throws(FormatError) -> MetadataEntry {
        let keyLength = Int(try r.u8())
        let key = try r.bytes(keyLength)
        guard isValidKey(key) else { throw .badMetadataKey(index: index) }
        let type = try r.u8()
        let value: MetadataValue
        switch type {
        case 1: value = .uint32(try r.u32())
        case 2: value = .int32(Int32(bitPattern: try r.u32()))
        case 3: value = .uint64(try r.u64())
        case 4: value = .int64(Int64(bitPattern: try r.u64()))
        case 5: value = .float32(Float(bitPattern: try r.u32()))
        case 6: value = .float64(Double(bitPattern: try r.u64()))
        case 7:
            let b = try r.u8()
            guard b <= 1 else { throw .badMetadataValue(index: index) }
            value = .bool(b == 1)
        case 8:
            let n = try r.u32()
            guard n <= UInt32(Limits.stringLength) else {
                throw .limitExceeded(.stringLength, value: UInt64(n), limit: UInt64(Limits.stringLength))
            }
            let s = try r.bytes(Int(n))
            guard isValidUTF8(s) else { throw .badMetadataValue(index: index) }
            value = .string(s)
        default: throw .badMetadataType(index: index, type: type)
        }
        return MetadataEntry(key: key, value: value)
    }

    func write(_ w: inout ByteWriter) {
        w.u8(UInt8(key.count))
        w.append(key)
        w.u8(value.typeCode)
        switch value {
        case .uint32(let v): w.u32(v)
        case .int32(let v): w.u32(UInt32(bitPattern: v))
        case .uint64(let v): w.u64(v)
        case .int64(let v): w.u64(UInt64(bitPattern: v))
        case .float32(let v): w.u32(v.bitPattern)
        case .float64(let v): w.u64(v.bitPattern)
        case .bool(let v): w.u8(v ? 1 : 0)
        case .string(let s): w.u32(UInt32(s.count)); w.append(s)
        }
    }
}

/// Whether `bytes` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
/// Written out because the runtime has no `String` (Embedded Swift).
func isValidUTF8(_ bytes: [UInt8]) -> Bool {
    var i = 0
    while i < bytes.count {
        let b = bytes[i]
        if b < 0x80 { i += 1; continue }
        let length: Int
        var lower: UInt8 = 0x80, upper: UInt8 = 0xBF  // the allowed range of the second byte
        switch b {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; upper = 0x9F
        case 0xF0: length = 4; lower = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; upper = 0x8F
        default: return false
        }
        guard i + length <= bytes.count, bytes[i + 1] >= lower, bytes[i + 1] <= upper else { return false }
        for k in 2..<length where bytes[i + k] & 0xC0 != 0x80 { return false }
        i += length
    }
    return true
}

/// Lexicographic byte order, the order keys are stored in.
func lexicographicallyPrecedes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    a.lexicographicallyPrecedes(b)
}
