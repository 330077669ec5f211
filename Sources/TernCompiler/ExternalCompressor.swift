import Foundation

/// A general-purpose compressor run as a real program (gzip -9, xz -9, zstd -19, bzip2 -9), for the size table.
/// Running the installed tool (not a library) makes the column exactly what a user would get from the shell.
public struct ExternalCompressor: Sendable, Hashable {
    /// Column name, e.g. "gzip -9".
    public var name: String
    public var program: String
    public var arguments: [String]

    public static let all: [ExternalCompressor] = [
        ExternalCompressor(name: "gzip -9", program: "gzip", arguments: ["-9", "-n", "-c"]),
        ExternalCompressor(name: "xz -9", program: "xz", arguments: ["-9", "-c", "-T1"]),
        ExternalCompressor(name: "zstd -19", program: "zstd", arguments: ["-19", "-q", "-c", "--single-thread"]),
        ExternalCompressor(name: "bzip2 -9", program: "bzip2", arguments: ["-9", "-c"]),
    ]

    /// The program's path on `PATH`, or nil when it is not installed.
    public var executablePath: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Compressed size of `input` in bytes; nil when the program is not installed or fails.
    public func compressedSize(of input: [UInt8]) -> Int? {
        guard let executable = executablePath else { return nil }
        let directory = FileManager.default.temporaryDirectory.path
        let inputPath = "\(directory)/tern-sizes-\(getpid())-\(program).bin"
        guard FileManager.default.createFile(atPath: inputPath, contents: Data(input)) else { return nil }
        defer { try? FileManager.default.removeItem(atPath: inputPath) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments + [inputPath]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return data.count
    }
}
