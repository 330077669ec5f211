import Foundation

/// Writes files so that a reader sees either the old file or the complete new one, never a partial one.
///
/// The bytes go to a hidden temporary file in the destination's directory (same file system), which is then renamed
/// over the destination; on any failure the temporary file is removed.
public enum AtomicFile {
    public struct WriteError: Error, Equatable, Sendable {
        public var path: String
        public var problem: String
    }

    public static func write(_ bytes: [UInt8], to path: String) throws(WriteError) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(
            ".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
        do {
            try Data(bytes).write(to: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw WriteError(path: path, problem: "cannot write: \(error.localizedDescription)")
        }
        if rename(temporary.path, url.path) != 0 {
            let problem = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw WriteError(path: path, problem: "cannot rename into place: \(problem)")
        }
    }
}
