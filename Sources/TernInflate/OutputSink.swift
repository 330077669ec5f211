// Where decoded bytes go. The decoder core is generic over this so the one-shot path (the output array is the
// window) and the streaming path (a caller buffer plus a ring window) share every line of the format logic and
// still compile to two tight, specialised loops.

protocol OutputSink {
    /// The caller-visible output and how much of it is filled (the Adler-32 runs over it).
    var base: UnsafeMutablePointer<UInt8> { get }
    var position: Int { get }
    /// Bytes that may still be written before the decoder must stop and ask for more output space.
    var room: Int { get }
    mutating func literal(_ byte: UInt8)
    /// Copies `length` (≤ `room`) bytes from `distance` back; the core has checked the distance.
    mutating func copyMatch(distance: Int, length: Int)
    mutating func copyBytes(from source: UnsafePointer<UInt8>, count: Int)
}

/// Output into one contiguous buffer that holds everything decoded so far, so it is its own window.
/// The buffer must have `LinearSink.slack` writable bytes past `end`: match copies move 8 bytes at a time.
struct LinearSink: OutputSink {
    static let slack = 8
    let base: UnsafeMutablePointer<UInt8>
    var position: Int
    let end: Int

    // Wrapping arithmetic: positions are far from overflow, and the checks cost the hot loop two instructions.
    var room: Int { @inline(__always) get { end &- position } }

    @inline(__always) mutating func literal(_ byte: UInt8) {
        base[position] = byte
        position &+= 1
    }

    @inline(__always) mutating func copyMatch(distance: Int, length: Int) {
        var to = base + position
        var from = to - distance
        position &+= length
        if distance >= 8 {
            // Source and destination of each 8-byte step never overlap; the last step may write up to 7 bytes past
            // the match, into slack that later output overwrites.
            var left = length
            repeat {
                UnsafeMutableRawPointer(to).storeBytes(of: UnsafeRawPointer(from).loadUnaligned(as: UInt64.self), as: UInt64.self)
                to += 8
                from += 8
                left -= 8
            } while left > 0
        } else if distance == 1 {
            to.update(repeating: from.pointee, count: length)
        } else {
            for i in 0..<length { to[i] = from[i] }
        }
    }

    @inline(__always) mutating func copyBytes(from source: UnsafePointer<UInt8>, count: Int) {
        (base + position).update(from: source, count: count)
        position += count
    }
}

/// Output into a caller's buffer, with every byte also kept in a ring window (a power of two in size) that
/// matches read from: the streaming decoder's memory is the ring, whatever the caller's buffer size.
struct WindowSink: OutputSink {
    let base: UnsafeMutablePointer<UInt8>
    var position: Int
    let end: Int
    let window: UnsafeMutablePointer<UInt8>
    let mask: Int
    var windowPosition: Int

    var room: Int { @inline(__always) get { end - position } }

    @inline(__always) mutating func literal(_ byte: UInt8) {
        base[position] = byte
        position += 1
        window[windowPosition] = byte
        windowPosition = (windowPosition + 1) & mask
    }

    @inline(__always) mutating func copyMatch(distance: Int, length: Int) {
        var from = (windowPosition - distance) & mask
        var w = windowPosition
        let out = base + position
        for i in 0..<length {
            let byte = window[from]
            out[i] = byte
            window[w] = byte
            w = (w + 1) & mask
            from = (from + 1) & mask
        }
        windowPosition = w
        position += length
    }

    mutating func copyBytes(from source: UnsafePointer<UInt8>, count: Int) {
        (base + position).update(from: source, count: count)
        position += count
        // Only the last window-size bytes can ever be referenced again.
        let size = mask + 1
        var src = source
        var n = count
        if n > size {
            src += n - size
            n = size
        }
        let first = min(n, size - windowPosition)
        (window + windowPosition).update(from: src, count: first)
        if n > first { window.update(from: src + first, count: n - first) }
        windowPosition = (windowPosition + n) & mask
    }
}
