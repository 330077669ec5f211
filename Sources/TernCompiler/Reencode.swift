import TernFormat
import TernModel

extension Compiler {
    /// Re-encodes an existing artifact's sections for `options.goal` and target: the same layers, weights,
    /// thresholds and metadata (only `compiler.*` is rewritten), so every logit stays the same; each section's
    /// layout and compression are chosen again and the header's arenas are planned again. This is how a model
    /// compiled for size becomes one compiled for speed without its checkpoint (`tern compile model.tern …`).
    public static func reencode(_ bytes: [UInt8], options: CompileOptions) throws(CompileError) -> CompiledArtifact {
        let decoded: IntegerNetwork
        let file: TernFile
        do { decoded = try ArtifactDecoder.decode(bytes).network } catch { throw .badArtifact(error.description) }
        do { file = try TernFile(parsing: bytes) } catch { throw .badArtifact("\(error)") }
        var options = options
        options.description.carried = file.metadata.filter { !$0.key.starts(with: Array("compiler.".utf8)) }
        return try fit(decoded, original: decoded, removed: 0, options: options)
    }
}
