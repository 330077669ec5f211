import Foundation

extension Dataset {
    /// Loads one split of a dataset from `directory`, where each file may be plain or gzip'd (`.gz`).
    ///
    /// - Parameters:
    ///   - kind: the collection; nil detects it from the files present (CIFAR-10 batches → `cifar10`; IDX files →
    ///     `fashion-mnist` when the directory's name contains "fashion", else `mnist`: the two are the same format).
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

    /// The dataset kind whose files `directory` holds.
    public static func detectKind(directory: String) throws(DatasetError) -> Kind {
        if DatasetFiles.exists(CIFARLoader.trainFiles[0], in: directory)
            || DatasetFiles.exists(CIFARLoader.testFiles[0], in: directory) {
            return .cifar10
        }
        let idx = IDXLoader.fileNames(.train).images
        let idxTest = IDXLoader.fileNames(.test).images
        if DatasetFiles.exists(idx, in: directory) || DatasetFiles.exists(idxTest, in: directory) {
            let name = (directory as NSString).standardizingPath.lowercased()
            return (name as NSString).lastPathComponent.contains("fashion") ? .fashionMNIST : .mnist
        }
        throw .unknownLayout(directory: directory)
    }
}
