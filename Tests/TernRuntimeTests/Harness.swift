import TernFormat
import TernRuntime
import TernTestSupport

/// Runs an artifact through the engine on a freshly allocated arena of exactly the planned size.
func engineLogits(_ file: [UInt8], images: [UInt8], count: Int, mode: ExecutionMode, batch: Int,
                  policy: KernelPolicy = .costModel) throws -> (logits: [Int64], predictions: [Int32]) {
    let parsed = try TernFile(parsing: file)
    let plan = try Plan(file: parsed, batch: batch, policy: policy)
    let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: max(plan.arenaBytes(mode), 1), alignment: 64)
    defer { arena.deallocate() }
    // Garbage in the arena must not matter.
    arena.initializeMemory(as: UInt8.self, repeating: 0xA5)
    var logits = [Int64](repeating: 0, count: count * plan.classCount)
    var predictions = [Int32](repeating: -1, count: count)
    try file.withUnsafeBytes { bytes in
        let engine = try Engine(file: parsed, bytes: bytes, arena: UnsafeMutableRawBufferPointer(rebasing: arena[0..<plan.arenaBytes(mode)]),
                                mode: mode, batch: batch, policy: policy)
        try images.withUnsafeBytes { img in
            try predictions.withUnsafeMutableBufferPointer { p in
                try logits.withUnsafeMutableBufferPointer { l in
                    try engine.classify(images: img, count: count, predictions: p, logits: l)
                }
            }
        }
    }
    return (logits, predictions)
}

func referenceLogits(_ file: [UInt8], images: [UInt8], count: Int) throws -> [Int64] {
    let parsed = try TernFile(parsing: file)
    return try file.withUnsafeBytes { bytes in
        try images.withUnsafeBytes { img in try Reference.logits(file: parsed, bytes: bytes, images: img, count: count) }
    }
}

func randomImages(_ count: Int, elements: Int, seed: UInt64) -> [UInt8] {
    var rng = SeededGenerator(seed: seed)
    // Mostly dark with bright strokes, like the datasets, so both small and large pixels occur.
    return (0..<(count * elements)).map { _ in
        Int.random(in: 0..<3, using: &rng) == 0 ? UInt8.random(in: 0...255, using: &rng) : 0
    }
}

/// Checks every mode × kernel policy × batch size against the reference; returns the reference logits.
@discardableResult
func expectAllPathsMatch(_ file: [UInt8], inputElements: Int, count: Int = 5, seed: UInt64 = 1) throws -> [Int64] {
    let images = randomImages(count, elements: inputElements, seed: seed)
    let expected = try referenceLogits(file, images: images, count: count)
    for mode in [ExecutionMode.streaming, .resident] {
        for policy in [KernelPolicy.costModel, .sparse, .dense, .sliced, .columns] where mode == .resident || policy != .dense {
            for batch in [1, 3, 64] {
                let got = try engineLogits(file, images: images, count: count, mode: mode, batch: batch, policy: policy)
                guard got.logits == expected else {
                    throw Mismatch(mode: mode, policy: policy, batch: batch)
                }
                guard got.predictions == Reference.argmax(expected, classes: expected.count / count) else {
                    throw Mismatch(mode: mode, policy: policy, batch: batch)
                }
            }
        }
    }
    return expected
}

struct Mismatch: Error, CustomStringConvertible {
    let mode: ExecutionMode
    let policy: KernelPolicy
    let batch: Int
    var description: String { "engine differs from Reference: mode \(mode), policy \(policy), batch \(batch)" }
}
