import Foundation

/// Writes files so that a reader sees either the old file or the complete new one, never a partial one, even after
/// a crash or power loss.
///
/// The bytes go to a hidden temporary file `.<name>.tmp-<pid>-<random>` in the destination's directory (same file
/// system), are flushed with `fsync`, and the file is renamed over the destination; the directory is then flushed so
/// the rename itself is durable. On any failure the temporary file is removed. Temporary files of the same
/// destination that a killed process left behind (their PID no longer runs) are removed on the next write.
public enum AtomicFile {
    public struct WriteError: Error, Equatable, Sendable, CustomStringConvertible {
        public var path: String
        public var problem: String
        public var description: String { "\(path): \(problem)" }
    }

    public static func write(_ bytes: [UInt8], to path: String) throws(WriteError) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let prefix = ".\(url.lastPathComponent).tmp-"
        removeStaleTemporaries(prefix: prefix, in: directory)
        let temporary = directory + "/" + prefix
            + "\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WriteError(path: path, problem: "cannot write: \(String(cString: strerror(errno)))") }
        var failure: String?
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = "cannot write: \(String(cString: strerror(errno)))"
                    return
                }
                offset += n
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = "cannot flush: \(String(cString: strerror(errno)))" }
        if close(fd) != 0, failure == nil { failure = "cannot close: \(String(cString: strerror(errno)))" }
        if failure == nil, rename(temporary, path) != 0 {
            failure = "cannot rename into place: \(String(cString: strerror(errno)))"
        }
        if let failure {
            unlink(temporary)
            throw WriteError(path: path, problem: failure)
        }
        // Make the rename durable: without this a power loss can bring back the old directory entry.
        let dirFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            _ = fsync(dirFD)
            close(dirFD)
        }
    }

    /// Removes `<prefix><pid>-…` files in `directory` whose writer process no longer exists (killed mid-write).
    /// Files of running processes (another writer right now) are left alone.
    static func removeStaleTemporaries(prefix: String, in directory: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory)
        else { return }
        for name in names where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            guard let pid = rest.split(separator: "-").first.flatMap({ Int32($0) }), pid > 0 else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                unlink(directory + "/" + name)
            }
        }
    }
}
