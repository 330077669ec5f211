import FirmwareSupport

/// The bytes blobs.S links into flash, as buffers that point at flash (nothing is copied), and the static arena.
enum Blobs {
    static var model: UnsafeRawBufferPointer { view(tern_model()) }
    static var images: UnsafeRawBufferPointer { view(tern_images()) }
    static var labels: UnsafeRawBufferPointer { view(tern_labels()) }
    static var arena: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: tern_arena(), count: Int(tern_arena_bytes()))
    }

    private static func view(_ blob: tern_blob) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: blob.start, count: Int(blob.count))
    }
}
