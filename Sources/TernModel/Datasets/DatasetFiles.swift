import Foundation
import TernZlib

/// Reads a dataset file that may be stored plain (`name`) or gzip'd (`name.gz`); plain wins when both exist.
enum DatasetFiles {
    /// Largest decompressed file accepted (CIFAR-10 batches are 30.7 MB, MNIST train images 47 MB).
    static let maxBytes = 256 << 20

    /// The path of `name` or `name.gz` inside `directory`, or nil when neither exists.
    static func locate(_ name: String, in directory: String) -> String? {
        let plain = (directory as NSString).appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: plain) { return plain }
        if FileManager.default.fileExists(atPath: plain + ".gz") { return plain + ".gz" }
        return nil
    }

    /// Whether `name` or `name.gz` exists in `directory`.
    static func exists(_ name: String, in directory: String) -> Bool { locate(name, in: directory) != nil }

    /// The decompressed bytes of `name` (or `name.gz`) and the path actually read (for error messages).
    static func read(_ name: String, in directory: String) throws(DatasetError) -> (bytes: [UInt8], path: String) {
        guard let path = locate(name, in: directory) else {
            throw .missingFile(directory: directory, name: name)
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(file: path) }
        let raw = [UInt8](data)
        guard path.hasSuffix(".gz") else { return (raw, path) }
        do {
            return (try gunzip(raw, maxOutputBytes: maxBytes), path)
        } catch {
            throw .decompressionFailed(file: path, reason: "\(error)")
        }
    }
}
