/// Hard limits a reader enforces before it allocates or loops on anything a file declares.
///
/// They bound every allocation the reader and the runtime make from file contents, so a hostile file cannot ask
/// for gigabytes or hours. They are far above any network Tern targets (LFC has 4 layers and 2.9 M weights).
public enum Limits {
    public static let metadataCount = 256
    public static let layerCount = 256
    public static let sectionCount = 1024
    /// Bytes of metadata + layer table + section table together.
    public static let tablesBytes = 1 << 20
    public static let keyLength = 64
    public static let stringLength = 1 << 16
    public static let channels = 1 << 16
    public static let spatial = 4096
    public static let kernel = 15
    /// Inputs per output (C·k·k or C·H·W); with 8-bit inputs, 2^23 keeps |acc| < 2^31.
    public static let fanIn = 1 << 23
    /// Weights in one layer, and elements in any section.
    public static let elements = 1 << 28
    /// Decoded or stored bytes of one section.
    public static let sectionBytes = 1 << 28
    public static let arenaBytes = Int(Int32.max)
    public static let fileBytes: UInt64 = 1 << 32
    /// Additions one image may need, counted densely (every weight, zero or not, at every output position, plus
    /// one per max-pool input): `TernFile.workPerImage`. 2^34 is about 17 s of one core at 10^9 additions/s, and
    /// 30× CNV on CIFAR-10 (the largest network Tern trains); a 4.8 KB file can otherwise ask for 5·10^13.
    /// `TernFile(parsing:maxWorkPerImage:)` lets a caller that knows its budget choose another bound.
    public static let workPerImage: UInt64 = 1 << 34
}
