import Testing
import TernModel

@Suite struct SafetensorsTests {
    static let sample = Safetensors(
        tensors: [
            "b": .init(float32: [1.5, -0.0, .greatestFiniteMagnitude, -3], shape: [2, 2]),
            "a": .init(int8: [-1, 0, 1], shape: [3]),
            "c": .init(uint8: [7], shape: []),
        ],
        metadata: ["k": "v"])

    /// A file with a hand-written header over `data`.
    static func file(header: String, data: [UInt8]) -> [UInt8] {
        let h = Array(header.utf8)
        let n = UInt64(h.count)
        return (0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * UInt64($0))) } + h + data
    }

    @Test func roundTrip() throws {
        let bytes = try Self.sample.serialized()
        let back = try Safetensors(bytes: bytes)
        #expect(back == Self.sample)
        #expect(back.tensors["b"]!.float32Values! == [1.5, -0.0, .greatestFiniteMagnitude, -3])
        #expect(back.tensors["a"]!.int8Values! == [-1, 0, 1])
        #expect(try back.serialized() == bytes)
        #expect((bytes.count - 20 - 8) % 8 == 0, "header padded to 8 bytes")
        // Tensors in name order: a (3 bytes) then b (16) then c (1).
        #expect(Array(bytes.suffix(20)) == [0xFF, 0x00, 0x01] + Self.sample.tensors["b"]!.bytes + [7])
    }

    @Test func readsAForeignHeaderLayout() throws {
        // Keys in another order, tensors stored in non-name order, extra whitespace: all legal.
        let bytes = Self.file(
            header: #"{ "y": {"shape": [1], "dtype": "U8", "data_offsets": [0, 1]}, "x": {"data_offsets": [1, 3], "dtype": "I8", "shape": [2]} }"#,
            data: [9, 0xFF, 1])
        let f = try Safetensors(bytes: bytes)
        #expect(f.tensors["y"]!.uint8Values == [9])
        #expect(f.tensors["x"]!.int8Values == [-1, 1])
    }

    /// Bytes written by the reference implementation (Python `safetensors` 0.8.0, `save_file`): tensors not in name
    /// order, no header padding.
    @Test func readsTheReferenceImplementation() throws {
        let header = #"{"layers.0.x":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"b":{"dtype":"I8","shape":[3],"data_offsets":[24,27]}}"#
        let data: [UInt8] = [0, 0, 0, 0, 0, 0, 0x80, 0x3F, 0, 0, 0, 0x40, 0, 0, 0x40, 0x40, 0, 0, 0x80, 0x40, 0, 0, 0xA0, 0x40,
                             0xFF, 0, 1]
        let f = try Safetensors(bytes: Self.file(header: header, data: data))
        #expect(f.tensors["layers.0.x"]!.float32Values == [0, 1, 2, 3, 4, 5])
        #expect(f.tensors["layers.0.x"]!.shape == [2, 3])
        #expect(f.tensors["b"]!.int8Values == [-1, 0, 1])
    }

    @Test func rejectsCorruptFiles() throws {
        func rejects(_ bytes: [UInt8], _ expected: SafetensorsError, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(throws: expected, sourceLocation: sourceLocation) { try Safetensors(bytes: bytes) }
        }
        rejects([1, 2, 3], .tooShort(bytes: 3))
        var huge = try Self.sample.serialized()
        huge[7] = 0x10
        rejects(huge, .badHeaderLength(huge.prefix(8).enumerated().reduce(0) { $0 | UInt64($1.1) << (8 * UInt64($1.0)) },
                                       fileBytes: huge.count))
        let truncated = Array(try Self.sample.serialized().dropLast())
        #expect(throws: SafetensorsError.self) { try Safetensors(bytes: truncated) }
        rejects(Self.file(header: "[1]", data: []), .badHeaderJSON("the header is not a JSON object"))
        rejects(Self.file(header: #"{"a": {"dtype": "F16", "shape": [1], "data_offsets": [0, 2]}}"#, data: [0, 0]),
                .unsupportedDType(tensor: "a", dtype: "F16"))
        rejects(Self.file(header: #"{"a": {"dtype": "U8", "shape": [2], "data_offsets": [0, 3]}}"#, data: [0, 0, 0]),
                .badOffsets(tensor: "a", problem: "[0, 3] holds 3 bytes, shape [2] of U8 needs 2"))
        rejects(Self.file(header: #"{"a": {"dtype": "U8", "shape": [2], "data_offsets": [1, 3]}}"#, data: [0, 0]),
                .badOffsets(tensor: "a", problem: "[1, 3] outside the 2 data bytes"))
        rejects(Self.file(header: #"{"a": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]}, "b": {"dtype": "U8", "shape": [2], "data_offsets": [1, 3]}}"#,
                          data: [0, 0, 0]), .overlap(tensor: "b", other: "a"))
        rejects(Self.file(header: #"{"a": {"dtype": "U8", "shape": [1], "data_offsets": [1, 2]}}"#, data: [0, 0]),
                .unreferencedData(offset: 0))
        rejects(Self.file(header: #"{"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}}"#, data: [0, 0]),
                .unreferencedData(offset: 1))
        rejects(Self.file(header: #"{"a": {"dtype": "U8", "shape": [-1], "data_offsets": [0, 0]}}"#, data: []),
                .badEntry(tensor: "a", problem: "shape entries must be integers in 0...2^31-1"))
        rejects(Self.file(header: #"{"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1], "x": 1}}"#, data: [0]),
                .badEntry(tensor: "a", problem: "keys must be dtype, shape, data_offsets; found data_offsets, dtype, shape, x"))
        rejects(Self.file(header: #"{"a": {"dtype": "U8", "shape": [65536, 65536, 65536], "data_offsets": [0, 1]}}"#, data: [0]),
                .badEntry(tensor: "a", problem: "shape [65536, 65536, 65536] larger than the file"))
        rejects(Self.file(header: #"{"__metadata__": {"k": 1}}"#, data: []), .badHeaderJSON("__metadata__.k is not a string"))
    }

    @Test func writerChecksSizes() {
        let bad = Safetensors(tensors: ["w": .init(dtype: .f32, shape: [2], bytes: [0, 0, 0])])
        #expect(throws: SafetensorsError.sizeMismatch(tensor: "w", expectedBytes: 8, actualBytes: 3)) {
            try bad.serialized()
        }
    }
}
