/// Everything that decides a training run (besides data and architecture). Stored verbatim in `model.json`'s
/// `recipe`, so a checkpoint says how it was made; `--resume` refuses a different recipe.
public struct Recipe: Codable, Equatable, Sendable {
    public enum Method: String, Codable, Sendable, CaseIterable {
        /// The three-stage method of docs/METHOD.md.
        case sparseTernary = "sparse-ternary"
        /// Float weights and ReLU activations (accuracy reference; does not compile).
        case float
        /// BNN: 1-bit weights (`α·sign`) and the architecture's activations.
        case binary
        /// Dense ternary (TWN, Δ = 0.7·mean|W|) and the architecture's activations.
        case twn
    }

    public enum Pruning: String, Codable, Sendable {
        /// Every weight layer but the last gets the same sparsity s_h, chosen so the total equals the target; the
        /// last (tiny) layer gets `min(target, lastLayerSparsityCap)` (see `Pruner.perLayerTargets`).
        case perLayer = "per-layer"
        /// One magnitude ranking over all layers, each weight's |w| divided by its layer's mean |w| (layers have
        /// different scales); the last layer is still capped.
        case global
        /// Erdős–Rényi-Kernel allocation (Evci et al., 2020): every layer but the last keeps a density proportional
        /// to (sum of its dimensions) / (product of its dimensions), so small layers (the first conv) stay dense
        /// and the big ones carry the zeros; the last layer is capped as in `perLayer` (see `Pruner.erkTargets`).
        case erk
    }

    /// Stages 2 + 3 learn from a teacher as well as from the labels (`DistillationLoss`): stage 1's final network,
    /// or another run's finished network (`teacher`).
    public struct Distillation: Codable, Equatable, Sendable {
        /// A finished checkpoint used as the teacher instead of stage 1's network (`ExternalTeacher`). The recipe
        /// records what it was, not where it lay, so a moved checkpoint still resumes and a different one does not.
        public struct Teacher: Codable, Equatable, Sendable {
            /// The teacher's architecture name (`Architecture.name`).
            public var architecture: String
            /// FNV-1a 64 of its parameters and batch-norm statistics, hex (`ExternalTeacher.fingerprint`).
            public var fingerprint: String

            public init(architecture: String, fingerprint: String) {
                self.architecture = architecture
                self.fingerprint = fingerprint
            }
        }

        /// β: the teacher term's share of the loss (the labels get 1 − β).
        public var weight: Float
        /// T: the softmax temperature of both distributions in the teacher term.
        public var temperature: Float
        /// nil: the teacher is stage 1's final network (optional so older checkpoints still load).
        public var teacher: Teacher?

        public init(weight: Float, temperature: Float, teacher: Teacher? = nil) {
            self.weight = weight
            self.temperature = temperature
            self.teacher = teacher
        }
    }

    public var method: Method
    /// Target fraction of zero weights over all weight layers (sparse-ternary only).
    public var sparsity: Double
    /// Epochs of stage 1 (regularized ternary training), 2 (gradual pruning) and 3 (retraining with a fixed mask).
    /// Baselines train `epochs.reduce(0, +)` epochs in one stage.
    public var epochs: [Int]
    public var batchSize: Int = 100
    /// Peak learning rate of stage 1 (and of baselines).
    public var learningRate: Float = 2e-3
    /// Peak learning rate of stages 2 + 3 (one cosine over both).
    public var retrainLearningRate: Float = 1e-3
    public var schedule: Schedule = .cosine
    public var optimizer: Optimizer = Optimizer()
    /// Decoupled L2 (weight decay) on latent weights, stage 1 and baselines.
    public var lambdaL2: Float = 1e-2
    /// Strength of the quantization-threshold regularizer (stage 1); 0 or `thresholdRegularizer == false` disables it.
    public var lambdaQ: Float = 0.3
    public var thresholdRegularizer: Bool = true
    /// TWN threshold factor: Δ = factor · mean |W|.
    public var thresholdFactor: Float = 0.7
    public var pruning: Pruning = .perLayer
    public var lastLayerSparsityCap: Double = 0.8
    /// Mask updates spread over stage 2 (gradual pruning, Zhu & Gupta's cubic schedule).
    public var pruningSteps: Int = 20
    /// Only the first N training images were used (nil: all); recorded so the checkpoint says what it saw.
    public var trainLimit: Int?
    /// Training-image augmentation (nil: none; optional so checkpoints written before it existed still load).
    public var augmentation: Augmentation?
    /// Knowledge distillation in stages 2 + 3 (nil: off; sparse-ternary only).
    public var distillation: Distillation?
    public var seed: UInt64

    public init(method: Method, sparsity: Double, epochs: [Int], seed: UInt64) {
        self.method = method
        self.sparsity = sparsity
        self.epochs = epochs
        self.seed = seed
    }

    /// Names and epoch counts of the stages this recipe runs.
    public var stages: [(name: String, epochs: Int)] {
        switch method {
        case .sparseTernary:
            let e = epochs + [Int](repeating: 0, count: max(0, 3 - epochs.count))
            return [("stage1", e[0]), ("stage2", e[1]), ("stage3", e[2])]
        default:
            return [("train", epochs.reduce(0, +))]
        }
    }

    public var totalEpochs: Int { stages.reduce(0) { $0 + $1.epochs } }
}
