import TernFormat

/// Where the artifact will run. The target decides the RAM budget for the runtime's arena, and through it the
/// largest zlib window a weight section may declare (the window is the biggest single buffer of streaming mode).
public enum CompileTarget: String, CaseIterable, Sendable {
    /// A desktop or server: no RAM constraint, windows up to 32 KiB.
    case host
    /// Cortex-M4/M7 class (e.g. STM32F4): 192 KiB of SRAM assumed.
    case cortexM4 = "cortex-m4"
    /// Cortex-M3 class (QEMU's lm3s6965evb): 64 KiB of SRAM.
    case cortexM3 = "cortex-m3"
    /// Cortex-M0/M0+ class (micro:bit v1): 16 KiB of SRAM.
    case cortexM0 = "cortex-m0"

    /// SRAM assumed for the target when `--ram` is not given; nil means unconstrained.
    public var defaultRAMKiB: Int? {
        switch self {
        case .host: nil
        case .cortexM4: 192
        case .cortexM3: 64
        case .cortexM0: 16
        }
    }

    /// Bytes of an `ramKiB` RAM that the arena may use: the rest is left to the stack, the firmware's own data and
    /// the input image (an eighth of RAM, at least 4 KiB).
    public static func arenaBudget(ramKiB: Int) -> Int {
        let ram = ramKiB * 1024
        return ram - max(4096, ram / 8)
    }
}

/// What the compiler records about where the model came from (written to metadata; never changes a result).
public struct ArtifactDescription: Equatable, Sendable {
    /// The trainer's seed (`training.seed`).
    public var seed: UInt64?
    /// The trainer's settings as JSON text (`training.recipe`).
    public var recipe: String?
    /// The trainer's integer-reference accuracy on the test set (`quality.integer_accuracy`).
    public var integerAccuracy: Double?
    /// How many test images that accuracy was measured on (`quality.test_images`).
    public var testImages: Int?
    /// Entries copied verbatim from an artifact being re-encoded; they win over the computed ones.
    public var carried: [MetadataEntry] = []

    public init(seed: UInt64? = nil, recipe: String? = nil, integerAccuracy: Double? = nil, testImages: Int? = nil) {
        self.seed = seed
        self.recipe = recipe
        self.integerAccuracy = integerAccuracy
        self.testImages = testImages
    }
}

/// What the compiler optimizes each section's encoding for (`tern compile --optimize`).
///
/// Streaming mode pays for a section's encoding on every pass over the weights: zlib saves bytes of flash or of
/// memory traffic and costs inflate work per decoded byte (docs/BENCHMARKS.md measures it: on a Cortex-M3 inflating
/// a token section costs several times what the fused kernel spends on its tokens). The choice is recorded per
/// section in its compression field and for the file in `compiler.optimize`.
public enum EncodingGoal: String, CaseIterable, Sendable {
    /// The smallest stored bytes per section (every layout × compression; the default).
    case size
    /// The cheapest to decode: every section stored uncompressed, in its smallest uncompressed layout.
    case speed
    /// zlib only where it earns its decode cost: where it stores a section in at most two thirds of the bytes of
    /// its smallest uncompressed form. Sparse token streams near their entropy (zlib saves ≈ 20 %) stay raw;
    /// packed or skewed sections that zlib halves stay compressed.
    case balanced

    /// zlib must store at most this fraction of the smallest uncompressed candidate to be chosen (`balanced`).
    static let balancedRatio = 2.0 / 3.0
}

/// Knobs of one compile. The defaults give the smallest artifact for a host.
public struct CompileOptions: Sendable {
    public var target: CompileTarget
    /// What each section's encoding is chosen for.
    public var goal: EncodingGoal
    /// RAM in KiB; overrides the target's default. nil: the target's default.
    public var ramKiB: Int?
    /// Remove hidden neurons nobody reads and fold constant neurons into their consumer (bit-exact; see
    /// docs/COMPRESSION.md). Changes the artifact's layer widths, never its outputs.
    public var eliminateDeadNeurons: Bool
    /// Section alignment in the file (power of two, 8…4096).
    public var alignment: UInt32
    /// Provenance written to metadata.
    public var description: ArtifactDescription
    /// Who computes the exact arenas written into the header.
    public var arenaPlanner: ArenaPlanner

    public init(
        target: CompileTarget = .host, ramKiB: Int? = nil, eliminateDeadNeurons: Bool = true, alignment: UInt32 = 32,
        description: ArtifactDescription = ArtifactDescription(),
        arenaPlanner: ArenaPlanner = .runtime, goal: EncodingGoal = .size
    ) {
        self.target = target
        self.goal = goal
        self.ramKiB = ramKiB
        self.eliminateDeadNeurons = eliminateDeadNeurons
        self.alignment = alignment
        self.description = description
        self.arenaPlanner = arenaPlanner
    }

    /// The arena budget in bytes, or nil when unconstrained.
    public var arenaBudgetBytes: Int? {
        (ramKiB ?? target.defaultRAMKiB).map(CompileTarget.arenaBudget(ramKiB:))
    }
}

/// Who computes an artifact's arena sizes.
public enum ArenaPlanner: Sendable {
    /// TernRuntime's `Plan` (batch 1): the sizes the runtime will demand. What `tern compile` uses.
    case runtime
    /// Write 0 and check no budget (for tests of everything else).
    case none
    /// A stand-in (tests of the budget logic); nil means "cannot plan".
    case custom(@Sendable ([UInt8]) -> ArenaSizes?)
}

/// The arenas the runtime needs for an artifact, in bytes.
public struct ArenaSizes: Equatable, Sendable {
    public var streaming: Int
    public var resident: Int
    public init(streaming: Int, resident: Int) {
        self.streaming = streaming
        self.resident = resident
    }
}
