# BBC micro:bit v1, nRF51822 (Cortex-M0, 256 KiB flash, 16 KiB RAM).
#
# armv6m is the M0's instruction set; it has no atomic instructions, so Support/atomics.c is linked.
QEMU_MACHINE  = microbit
SWIFT_TARGET  = armv6m-none-none-eabi
SWIFT_CPU     = cortex-m0
GCC_ARCH      = -mcpu=cortex-m0 -mthumb -mfloat-abi=soft
NEEDS_ATOMICS = 1

# 16 KiB of RAM has no room for zlib's 6 KiB of Huffman tables plus a window next to LFC's 8.4 KiB streaming arena,
# so this board streams the ternary tokens uncompressed (compression none; they are ~1 byte per nonzero weight
# and the 256 KiB of flash holds them): synthetic LFC, 98 % zeros, seed 1, no zlib.
SYNTHETIC     = 784,1024,1024,1024,10 0.98 1 0
