# BBC micro:bit v1, nRF51822 (Cortex-M0, 256 KiB flash, 16 KiB RAM).
#
# armv6m is the M0's instruction set; it has no atomic instructions, so Support/atomics.c is linked.
QEMU_MACHINE  = microbit
SWIFT_TARGET  = armv6m-none-none-eabi
SWIFT_CPU     = cortex-m0
GCC_ARCH      = -mcpu=cortex-m0 -mthumb -mfloat-abi=soft
NEEDS_ATOMICS = 1

# 16 KiB of RAM cannot hold LFC: its streaming arena (8.4 KiB) plus the heap for the parsed tables and plan
# (2.9 KiB) plus the stack (4.4 KiB at peak on ARMv6-M) leave no margin, and zlib's 6 KiB of Huffman tables would
# not fit at all. The micro:bit runs FINN's SFC shape instead (784-256-256-256-10, 1-bit activations, 98 % zeros,
# seed 1) with its ternary tokens stored uncompressed (the 256 KiB of flash holds them).
SYNTHETIC     = 784,256,256,256,10 0.98 1 0
