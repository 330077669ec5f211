import Testing
import TernFormat

@Test func crc32KnownValues() {
    #expect(CRC32.checksum([]) == 0)
    #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    #expect(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x414F_A339)
}

@Test func crc32IsIncremental() {
    let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    var crc = CRC32()
    crc.update(Array(bytes[0..<1]))
    crc.update(Array(bytes[1..<500]))
    crc.update(Array(bytes[500...]))
    #expect(crc.value == CRC32.checksum(bytes))
}
