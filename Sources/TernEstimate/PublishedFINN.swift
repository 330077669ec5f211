/// Published FINN builds the model is checked against (docs/HARDWARE.md §4). Every number here is copied from the
/// source named beside it; none is fitted.
public struct PublishedFINNBuild: Sendable {
    public var name: String
    public var source: String
    public var clockMHz: Double?
    public var layers: [MatrixLayer]
    /// The published folding, one per layer (`nil` for max-pool); `nil` when the source does not give it.
    public var foldings: [LayerFolding?]?
    /// The frame rate the source reports, when it reports one (the model then chooses the folding for it).
    public var framesPerSecond: Double?
    /// Per matrix layer, as the Finnthesizer printed them in the published config.h: WMEM, TMEM, Ext Latency.
    public var weightMemoryDepths: [Int]
    public var thresholdMemoryDepths: [Int]
    public var cyclesPerLayer: [Int]
    /// Whole-design Vivado utilization: slice LUTs and BRAM18 equivalents (RAMB18 + 2 × RAMB36).
    public var luts: Int?
    public var bram18: Int?
}

public enum PublishedFINN {
    static func fc(_ name: String, _ rows: Int, _ columns: Int, inputBits: Int = 1) -> MatrixLayer {
        MatrixLayer(name: name, kind: .dense, rows: rows, columns: columns, outputPositions: 1, inputBits: inputBits,
                    thresholdsPerRow: 1, rowNonzeros: [])
    }
    static func conv(_ name: String, inChannels: Int, inDim: Int, outChannels: Int, outDim: Int,
                     inputBits: Int = 1) -> MatrixLayer {
        MatrixLayer(name: name, kind: .conv, rows: outChannels, columns: inChannels * 9, outputPositions: outDim * outDim,
                    inputBits: inputBits, thresholdsPerRow: 1, rowNonzeros: [], kernel: 3, inputWidth: inDim,
                    inputChannels: inChannels)
    }
    static func pool(_ name: String, channels: Int, inDim: Int) -> MatrixLayer {
        MatrixLayer(name: name, kind: .maxPool, rows: 0, columns: 0, outputPositions: inDim * inDim, inputBits: 1,
                    thresholdsPerRow: 0, rowNonzeros: [], kernel: 2, inputWidth: inDim, inputChannels: channels)
    }

    /// BNN-PYNQ LFCW1A1 on PYNQ-Z1 (xc7z020): folding and Finnthesizer output from
    /// github.com/Xilinx/BNN-PYNQ bnn/src/network/lfcW1A1/hw/config.h; utilization (Vivado 2018.2) from
    /// bnn/src/network/lfcW1A1/README.md: 28,360 slice LUTs, 208 RAMB18 + 6 RAMB36.
    public static let lfcW1A1 = PublishedFINNBuild(
        name: "LFC-W1A1 (BNN-PYNQ, PYNQ-Z1)",
        source: "Xilinx/BNN-PYNQ bnn/src/network/lfcW1A1/{hw/config.h,README.md}",
        clockMHz: nil,
        layers: [fc("L0 fc", 1024, 832), fc("L1 fc", 1024, 1024), fc("L2 fc", 1024, 1024), fc("L3 fc", 64, 1024)],
        foldings: [LayerFolding(pe: 32, simd: 64), LayerFolding(pe: 64, simd: 32), LayerFolding(pe: 32, simd: 64),
                   LayerFolding(pe: 16, simd: 8)],
        framesPerSecond: nil,
        weightMemoryDepths: [416, 512, 512, 512], thresholdMemoryDepths: [32, 16, 32, 4],
        cyclesPerLayer: [416, 512, 512, 512],
        luts: 28_360, bram18: 208 + 2 * 6)

    /// BNN-PYNQ CNVW1A1 on PYNQ-Z1: bnn/src/network/cnvW1A1/hw/config.h and README.md: 26,072 slice LUTs,
    /// 96 RAMB18 + 76 RAMB36. The first layer takes 8-bit pixels.
    public static let cnvW1A1 = PublishedFINNBuild(
        name: "CNV-W1A1 (BNN-PYNQ, PYNQ-Z1)",
        source: "Xilinx/BNN-PYNQ bnn/src/network/cnvW1A1/{hw/config.h,README.md}",
        clockMHz: nil,
        layers: [
            conv("L0 conv", inChannels: 3, inDim: 32, outChannels: 64, outDim: 30, inputBits: 8),
            conv("L1 conv", inChannels: 64, inDim: 30, outChannels: 64, outDim: 28),
            pool("pool", channels: 64, inDim: 28),
            conv("L2 conv", inChannels: 64, inDim: 14, outChannels: 128, outDim: 12),
            conv("L3 conv", inChannels: 128, inDim: 12, outChannels: 128, outDim: 10),
            pool("pool", channels: 128, inDim: 10),
            conv("L4 conv", inChannels: 128, inDim: 5, outChannels: 256, outDim: 3),
            conv("L5 conv", inChannels: 256, inDim: 3, outChannels: 256, outDim: 1),
            fc("L6 fc", 512, 256), fc("L7 fc", 512, 512), fc("L8 fc", 64, 512),
        ],
        foldings: [LayerFolding(pe: 16, simd: 3), LayerFolding(pe: 32, simd: 32), nil, LayerFolding(pe: 16, simd: 32),
                   LayerFolding(pe: 16, simd: 32), nil, LayerFolding(pe: 4, simd: 32), LayerFolding(pe: 1, simd: 32),
                   LayerFolding(pe: 1, simd: 4), LayerFolding(pe: 1, simd: 8), LayerFolding(pe: 4, simd: 1)],
        framesPerSecond: nil,
        weightMemoryDepths: [36, 36, 144, 288, 2304, 18432, 32768, 32768, 8192],
        thresholdMemoryDepths: [4, 2, 8, 8, 64, 256, 512, 512, 16],
        cyclesPerLayer: [32400, 28224, 20736, 28800, 20736, 18432, 32768, 32768, 8192],
        luts: 26_072, bram18: 96 + 2 * 76)

    /// FINN paper (Umuroglu et al., FPGA 2017) SFC-max on ZC706 at 200 MHz: 12.3 M frames/s (abstract); 91,131 LUTs
    /// and 5 BRAM as quoted from the paper's table in NeuraLUT's Table III. The paper's folding was not found, so the
    /// model chooses the cheapest folding for the published frame rate.
    public static let sfcMax = PublishedFINNBuild(
        name: "SFC-max (FINN paper, ZC706)",
        source: "arXiv:1612.07119 abstract; NeuraLUT Table III quoting the FINN paper",
        clockMHz: 200,
        layers: [fc("L0 fc", 256, 784), fc("L1 fc", 256, 256), fc("L2 fc", 256, 256), fc("L3 fc", 10, 256)],
        foldings: nil, framesPerSecond: 12.3e6,
        weightMemoryDepths: [], thresholdMemoryDepths: [], cyclesPerLayer: [],
        luts: 91_131, bram18: nil)

    public static let all = [lfcW1A1, cnvW1A1, sfcMax]
}
