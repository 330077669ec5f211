import Foundation

/// The model against one published FINN build: each figure the source gives, next to the model's.
public struct FINNValidation: Sendable, Codable {
    public struct Row: Sendable, Codable {
        public var quantity: String
        public var model: Double
        public var published: Double
        /// model / published
        public var ratio: Double { published == 0 ? 0 : model / published }
    }
    public var build: String
    public var source: String
    public var rows: [Row]

    /// Dense binary estimate of `build` with its published folding (or, without one, the cheapest folding for its
    /// published frame rate), compared figure by figure.
    public init(_ build: PublishedFINNBuild, resources: FPGAResources = FPGAResources()) {
        self.build = build.name
        self.source = build.source
        let clock = build.clockMHz ?? 100
        let settings = EstimateSettings(clockMHz: clock, resources: resources)
        let foldings = build.foldings
            ?? DataflowModel.foldings(for: build.layers, targetFPS: build.framesPerSecond ?? 1, clockMHz: clock)
        let estimate = DataflowModel.estimate(build.layers, foldings: foldings, encoding: .denseBinary,
                                              settings: settings)
        var rows: [Row] = []
        let matrix = zip(build.layers, estimate.layers).filter { $0.0.hasMatrix }
        for (i, (layer, e)) in matrix.enumerated() {
            guard let f = e.folding else { continue }
            if i < build.weightMemoryDepths.count {
                rows.append(Row(quantity: "\(layer.name) WMEM", model: Double(f.weightMemoryDepth(rows: layer.rows,
                    columns: layer.columns)), published: Double(build.weightMemoryDepths[i])))
            }
            if i < build.thresholdMemoryDepths.count {
                rows.append(Row(quantity: "\(layer.name) TMEM", model: Double(f.thresholdMemoryDepth(rows: layer.rows)),
                                published: Double(build.thresholdMemoryDepths[i])))
            }
            if i < build.cyclesPerLayer.count {
                rows.append(Row(quantity: "\(layer.name) cycles/image", model: Double(e.cycles),
                                published: Double(build.cyclesPerLayer[i])))
            }
        }
        if let fps = build.framesPerSecond {
            // The folding was chosen to meet this rate, so this row checks the ⌈⌉ arithmetic, not the hardware.
            rows.append(Row(quantity: "frames/s (fold chosen)", model: estimate.framesPerSecond, published: fps))
        }
        if let luts = build.luts { rows.append(Row(quantity: "LUTs", model: Double(estimate.luts), published: Double(luts))) }
        if let bram = build.bram18 {
            rows.append(Row(quantity: "BRAM18", model: Double(estimate.bram18), published: Double(bram)))
        }
        self.rows = rows
    }

    public func table() -> String {
        var s = "\(build)  [\(source)]\n"
        for r in rows {
            let name = r.quantity.padding(toLength: 24, withPad: " ", startingAt: 0)
            s += "  \(name)" + String(format: "%14.0f %14.0f   %6.3f\n", r.model, r.published, r.ratio)
        }
        return s
    }
}
