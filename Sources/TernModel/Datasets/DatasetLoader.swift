import Foundation

extension Dataset {
    /// Loads one split of a dataset from `directory`, where each file may be plain or gzip'd (`.gz`).
    ///
    /// - Parameters:
    ///   - kind: the collection; nil detects it from the files present (CIFAR-10 batches → `cifar10`; IDX files →
    ///     the collection their labels identify (`IDXLoader.knownLabelPrefixes`), else `fashion-mnist` when the
    ///     directory's name contains "fashion", else `mnist`). A given kind that the files contradict is refused
    ///     (`DatasetError.kindMismatch`).
    ///   - limit: keep only the first `limit` examples (files are still validated in full for IDX).
    /// - Throws: `DatasetError` naming the file and what is wrong (missing, truncated, bad magic, count mismatch, …).
    public static func load(directory: String, kind: Kind? = nil, split: Split,
                            limit: Int? = nil) throws(DatasetError) -> Dataset {
        let resolved: Kind
        if let kind { resolved = kind } else { resolved = try detectKind(directory: directory) }
        switch resolved {
        case .mnist, .fashionMNIST:
            return try IDXLoader.load(directory: directory, kind: resolved, split: split, limit: limit)
        case .cifar10:
            return try CIFARLoader.load(directory: directory, split: split, limit: limit)
        }
    }

    /// The collection `directory` recognizably holds, from the files alone: CIFAR-10 batches, or IDX files whose labels
    /// start like the published MNIST or Fashion-MNIST ones. Nil when the files do not say (a custom or reordered set,
    /// or no dataset at all).
    public static func recognizedKind(directory: String) -> Kind? {
        if DatasetFiles.exists(CIFARLoader.trainFiles[0], in: directory)
            || DatasetFiles.exists(CIFARLoader.testFiles[0], in: directory) {
            return .cifar10
        }
        for split in [Split.test, .train] {
            let labels = IDXLoader.fileNames(split).labels
            guard DatasetFiles.exists(labels, in: directory),
                  let bytes = try? DatasetFiles.read(labels, in: directory).bytes else { continue }
            if let kind = IDXLoader.recognize(labels: bytes, split: split) { return kind }
        }
        return nil
    }

    /// The dataset kind whose files `directory` holds.
    public static func detectKind(directory: String) throws(DatasetError) -> Kind {
        if DatasetFiles.exists(CIFARLoader.trainFiles[0], in: directory)
            || DatasetFiles.exists(CIFARLoader.testFiles[0], in: directory) {
            return .cifar10
        }
        let idx = IDXLoader.fileNames(.train).images
        let idxTest = IDXLoader.fileNames(.test).images
        if DatasetFiles.exists(idx, in: directory) || DatasetFiles.exists(idxTest, in: directory) {
            if let kind = recognizedKind(directory: directory) { return kind }
            let name = (directory as NSString).standardizingPath.lowercased()
            return (name as NSString).lastPathComponent.contains("fashion") ? .fashionMNIST : .mnist
        }
        throw .unknownLayout(directory: directory)
    }
}
