/// Why a dataset could not be loaded. Every case names the file (or directory) and what is wrong with it.
public enum DatasetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The directory has none of the files any known dataset kind uses.
    case unknownLayout(directory: String)
    /// A file the dataset needs is absent (neither `name` nor `name.gz` exists).
    case missingFile(directory: String, name: String)
    /// The file exists but cannot be read.
    case unreadable(file: String)
    /// A `.gz` file whose gzip stream is damaged or would expand past a sane limit.
    case decompressionFailed(file: String, reason: String)
    /// The file is shorter (or longer) than its header or record size promises.
    case wrongSize(file: String, expected: Int, actual: Int)
    /// An IDX file whose magic number is not the expected one.
    case badMagic(file: String, expected: UInt32, found: UInt32)
    /// Header dimensions that are zero or not what this dataset kind uses.
    case badDimensions(file: String, detail: String)
    /// The image file and the label file disagree on the number of examples.
    case countMismatch(images: String, imageCount: Int, labels: String, labelCount: Int)
    /// A label outside `0 ..< classes`.
    case labelOutOfRange(file: String, index: Int, label: Int, classes: Int)
    /// The files are a known collection other than the one asked for (MNIST given as Fashion-MNIST, or the
    /// reverse); recognized by the label file's first labels (`IDXLoader.knownLabelPrefixes`).
    case kindMismatch(file: String, requested: Dataset.Kind, found: Dataset.Kind)
    /// A split with no images.
    case empty(file: String)

    public var description: String {
        switch self {
        case .unknownLayout(let d):
            return "\(d): no MNIST-style IDX files (train-images-idx3-ubyte[.gz] …) and no CIFAR-10 batches (data_batch_1.bin[.gz] …)"
        case .missingFile(let d, let n): return "\(d): missing \(n) (or \(n).gz)"
        case .unreadable(let f): return "\(f): cannot read file"
        case .decompressionFailed(let f, let r): return "\(f): gzip decompression failed (\(r))"
        case .wrongSize(let f, let e, let a): return "\(f): truncated or oversized: expected \(e) bytes, found \(a)"
        case .badMagic(let f, let e, let found):
            return "\(f): bad magic number 0x\(String(found, radix: 16)), expected 0x\(String(e, radix: 16))"
        case .badDimensions(let f, let d): return "\(f): bad dimensions: \(d)"
        case .countMismatch(let i, let ic, let l, let lc):
            return "count mismatch: \(i) has \(ic) images but \(l) has \(lc) labels"
        case .labelOutOfRange(let f, let i, let l, let c): return "\(f): label \(l) at index \(i) is not in 0..<\(c)"
        case .kindMismatch(let f, let r, let found):
            return "\(f): these are \(found.rawValue) files, not \(r.rawValue) (the labels are \(found.rawValue)'s)"
        case .empty(let f): return "\(f): holds no images"
        }
    }
}
