/// The safetensors container (https://huggingface.co/docs/safetensors): `u64` little-endian header length, a JSON
/// header `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}`, then the data.
///
/// Tern reads and writes the three dtypes its checkpoints use. The reader is strict, because a checkpoint is input
/// from outside: header length within the file and at most `maximumHeaderBytes`, exact JSON shape, known dtypes,
/// `end − begin` equal to the shape's byte count, every offset inside the data, and the data covered exactly once
/// (no overlap, no holes). The writer is deterministic: tensors in name order, header padded with spaces to 8 bytes.
public struct Safetensors: Equatable, Sendable {
    public enum DType: String, Equatable, Sendable, CaseIterable {
        case f32 = "F32"
        case i8 = "I8"
        case u8 = "U8"

        public var byteSize: Int { self == .f32 ? 4 : 1 }
    }

    /// One tensor: dtype, shape and its raw little-endian bytes.
    public struct Tensor: Equatable, Sendable {
        public var dtype: DType
        public var shape: [Int]
        public var bytes: [UInt8]

        /// Elements the shape describes (1 for a scalar `[]`).
        public var elementCount: Int { shape.reduce(1, *) }

        public init(dtype: DType, shape: [Int], bytes: [UInt8]) {
            self.dtype = dtype
            self.shape = shape
            self.bytes = bytes
        }

        public init(float32 values: [Float], shape: [Int]) {
            var bytes = [UInt8]()
            bytes.reserveCapacity(values.count * 4)
            for v in values {
                let b = v.bitPattern.littleEndian
                bytes.append(UInt8(truncatingIfNeeded: b))
                bytes.append(UInt8(truncatingIfNeeded: b >> 8))
                bytes.append(UInt8(truncatingIfNeeded: b >> 16))
                bytes.append(UInt8(truncatingIfNeeded: b >> 24))
            }
            self.init(dtype: .f32, shape: shape, bytes: bytes)
        }

        public init(int8 values: [Int8], shape: [Int]) {
            self.init(dtype: .i8, shape: shape, bytes: values.map { UInt8(bitPattern: $0) })
        }

        public init(uint8 values: [UInt8], shape: [Int]) {
            self.init(dtype: .u8, shape: shape, bytes: values)
        }

        /// The values of an F32 tensor; nil for other dtypes.
        public var float32Values: [Float]? {
            guard dtype == .f32 else { return nil }
            return (0..<bytes.count / 4).map { i in
                let b = UInt32(bytes[4 * i]) | UInt32(bytes[4 * i + 1]) << 8 | UInt32(bytes[4 * i + 2]) << 16
                    | UInt32(bytes[4 * i + 3]) << 24
                return Float(bitPattern: b)
            }
        }

        /// The values of an I8 tensor; nil for other dtypes.
        public var int8Values: [Int8]? { dtype == .i8 ? bytes.map { Int8(bitPattern: $0) } : nil }
        /// The values of a U8 tensor; nil for other dtypes.
        public var uint8Values: [UInt8]? { dtype == .u8 ? bytes : nil }
    }

    /// Largest header accepted (the reference implementation uses 100 MB).
    public static let maximumHeaderBytes = 100_000_000

    public var tensors: [String: Tensor]
    /// The optional `__metadata__` string map.
    public var metadata: [String: String]

    public init(tensors: [String: Tensor] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }
}

/// Why a safetensors file was rejected or could not be written.
public enum SafetensorsError: Error, Equatable, Sendable {
    case tooShort(bytes: Int)
    case badHeaderLength(UInt64, fileBytes: Int)
    case badHeaderJSON(String)
    /// A header entry is not `{dtype, shape, data_offsets}` of the right types.
    case badEntry(tensor: String, problem: String)
    case unsupportedDType(tensor: String, dtype: String)
    case badOffsets(tensor: String, problem: String)
    case overlap(tensor: String, other: String)
    /// Bytes of the data area that no tensor owns.
    case unreferencedData(offset: Int)
    /// Writing: the shape does not match the number of bytes given.
    case sizeMismatch(tensor: String, expectedBytes: Int, actualBytes: Int)
}

extension Safetensors {
    /// Parses a whole file.
    public init(bytes: [UInt8]) throws(SafetensorsError) {
        guard bytes.count >= 8 else { throw .tooShort(bytes: bytes.count) }
        var headerLength: UInt64 = 0
        for i in 0..<8 { headerLength |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard headerLength >= 2, headerLength <= UInt64(Self.maximumHeaderBytes),
              headerLength <= UInt64(bytes.count - 8) else {
            throw .badHeaderLength(headerLength, fileBytes: bytes.count)
        }
        let dataStart = 8 + Int(headerLength)
        let dataBytes = bytes.count - dataStart
        let header: JSONValue
        do { header = try JSONValue.parse(bytes: Array(bytes[8..<dataStart])) } catch {
            throw .badHeaderJSON("\(error)")
        }
        guard let entries = header.objectValue else { throw .badHeaderJSON("the header is not a JSON object") }

        var tensors: [String: Tensor] = [:]
        var metadata: [String: String] = [:]
        var ranges: [(begin: Int, end: Int, name: String)] = []
        for (name, entry) in entries {
            if name == "__metadata__" {
                guard let m = entry.objectValue else { throw .badHeaderJSON("__metadata__ is not an object") }
                for (k, v) in m {
                    guard let s = v.stringValue else { throw .badHeaderJSON("__metadata__.\(k) is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let e = entry.objectValue else { throw .badEntry(tensor: name, problem: "not an object") }
            guard Set(e.keys) == ["dtype", "shape", "data_offsets"] else {
                throw .badEntry(tensor: name, problem: "keys must be dtype, shape, data_offsets; found "
                                + e.keys.sorted().joined(separator: ", "))
            }
            guard let dtypeName = e["dtype"]!.stringValue else { throw .badEntry(tensor: name, problem: "dtype not a string") }
            guard let dtype = DType(rawValue: dtypeName) else { throw .unsupportedDType(tensor: name, dtype: dtypeName) }
            guard let dims = e["shape"]!.arrayValue else { throw .badEntry(tensor: name, problem: "shape not an array") }
            var shape: [Int] = []
            var elements = 1
            for d in dims {
                guard let n = d.intValue, n >= 0, n <= Int(Int32.max) else {
                    throw .badEntry(tensor: name, problem: "shape entries must be integers in 0...2^31-1")
                }
                let (product, overflow) = elements.multipliedReportingOverflow(by: n)
                guard !overflow, product <= bytes.count else {
                    let text = dims.map { $0.intValue.map(String.init) ?? "?" }.joined(separator: ", ")
                    throw .badEntry(tensor: name, problem: "shape [\(text)] larger than the file")
                }
                elements = product
                shape.append(n)
            }
            guard let offsets = e["data_offsets"]!.arrayValue, offsets.count == 2,
                  let begin = offsets[0].intValue, let end = offsets[1].intValue else {
                throw .badEntry(tensor: name, problem: "data_offsets must be two integers")
            }
            guard begin >= 0, begin <= end, end <= dataBytes else {
                throw .badOffsets(tensor: name, problem: "[\(begin), \(end)] outside the \(dataBytes) data bytes")
            }
            guard end - begin == elements * dtype.byteSize else {
                throw .badOffsets(tensor: name, problem: "[\(begin), \(end)] holds \(end - begin) bytes, shape \(shape) "
                                  + "of \(dtype.rawValue) needs \(elements * dtype.byteSize)")
            }
            ranges.append((begin, end, name))
            tensors[name] = Tensor(dtype: dtype, shape: shape,
                                   bytes: Array(bytes[(dataStart + begin)..<(dataStart + end)]))
        }
        // The data must be covered exactly once: sorted by start, each range begins where the previous ended.
        ranges.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var covered = 0
        var previous = ""
        for r in ranges {
            if r.begin < covered { throw .overlap(tensor: r.name, other: previous) }
            if r.begin > covered { throw .unreferencedData(offset: covered) }
            if r.end > r.begin || covered == 0 { previous = r.name }
            covered = r.end
        }
        guard covered == dataBytes else { throw .unreferencedData(offset: covered) }
        self.init(tensors: tensors, metadata: metadata)
    }

    /// The file bytes: tensors in name order, contiguous; the header is compact JSON with sorted keys padded with
    /// spaces to a multiple of 8 bytes so the data is aligned.
    public func serialized() throws(SafetensorsError) -> [UInt8] {
        var header: [String: JSONValue] = [:]
        if !metadata.isEmpty { header["__metadata__"] = .object(metadata.mapValues { .string($0) }) }
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            let t = tensors[name]!
            let expected = t.elementCount * t.dtype.byteSize
            guard t.shape.allSatisfy({ $0 >= 0 }), expected == t.bytes.count else {
                throw .sizeMismatch(tensor: name, expectedBytes: expected, actualBytes: t.bytes.count)
            }
            header[name] = .object([
                "dtype": .string(t.dtype.rawValue), "shape": .array(t.shape.map { .int($0) }),
                "data_offsets": .array([.int(offset), .int(offset + expected)]),
            ])
            offset += expected
        }
        var headerBytes: [UInt8]
        do { headerBytes = Array(try JSONValue.object(header).compactSerialized().utf8) } catch {
            throw .badHeaderJSON("\(error)")
        }
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        var out = [UInt8]()
        out.reserveCapacity(8 + headerBytes.count + offset)
        let n = UInt64(headerBytes.count)
        for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: n >> (8 * UInt64(i)))) }
        out += headerBytes
        for name in names { out += tensors[name]!.bytes }
        return out
    }
}
