import ArgumentParser
import Foundation
import TernFormat
import TernRuntime

/// An artifact loaded for `tern run` / `bench` / `demo`: its bytes (kept alive here), the parsed tables, and
/// engines built on arenas this object owns.
final class LoadedModel {
    let path: String
    let bytes: UnsafeMutableRawBufferPointer
    let file: TernFile
    private var arenas: [UnsafeMutableRawBufferPointer] = []

    init(path: String) throws {
        self.path = path
        let data = try readFile(path)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(data.count, 1), alignment: 64)
        data.withUnsafeBytes { buffer.copyMemory(from: $0) }
        bytes = buffer
        let view = UnsafeRawBufferPointer(rebasing: buffer[0..<data.count])
        do { file = try TernFile(parsing: view) } catch {
            buffer.deallocate()
            throw CLIRuntimeError(path: path, error: RuntimeError.format(error))
        }
        do { try Plan.checkDeclaredArenas(file) } catch {
            buffer.deallocate()
            throw CLIRuntimeError(path: path, error: error)
        }
    }

    deinit {
        for a in arenas { a.deallocate() }
        bytes.deallocate()
    }

    var fileView: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[0..<Int(file.header.fileBytes)]) }

    /// An engine on a fresh arena of exactly the planned size (owned by this model).
    func engine(mode: ExecutionMode, batch: Int, policy: KernelPolicy = .costModel) throws -> Engine {
        do {
            let plan = try Plan(file: file, batch: batch, policy: policy)
            let size = plan.arenaBytes(mode)
            let arena = UnsafeMutableRawBufferPointer.allocate(byteCount: max(size, 64), alignment: 64)
            arenas.append(arena)
            return try Engine(file: file, bytes: fileView, arena: UnsafeMutableRawBufferPointer(rebasing: arena[0..<size]),
                              mode: mode, batch: batch, policy: policy)
        } catch {
            throw CLIRuntimeError(path: path, error: error)
        }
    }

    /// `--kernels`: the cost model's choice or one kernel family forced wherever it applies (for comparisons).
    static func policy(_ name: String) throws -> KernelPolicy {
        switch name {
        case "auto": return .costModel
        case "sparse": return .sparse
        case "dense": return .dense
        case "columns": return .columns
        case "sliced": return .sliced
        default: throw ValidationError("--kernels is auto, sparse, dense, columns or sliced")
        }
    }

    /// A metadata string, if present.
    func string(_ key: String) -> String? {
        if case .string(let s) = file.metadata(Array(key.utf8)) { return String(decoding: s, as: UTF8.self) }
        return nil
    }

    func uint(_ key: String) -> Int? {
        switch file.metadata(Array(key.utf8)) {
        case .uint64(let x): Int(exactly: x)
        case .uint32(let x): Int(x)
        default: nil
        }
    }

    func double(_ key: String) -> Double? {
        switch file.metadata(Array(key.utf8)) {
        case .float64(let x): x
        case .float32(let x): Double(x)
        default: nil
        }
    }
}

/// Classifies `images` (count × inputElements bytes) and returns predictions and logits.
/// With `layerSeconds`, also accumulates each layer's wall time (measured between the engine's layer callbacks).
/// `path` names the artifact in errors (a section that turns out corrupt while streaming).
func classifyAll(_ engine: Engine, images: [UInt8], count: Int, path: String = "", withLogits: Bool = true,
                 progress: ProgressBar? = nil,
                 layerSeconds: UnsafeMutableBufferPointer<Double>? = nil,
                 heartbeat: ProgressLines? = nil) throws -> (predictions: [Int32], logits: [Int64]) {
    var predictions = [Int32](repeating: 0, count: count)
    var logits = [Int64](repeating: 0, count: withLogits ? count * engine.plan.classCount : 0)
    let step = max(engine.plan.batch, 256)
    var done = 0
    while done < count {
        let n = min(step, count - done)
        let per = engine.plan.inputElements
        var mark = now()
        let hook: ((Int) -> Void)? = layerSeconds.map { seconds in
            { layer in
                let t = now()
                seconds[layer] += t - mark
                mark = t
            }
        }
        let failure: RuntimeError? = images.withUnsafeBytes { img in
            predictions.withUnsafeMutableBufferPointer { p in
                logits.withUnsafeMutableBufferPointer { l in
                    do throws(RuntimeError) {
                        try engine.classify(
                            images: UnsafeRawBufferPointer(rebasing: img[(done * per)..<((done + n) * per)]), count: n,
                            predictions: UnsafeMutableBufferPointer(rebasing: p[done..<(done + n)]),
                            logits: withLogits ? UnsafeMutableBufferPointer(rebasing: l[(done * engine.plan.classCount)..<((done + n) * engine.plan.classCount)]) : nil,
                            afterLayer: hook)
                        return nil
                    } catch { return error }
                }
            }
        }
        if let failure { throw CLIRuntimeError(path: path, error: failure) }
        done += n
        progress?.update(done)
        heartbeat?.update(done)
    }
    return (predictions, logits)
}

/// FNV-1a over the logits' little-endian bytes: one number that changes if any logit does.
func logitsChecksum(_ logits: [Int64]) -> String {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for v in logits {
        var x = UInt64(bitPattern: v)
        for _ in 0..<8 { h = (h ^ (x & 0xFF)) &* 0x100_0000_01b3; x >>= 8 }
    }
    return String(h, radix: 16)
}

/// Wall-clock seconds.
func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// A runtime error with the file it concerns, printed as a sentence.
struct CLIRuntimeError: Error, CustomStringConvertible {
    let path: String
    let error: Error
    var description: String {
        let what = (error as? RuntimeError).map(describe) ?? "\(error)"
        return path.isEmpty ? what : "\(path): \(what)"
    }
}
