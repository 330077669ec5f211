import ArgumentParser
import Foundation

/// A problem with a file or the data in it (not with the command line): `tern` prints the message alone and exits 1.
/// Command-line mistakes are `ValidationError`s instead (usage text, exit 64). The message names the file.
struct InputError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// Reads a whole file, turning I/O failures into a message that names the path.
func readFile(_ path: String) throws -> [UInt8] {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
        throw InputError("\(path): is a directory, not a file")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
        throw InputError("cannot read \(path): no such file or not readable")
    }
    return [UInt8](data)
}

/// Pretty, key-sorted JSON for `--json` reports (sorted so output is stable across runs).
func jsonString<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

/// Right-aligns `s` in `width` columns.
func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
}

/// Left-aligns `s` in `width` columns.
func padRight(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
}

/// Refuses an output path whose parent directory does not exist (a typo would otherwise create a whole tree), or
/// that exists and is not a directory. The directory itself may or may not exist.
func checkOutputDirectory(_ path: String) throws {
    let url = URL(fileURLWithPath: path)
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
        guard isDirectory.boolValue else { throw InputError("\(path): exists and is not a directory") }
        return
    }
    let parent = url.deletingLastPathComponent().path
    guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw InputError("\(path): directory \(parent) does not exist (create it first)")
    }
}
