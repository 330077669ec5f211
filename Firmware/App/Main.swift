import FirmwareSupport
import TernFormat

/// The firmware's entry point, called by Reset_Handler (Support/startup.c); the return value becomes QEMU's exit
/// code through semihosting. 0: the artifact parsed and every section matched its CRC-32.
@_cdecl("tern_app_main")
func appMain() -> Int32 {
    var out = Console()
    out.text("tern-firmware: ")
    out.bytes(boardName())
    out.newline()

    let model = Blobs.model
    let file: TernFile
    tern_mark(0)
    defer { tern_mark(1) }
    do {
        file = try TernFile(parsing: model)
    } catch {
        out.text("error: the artifact does not parse: ")
        describe(error, &out)
        out.newline()
        return 1
    }
    out.text("model bytes=")
    out.int(model.count)
    out.text(" layers=")
    out.int(file.layers.count)
    out.text(" sections=")
    out.int(file.sections.count)
    out.text(" arena-streaming=")
    out.int(file.header.arenaStreamingBytes)
    out.newline()

    var checked = 0
    for index in file.sections.indices where file.sections[index].compression == .none {
        do {
            try file.verifyDecoded(file.storedBytes(of: index, in: model), section: index)
            checked += 1
        } catch {
            out.text("error: ")
            describe(error, &out)
            out.newline()
            return 1
        }
    }
    out.text("crc ok sections=")
    out.int(checked)
    out.newline()
    report(&out)
    return 0
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
