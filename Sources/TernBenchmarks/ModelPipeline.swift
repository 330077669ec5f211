import Foundation
import TernModel
import TernTestSupport

/// `TernBenchmarks model`: the host-side model pipeline on an LFC-sized checkpoint at 95 % sparsity — checkpoint
/// write and load, folding, and the integer reference over 10,000 images — with a plain dense integer loop over
/// every weight (zeros included) on the same images as the peer for the reference's per-image time.
func runModelPipeline(arguments: [String]) throws {
    let json = arguments.contains("--json")
    let images = 10_000
    let peerImages = 1_000
    func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
    let checkpoint = FixtureCheckpoint.random(architecture: .lfc, sparsity: 0.95, seed: 1)
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tern-bench-model-\(getpid())").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let write = try seconds { try checkpoint.write(to: directory) }
    var loaded: Checkpoint?
    let load = try seconds { loaded = try Checkpoint.load(path: directory) }
    precondition(loaded == checkpoint, "round trip changed the checkpoint")
    var network: IntegerNetwork?
    let fold = try seconds { network = try checkpoint.folded() }
    let pixels = FixtureCheckpoint.randomImages(architecture: .lfc, count: images, seed: 2)
    var logits: [Int64] = []
    let reference = try seconds { logits = try IntegerReference.logits(network: network!, images: pixels, count: images) }
    var peerLogits: [Int64] = []
    let peer = seconds { peerLogits = denseIntegerLogits(network!, pixels, count: peerImages) }
    precondition(Array(logits.prefix(peerLogits.count)) == peerLogits, "the dense loop disagrees with the reference")
    let referencePerImage = reference / Double(images) * 1e6
    let peerPerImage = peer / Double(peerImages) * 1e6
    if json {
        print("{\"checkpointWriteSeconds\": \(fixed(write, 3)), \"checkpointLoadSeconds\": \(fixed(load, 3)), "
            + "\"foldSeconds\": \(fixed(fold, 3)), \"referenceMicrosecondsPerImage\": \(fixed(referencePerImage, 1)), "
            + "\"denseLoopMicrosecondsPerImage\": \(fixed(peerPerImage, 1)), "
            + "\"speedup\": \(fixed(peerPerImage / referencePerImage, 2))}")
    } else {
        print("LFC (784-1024-1024-1024-10), 95 % sparse ternary, fixture checkpoint (seed 1)")
        print("| step | time |")
        print("|---|---:|")
        print("| checkpoint write (model.json + model.safetensors) | \(fixed(write, 3)) s |")
        print("| checkpoint load + validate | \(fixed(load, 3)) s |")
        print("| fold to IntegerNetwork | \(fixed(fold, 3)) s |")
        print("| integer reference, \(images) images, all cores | \(fixed(referencePerImage, 1)) µs/image |")
        print("| peer: dense integer loop over all weights, 1 core, \(peerImages) images | \(fixed(peerPerImage, 1)) µs/image |")
        print("| ratio peer / reference | \(fixed(peerPerImage / referencePerImage, 2)) × |")
    }
}

/// The straightforward evaluation of a dense-only network: every weight, zero or not, one image after another.
private func denseIntegerLogits(_ network: IntegerNetwork, _ pixels: [UInt8], count: Int) -> [Int64] {
    var result: [Int64] = []
    for n in 0..<count {
        var x = pixels[(n * network.inputElements)..<((n + 1) * network.inputElements)].map { Int32($0) }
        for layer in network.layers {
            let r = layer.record
            let fanIn = r.fanIn
            var next = [Int32](repeating: 0, count: Int(r.outChannels))
            for c in 0..<Int(r.outChannels) {
                var acc: Int32 = 0
                for i in 0..<fanIn { acc &+= Int32(layer.weights[c * fanIn + i]) &* x[i] }
                if r.isFinal {
                    result.append(Int64(acc) * Int64(layer.logitScale[c]) + Int64(layer.logitBias[c]))
                } else {
                    let per = r.thresholdsPerChannel
                    next[c] = Int32((0..<per).count(where: { acc >= layer.thresholds[c * per + $0] }))
                }
            }
            x = next
        }
    }
    return result
}
