import FirmwareSupport
import TernFormat
import TernRuntime

/// The firmware's entry point, called by Reset_Handler (Support/startup.c); the return value becomes QEMU's exit
/// code through semihosting: 0 when every image was classified, 1 when the artifact or the runtime refused.
///
/// It runs the runtime in streaming mode on the artifact in flash (read in place, never copied), with the static
/// arena the build sized from the artifact's header, classifies the test images that sit in flash, and prints
/// one line per image, the accuracy and the logits checksum (`tern run`'s). Host/Reference.swift prints the same lines on the
/// host; `make test` requires them to be identical.
@_cdecl("tern_app_main")
func appMain() -> Int32 {
    var out = Console()
    out.text("tern-firmware ")
    out.bytes(boardName())
    out.newline()
    do throws(RuntimeError) {
        try classifyAll(&out)
    } catch {
        out.text("error: ")
        describe(error, &out)
        out.newline()
        return 1
    }
    report(&out)
    return 0
}

func classifyAll(_ out: inout Console) throws(RuntimeError) {
    let model = Blobs.model
    let file: TernFile
    do { file = try TernFile(parsing: model) } catch { throw .format(error) }
    // The static arena was sized from the header: refuse a header that understates it before anything runs.
    try Plan.checkDeclaredArenas(file)
    let arena = Blobs.arena
    // Loading checks every section's CRC-32 once; inference then streams the weights from flash per image.
    let engine = try Engine(file: file, bytes: model, arena: arena, mode: .streaming, batch: 1)
    out.text("model bytes=")
    out.int(model.count)
    out.text(" layers=")
    out.int(file.layers.count)
    out.text(" arena=")
    out.int(engine.plan.arenaBytes(.streaming))
    out.text(" window-bits=")
    out.int(engine.plan.windowBits)
    out.newline()

    let inputBytes = engine.plan.inputElements
    let classes = engine.plan.classCount
    let images = Blobs.images
    let labels = Blobs.labels
    let count = min(images.count / inputBytes, labels.count)
    // Plain buffers rather than arrays: a typed-throws closure passed to Array.withUnsafeMutableBufferPointer
    // crashes Swift 6.3.1's IRGen (docs/TOOLCHAIN.md). Allocated once, alive until reset.
    let prediction = UnsafeMutableBufferPointer<Int32>.allocate(capacity: 1)
    let logits = UnsafeMutableBufferPointer<Int64>.allocate(capacity: classes)
    var checksum = LogitsChecksum()
    var correct = 0
    for i in 0..<count {
        let image = UnsafeRawBufferPointer(rebasing: images[(i * inputBytes)..<((i + 1) * inputBytes)])
        tern_mark(UInt32(2 * i))
        try engine.classify(images: image, count: 1, predictions: prediction, logits: logits)
        tern_mark(UInt32(2 * i + 1))
        let label = Int32(labels[i])
        if prediction[0] == label { correct += 1 }
        out.text("image ")
        out.int(i)
        out.text(" label ")
        out.int(label)
        out.text(" predicted ")
        out.int(prediction[0])
        out.text(" logits")
        for value in logits {
            out.text(" ")
            out.int(value)
            checksum.add(value)
        }
        out.newline()
    }
    out.text("accuracy ")
    out.int(correct)
    out.text("/")
    out.int(count)
    out.newline()
    out.text("logits-checksum ")
    out.hex(checksum.value)
    out.newline()
}

/// The checksum `tern run` reports as `logitsChecksum`: FNV-1a (64-bit) over every logit as 8 little-endian bytes,
/// images in order, classes in order. Printed in lowercase hex without leading zeros, as `tern run` prints it.
struct LogitsChecksum {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ logit: Int64) {
        var x = UInt64(bitPattern: logit)
        for _ in 0..<8 {
            value = (value ^ (x & 0xFF)) &* 0x100_0000_01b3
            x >>= 8
        }
    }
}

/// The board name the Makefile compiled in (`-DTERN_BOARD`), for the log.
func boardName() -> [UInt8] {
    var name: [UInt8] = []
    var p = tern_board_name()!
    while p.pointee != 0 { name.append(UInt8(bitPattern: p.pointee)); p += 1 }
    return name
}

/// Memory use at the end of the run, for docs/FIRMWARE.md.
func report(_ out: inout Console) {
    out.text("memory static=")
    out.int(tern_static_ram_bytes())
    out.text(" arena=")
    out.int(tern_arena_bytes())
    out.text(" heap-peak=")
    out.int(tern_heap_peak())
    out.text(" stack-peak=")
    out.int(tern_stack_peak())
    out.text(" stack-size=")
    out.int(tern_stack_bytes())
    out.newline()
}
