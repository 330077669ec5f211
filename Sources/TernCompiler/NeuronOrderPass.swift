import TernModel

/// Reorders the hidden channels of every producer layer, and the consumer's input columns with them. Bit-exact: a
/// hidden layer's channel order is internal to the network. Two orders, and the compiler keeps whichever file is
/// smaller:
/// - `density`: descending nonzero count (ties keep their order). Rows of similar density end up next to each other,
///   so `RowSegmentation` can give each group of rows a Huffman table that fits it.
/// - `thresholds`: ascending spread between a channel's first and last threshold, then its first threshold. Similar
///   threshold tuples end up next to each other, which zlib's matcher turns into short matches: with 2-bit
///   activations (three thresholds per channel) this shrinks the threshold sections by a third on trained LFCs.
enum NeuronOrderPass {
    enum Key: Sendable, CaseIterable {
        case density, thresholds
    }

    static func apply(_ network: IntegerNetwork, key: Key = .density) -> IntegerNetwork {
        var net = network
        for p in net.layers.indices where net.layers[p].record.thresholdsPerChannel > 0 {
            guard let q = DeadNeuronPass.consumer(of: p, in: net) else { continue }
            let channels = Int(net.layers[p].record.outChannels)
            let fanIn = net.layers[p].record.fanIn
            let order: [Int]
            switch key {
            case .density:
                let counts = (0..<channels).map { c in
                    net.layers[p].weights[(c * fanIn)..<((c + 1) * fanIn)].count(where: { $0 != 0 })
                }
                order = (0..<channels).sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }
            case .thresholds:
                let per = net.layers[p].record.thresholdsPerChannel
                let t = net.layers[p].thresholds
                let keys = (0..<channels).map { c in (Int64(t[c * per + per - 1]) - Int64(t[c * per]), Int64(t[c * per])) }
                order = (0..<channels).sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : $0 < $1 }
            }
            guard order != Array(0..<channels) else { continue }
            permute(producer: p, consumer: q, order: order, in: &net)
        }
        return net
    }

    /// New channel i is old channel `order[i]`.
    static func permute(producer p: Int, consumer q: Int, order: [Int], in net: inout IntegerNetwork) {
        let channels = order.count
        let fanIn = net.layers[p].record.fanIn
        let per = net.layers[p].record.thresholdsPerChannel
        var weights: [Int8] = [], thresholds: [Int32] = []
        weights.reserveCapacity(net.layers[p].weights.count)
        for c in order {
            weights += net.layers[p].weights[(c * fanIn)..<((c + 1) * fanIn)]
            thresholds += net.layers[p].thresholds[(c * per)..<((c + 1) * per)]
        }
        net.layers[p].weights = weights
        net.layers[p].thresholds = thresholds
        let qFanIn = net.layers[q].record.fanIn
        let blocks = qFanIn / channels
        var qWeights = net.layers[q].weights
        for o in 0..<Int(net.layers[q].record.outChannels) {
            for b in 0..<blocks {
                let base = o * qFanIn + b * channels
                for (i, c) in order.enumerated() { qWeights[base + i] = net.layers[q].weights[base + c] }
            }
        }
        net.layers[q].weights = qWeights
    }
}
