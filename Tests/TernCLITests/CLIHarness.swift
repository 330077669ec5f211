import Foundation
import TernTestSupport

/// Runs the built `tern` binary as a user would and captures what it says.
enum TernCLI {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// Whether the process died of a signal (a Swift trap) instead of exiting.
        var crashed: Bool
        /// Whether it was still running after the timeout and was killed (its status is then meaningless).
        var timedOut: Bool
    }

    /// The repository root (commands run there, as the README's examples do).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// `tern` next to the test bundle (SwiftPM builds it: this target depends on it).
    /// `TERN_CLI_BINARY` overrides it (to run these tests against another build, e.g. one without a fix).
    static var binary: String {
        if let override = ProcessInfo.processInfo.environment["TERN_CLI_BINARY"] { return override }
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundleDirectory.appendingPathComponent("tern").path,
                          bundleDirectory.deletingLastPathComponent().appendingPathComponent("tern").path,
                          root + "/.build/debug/tern"] where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return root + "/.build/debug/tern"
    }

    static func run(_ arguments: [String], environment: [String: String] = [:],
                    timeout: TimeInterval = 120) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: root)
        var env = ProcessInfo.processInfo.environment
        env["SWIFT_BACKTRACE"] = "enable=no"
        for (k, v) in environment { env[k] = v }
        process.environment = env
        // Files rather than pipes: nothing to drain while the process runs.
        let tag = UUID().uuidString
        let outPath = NSTemporaryDirectory() + "tern-cli-\(tag).out", errPath = NSTemporaryDirectory() + "tern-cli-\(tag).err"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        let out = FileHandle(forWritingAtPath: outPath)!, err = FileHandle(forWritingAtPath: errPath)!
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // A hang is a failure too (an old `bench-train --steps 0` looped forever): stop it after `timeout`.
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline {
                timedOut = true
                kill(process.processIdentifier, SIGKILL)
                break
            }
            usleep(10_000)
        }
        process.waitUntilExit()
        try out.close()
        try err.close()
        let outData = FileManager.default.contents(atPath: outPath) ?? Data()
        let errData = FileManager.default.contents(atPath: errPath) ?? Data()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self),
                      crashed: process.terminationReason == .uncaughtSignal && !timedOut, timedOut: timedOut)
    }
}

/// Small dataset directories and architectures for the CLI tests.
enum CLIFixtures {
    /// A 784-32-10 network (SFC's shape, narrower): trains in a fraction of a second, so the CLI tests stay fast.
    static let tinyArchitecture = """
        {"input": {"channels": 1, "height": 28, "offset": 0.0, "scale": 0.00392156862745098, "width": 28},
         "layers": [{"activation": {"bits": 1, "offset": -1.0, "scale": 2.0, "thresholds": [0.0]}, "kind": "dense", "out": 32},
                    {"kind": "dense", "out": 10}],
         "name": "tiny"}
        """

    /// Writes `tinyArchitecture` into `directory` and returns its path (for `tern train --arch`).
    static func tinyArchitectureFile(in directory: String) -> String {
        let path = directory + "/tiny.json"
        _ = FileManager.default.createFile(atPath: path, contents: Data(tinyArchitecture.utf8))
        return path
    }

    /// MNIST's published first 16 training labels: a directory whose train label file starts like this is
    /// recognized as MNIST.
    static let mnistTrainLabelPrefix: [UInt8] = [5, 0, 4, 1, 9, 2, 1, 3, 1, 4, 3, 5, 3, 6, 1, 7]

    /// An IDX directory with `train` and `test` images of `rows`×`cols` (labels cycling 0…9, or `trainLabels`).
    static func idxDirectory(train: Int, test: Int, rows: Int = 28, cols: Int = 28,
                             trainLabels: [UInt8]? = nil) -> String {
        let dir = DatasetFixtures.temporaryDirectory("tern-cli")
        for (split, n, labels) in [("train", train, trainLabels), ("t10k", test, nil)] {
            let (images, synthetic) = DatasetFixtures.syntheticDigits(count: n, side: 28, seed: UInt64(n))
            var pixels = images
            if rows * cols != 28 * 28 { pixels = (0 ..< n * rows * cols).map { UInt8($0 % 251) } }
            var l = synthetic
            if let labels { for i in 0 ..< min(labels.count, n) { l[i] = labels[i] } }
            DatasetFixtures.write(DatasetFixtures.idxImages(pixels, count: n, rows: rows, cols: cols),
                                  "\(split)-images-idx3-ubyte", in: dir)
            DatasetFixtures.write(DatasetFixtures.idxLabels(l), "\(split)-labels-idx1-ubyte", in: dir)
        }
        return dir
    }
}
