import Foundation
import TernFormat
import TernRuntime

/// Prints what the firmware must print for these inputs, computed by the host build of the same runtime in the
/// same (streaming) mode. The line formats are Firmware/App/Main.swift's; the test compares them byte for byte.
func printReference(model: String, images: String, labels: String) throws {
    let bytes = try read(model)
    let pixels = try read(images)
    let truth = try read(labels)
    let file = try TernFile(parsing: bytes)
    let plan = try Plan(file: file)
    var arena = [UInt8](repeating: 0, count: plan.arenaBytes(.streaming) + 64)
    let count = min(pixels.count / plan.inputElements, truth.count)
    var predictions = [Int32](repeating: 0, count: count)
    var logits = [Int64](repeating: 0, count: count * plan.classCount)
    try bytes.withUnsafeBytes { model in
        try arena.withUnsafeMutableBytes { raw in
            // The engine wants a 64-byte aligned arena; the array is over-allocated by 64 to find one.
            let skip = (64 - Int(bitPattern: raw.baseAddress!) % 64) % 64
            let aligned = UnsafeMutableRawBufferPointer(rebasing: raw[skip..<(skip + plan.arenaBytes(.streaming))])
            let engine = try Engine(file: file, bytes: model, arena: aligned, mode: .streaming, batch: 1)
            try pixels.withUnsafeBytes { images in
                try predictions.withUnsafeMutableBufferPointer { p in
                    try logits.withUnsafeMutableBufferPointer { l in
                        try engine.classify(images: images, count: count, predictions: p, logits: l)
                    }
                }
            }
        }
    }
    var checksum: UInt64 = 0xcbf2_9ce4_8422_2325 // FNV-1a 64, as `tern run`'s logitsChecksum
    var correct = 0
    for i in 0..<count {
        let row = logits[(i * plan.classCount)..<((i + 1) * plan.classCount)]
        for value in row {
            var x = UInt64(bitPattern: value)
            for _ in 0..<8 { checksum = (checksum ^ (x & 0xFF)) &* 0x100_0000_01b3; x >>= 8 }
        }
        if predictions[i] == Int32(truth[i]) { correct += 1 }
        print("image \(i) label \(truth[i]) predicted \(predictions[i]) logits " + row.map { String($0) }.joined(separator: " "))
    }
    print("accuracy \(correct)/\(count)")
    print("logits-checksum " + String(checksum, radix: 16))
}

/// The firmware-comparable lines of a `tern run --json` report (RunReport in Sources/tern/RunCommand.swift).
func printTernRunSummary(json path: String) throws {
    let data = try read(path)
    guard let report = try JSONSerialization.jsonObject(with: Data(data)) as? [String: Any],
          let images = report["images"] as? Int, let correct = report["correct"] as? Int,
          let checksum = report["logitsChecksum"] as? String, let first = report["firstPredictions"] as? [Int]
    else { throw HostError("\(path) is not a `tern run --json` report (images, correct, logitsChecksum, firstPredictions)") }
    print("accuracy \(correct)/\(images)")
    print("logits-checksum \(checksum)")
    print("first-predictions " + first.map(String.init).joined(separator: " "))
}
